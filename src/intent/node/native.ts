/**
 * A native addon as Tenet reads it: the functions its ELF shared object
 * imports, which bound what it may ask the kernel for.
 */
const SHT_DYNSYM = 11;

/** What a shared object (a native addon) asks of the libraries it links: the functions it imports, and whether rustc built it. */
export interface ElfImports {
  /** Undefined symbols of its dynamic symbol table, without their version (`open64`, not `open64@GLIBC_2.2.5`). */
  imports: string[];
  /** Its `.comment` section names rustc: its `syscall()` calls are Rust's standard library's. */
  rust: boolean;
}

/**
 * The functions a 64-bit little-endian ELF shared object imports, from its
 * section headers, `.dynsym` and the string table it links; undefined when the
 * bytes are not such an ELF or a table lies outside them (a truncated file).
 */
export function elfImports(bytes: Uint8Array): ElfImports | undefined {
  if (bytes.length < 64 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46 || bytes[4] !== 2 || bytes[5] !== 1) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const shoff = u64(0x28);
  const shentsize = u16(0x3a);
  const shnum = u16(0x3c);
  const shstrndx = u16(0x3e);
  if (shentsize < 64 || shoff + shnum * shentsize > bytes.length) return undefined;
  const sections = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return { name: u32(at), type: u32(at + 4), offset: u64(at + 0x18), size: u64(at + 0x20), link: u32(at + 0x28), entsize: u64(at + 0x38) };
  });
  if (sections.some((s) => s.type !== 8 /* SHT_NOBITS */ && s.offset + s.size > bytes.length)) return undefined;
  const text = (offset: number, end: number) => Buffer.from(bytes.buffer, bytes.byteOffset + offset, Math.max(0, end - offset)).toString('latin1');
  const stringAt = (table: { offset: number; size: number } | undefined, at: number): string => {
    if (table === undefined || at >= table.size) return '';
    const start = table.offset + at;
    const end = bytes.indexOf(0, start);
    return text(start, end === -1 || end > table.offset + table.size ? table.offset + table.size : end);
  };
  const names = sections[shstrndx];
  const comment = sections.find((s) => stringAt(names, s.name) === '.comment');
  const dynsym = sections.find((s) => s.type === SHT_DYNSYM);
  if (dynsym === undefined || dynsym.entsize < 24) return undefined;
  const strings = sections[dynsym.link];
  const imports = new Set<string>();
  for (let at = dynsym.offset; at + 24 <= dynsym.offset + dynsym.size; at += dynsym.entsize) {
    // st_shndx 0: defined elsewhere, an import
    if (u16(at + 6) !== 0) continue;
    const name = stringAt(strings, u32(at)).replace(/@.*$/, '');
    if (name !== '') imports.add(name);
  }
  const rust = comment !== undefined && text(comment.offset, comment.offset + comment.size).includes('rustc version');
  return { imports: [...imports].sort(), rust };
}

import type { ExecutableFormat } from '../model/index.ts';

/** Bytes of an executable's start kept to tell its format and interpreter. */
export const HEAD_BYTES = 4096;

const PT_INTERP = 3;

/** ELF by magic, script by `#!`; the interpreter is the ELF's PT_INTERP or the `#!` line. */
export function executableFormat(head: Buffer): { format: ExecutableFormat; interpreter?: string } {
  if (head.length >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) {
    const interpreter = elfInterpreter(head);
    return interpreter === undefined ? { format: 'elf' } : { format: 'elf', interpreter };
  }
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) {
    const end = head.indexOf(0x0a);
    const line = head.subarray(2, end === -1 ? Math.min(head.length, 256) : Math.min(end, 256)).toString('utf8').trim();
    return line === '' ? { format: 'script' } : { format: 'script', interpreter: line };
  }
  return { format: 'other' };
}

/** The program interpreter named in an ELF's program headers, when they lie within `head`. */
function elfInterpreter(head: Buffer): string | undefined {
  const is64 = head[4] === 2;
  const little = head[5] === 1;
  if (head.length < (is64 ? 64 : 52)) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);
  const word = (at: number) => (is64 ? Number(view.getBigUint64(at, little)) : u32(at));
  const phoff = word(is64 ? 0x20 : 0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + (is64 ? 0x28 : 0x18) > head.length) return undefined;
    if (u32(at) !== PT_INTERP) continue;
    const offset = word(at + (is64 ? 0x08 : 0x04));
    const size = word(at + (is64 ? 0x20 : 0x10));
    if (offset + size > head.length || size === 0) return undefined;
    return head.subarray(offset, offset + size).toString('latin1').replace(/\0+$/, '');
  }
  return undefined;
}

// Builds tar archives in memory for tests, including ones no honest tool writes
// (sizes that lie, paths that climb out, links that point away).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';

export interface TarEntry {
  path: string;
  type?: 'File' | 'Directory' | 'SymbolicLink' | 'Link';
  mode?: number;
  content?: string | Buffer;
  linkpath?: string;
  /** The size the header claims, when it is to differ from the content. */
  claimedSize?: number;
}

export function tar(entries: readonly TarEntry[], { trailer = true } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = Buffer.from(entry.content ?? '');
    const type = entry.type ?? 'File';
    const header = Buffer.alloc(512);
    new Header({
      path: entry.path,
      type,
      mode: entry.mode ?? (type === 'Directory' ? 0o755 : 0o644),
      uid: 0,
      gid: 0,
      size: entry.claimedSize ?? (type === 'File' ? content.length : 0),
      mtime: new Date(0),
      ...(entry.linkpath !== undefined && { linkpath: entry.linkpath }),
    }).encode(header, 0);
    blocks.push(header);
    if (type === 'File' && content.length > 0) {
      blocks.push(content, Buffer.alloc((512 - (content.length % 512)) % 512));
    }
  }
  if (trailer) blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A tiny x86-64 ELF header naming `interpreter` in a PT_INTERP program header. */
export function elf(interpreter: string, body = 'code'): Buffer {
  const buffer = Buffer.alloc(0x100 + interpreter.length + 1 + body.length);
  buffer.write('\x7fELF', 0, 'latin1');
  buffer[4] = 2; // 64-bit
  buffer[5] = 1; // little endian
  buffer.writeBigUInt64LE(0x40n, 0x20); // e_phoff
  buffer.writeUInt16LE(0x38, 0x36); // e_phentsize
  buffer.writeUInt16LE(1, 0x38); // e_phnum
  buffer.writeUInt32LE(3, 0x40); // PT_INTERP
  buffer.writeBigUInt64LE(0x100n, 0x48); // p_offset
  buffer.writeBigUInt64LE(BigInt(interpreter.length + 1), 0x60); // p_filesz
  buffer.write(interpreter, 0x100, 'latin1');
  buffer.write(body, 0x100 + interpreter.length + 1, 'latin1');
  return buffer;
}

export interface ImageLayer { entries: TarEntry[]; gzip?: boolean }

/** A `docker save` archive of one image made of the given layers. */
export function dockerArchive(layers: readonly ImageLayer[], config: Record<string, unknown> = {}, tag = 'test/app:1'): { archive: Buffer; id: string; diffIds: string[] } {
  const blobs = layers.map((l) => tar(l.entries));
  const diffIds = blobs.map((b) => sha256(b));
  const configBytes = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: {},
    ...config,
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  const id = sha256(configBytes);
  const hex = id.slice('sha256:'.length);
  const members: TarEntry[] = [];
  blobs.forEach((blob, i) => {
    members.push({ path: `layer${i}/layer.tar`, content: layers[i]!.gzip ? gzipSync(blob) : blob });
  });
  members.push({ path: `${hex}.json`, content: configBytes });
  members.push({ path: 'manifest.json', content: JSON.stringify([{ Config: `${hex}.json`, RepoTags: [tag], Layers: blobs.map((_, i) => `layer${i}/layer.tar`) }]) });
  return { archive: tar(members), id, diffIds };
}

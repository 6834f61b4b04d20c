import type { SourceTree } from '../../../src/intent/node/index.ts';

/** An app as a map of files; folders are implied by the paths. */
export function memoryTree(files: Record<string, string>): SourceTree {
  const dirs = new Set<string>();
  for (const path of Object.keys(files)) for (let d = path.slice(0, path.lastIndexOf('/')); d !== ''; d = d.slice(0, d.lastIndexOf('/'))) dirs.add(d);
  const list = (dir: string) => [...new Set([...Object.keys(files), ...dirs].filter((p) => p.startsWith(`${dir}/`)).map((p) => p.slice(dir.length + 1).split('/')[0]!))];
  return { read: (p) => files[p], isFile: (p) => Object.hasOwn(files, p), isDirectory: (p) => dirs.has(p), list };
}

/**
 * Generalisation keeps learned models small: names a program makes up at run
 * time (temp files, request ids, pids) become `*`, and a folder with many
 * children becomes `folder/*`. Detection normalises an observed value the same
 * way, so `/tmp/upload-7f3a9c` matches the learned `/tmp/*`.
 */

/** A path segment a program generated: numbers, hex or base-36 ids, UUIDs, mktemp names. */
export function isGenerated(segment: string): boolean {
  if (segment.length === 0 || segment === '*') return false;
  if (/^\d+$/.test(segment)) return true;
  if (segment.length >= 8 && /^[0-9a-f-]+$/i.test(segment) && /\d/.test(segment)) return true;
  // a name with letters and digits mixed in, six characters or more (`abc123`, `tmp.Xa81Kq`, `upload-17.tmp`)
  return segment.length >= 6 && /\d/.test(segment) && /[a-z]/i.test(segment);
}

/** Each generated segment of an absolute path becomes `*`: `/proc/42/status` is `/proc/` + `*` + `/status`. */
export function normalisePath(path: string): string {
  if (!path.startsWith('/')) return path;
  const parts = path.split('/');
  let changed = false;
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i]!;
    if (part === '' && i < parts.length - 1) continue;
    if (isGenerated(part)) {
      parts[i] = '*';
      changed = true;
    }
  }
  return changed ? parts.join('/') : path;
}

/** The folder of a path (`/a/b/c` → `/a/b`), or undefined at the root. */
export function parentOf(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? undefined : path.slice(0, slash);
}

/** `a.b.example.com` → `b.example.com`; undefined for a name of two labels or fewer. */
export function parentDomain(name: string): string | undefined {
  const dot = name.indexOf('.');
  const parent = dot === -1 ? undefined : name.slice(dot + 1);
  return parent !== undefined && parent.includes('.') ? parent : undefined;
}

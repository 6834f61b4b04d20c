/**
 * Generalisation keeps learned models small: names a program makes up at run
 * time (temp files, request ids, pids) become `*`, and a folder with many
 * children becomes `folder/*`. Detection normalises an observed value the same
 * way, so `/tmp/upload-7f3a9c` matches the learned `/tmp/*`.
 */

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isHexLetter = (c: number) => (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** A path segment a program generated: numbers, hex or base-36 ids, UUIDs, mktemp names. */
export function isGenerated(segment: string): boolean {
  let digits = 0;
  let letters = 0;
  let hex = true;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (isLetter(c)) {
      letters++;
      if (!isHexLetter(c)) hex = false;
    } else if (c !== 45 /* - */) hex = false;
  }
  if (digits === 0) return false;
  if (digits === segment.length) return true;
  // hex ids and UUIDs (`3f2a9c1e`, `0b7e…-…`)
  if (hex && segment.length >= 8) return true;
  // a name with letters and digits mixed in, six characters or more (`abc123`, `tmp.Xa81Kq`, `upload-17.tmp`)
  return segment.length >= 6 && letters > 0;
}

/** Each generated segment of an absolute path becomes `*`: `/proc/42/status` is `/proc/` + `*` + `/status`. */
export function normalisePath(path: string): string {
  if (path.charCodeAt(0) !== 47) return path;
  // only a segment with a digit can be generated: most paths have none
  let digit = false;
  for (let i = 1; i < path.length && !digit; i++) digit = isDigit(path.charCodeAt(i));
  if (!digit) return path;
  const parts = path.split('/');
  let changed = false;
  for (let i = 1; i < parts.length; i++) {
    if (isGenerated(parts[i]!)) {
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

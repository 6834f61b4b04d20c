import type { MountType } from '../../model/index.ts';

/** A mount as Compose declares it, before sources are attached. */
export interface VolumeSpec {
  target: string;
  type: MountType;
  source?: string;
  readOnly: boolean;
}

export type VolumeResult = { ok: true; volume: VolumeSpec } | { ok: false; reason: string };

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/;

// Compose's rule: a source that looks like a path is a bind mount, anything else names a volume.
function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~') || WINDOWS_DRIVE.test(source);
}

/** `/data/` → `/data`; the root stays `/`. */
export function trimPath(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' && path.startsWith('/') ? '/' : trimmed;
}

function isAbsoluteTarget(target: string): boolean {
  return target.startsWith('/') || WINDOWS_DRIVE.test(target);
}

// Splits on `:` except after a Windows drive letter, as Compose does.
function splitSpec(spec: string): string[] {
  const parts: string[] = [];
  let buffer = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === ':' && !(buffer.length === 1 && /[A-Za-z]/.test(buffer) && /[\\/]/.test(spec[i + 1] ?? ''))) {
      parts.push(buffer);
      buffer = '';
    } else {
      buffer += c;
    }
  }
  parts.push(buffer);
  return parts;
}

/**
 * The short syntax of `volumes:` — `[SOURCE:]TARGET[:MODE]`, where SOURCE is a host path
 * (`./data`, `/var/run/docker.sock`, `~/x`) or a volume name, and MODE holds `ro` or `rw`.
 */
export function parseVolumeSpec(spec: string): VolumeResult {
  const parts = splitSpec(spec.trim());
  if (parts.length > 3) return { ok: false, reason: `"${spec}" has too many parts` };
  // An empty source (`:/data`, left by an unset variable) means an anonymous volume, as in Compose.
  const [first = '', second, mode = ''] = parts;
  const source = second === undefined ? '' : first;
  const target = trimPath(second === undefined ? first : second);
  if (target === '') return { ok: false, reason: `"${spec}" has no mount point` };
  if (!isAbsoluteTarget(target)) return { ok: false, reason: `mount point "${target}" is not an absolute path` };
  const readOnly = mode.split(',').some((m) => m.trim() === 'ro');
  if (source === '') return { ok: true, volume: { target, type: 'volume', readOnly } };
  return { ok: true, volume: { target, type: isHostPath(source) ? 'bind' : 'volume', source, readOnly } };
}

const LONG_TYPES: Record<string, MountType> = { bind: 'bind', volume: 'volume', tmpfs: 'tmpfs' };

/** The long syntax of `volumes:` — `{type, source, target, read_only}`. */
export function parseLongVolume(value: Record<string, unknown>): VolumeResult {
  const target = typeof value.target === 'string' ? trimPath(value.target.trim()) : '';
  if (target === '') return { ok: false, reason: 'a long-syntax volume needs a target' };
  if (!isAbsoluteTarget(target)) return { ok: false, reason: `mount point "${target}" is not an absolute path` };
  const source = typeof value.source === 'string' && value.source !== '' ? value.source : undefined;
  const declared = typeof value.type === 'string' ? value.type : undefined;
  const type = declared !== undefined
    ? (LONG_TYPES[declared] ?? 'other')
    : source !== undefined && isHostPath(source) ? 'bind' : 'volume';
  const readOnly = value.read_only === true || value.read_only === 'true';
  return { ok: true, volume: { target, type, ...(source !== undefined && type !== 'tmpfs' && { source }), readOnly } };
}

import type { IntentModel } from '../../model/index.ts';
import type { MergedFilesystem } from './filesystem.ts';

type Package = NonNullable<IntentModel['inventory']>['packages'][number];

export interface PackageDatabase {
  packages: Package[];
  /** Owning package by the real path of each file it installed (links in folders resolved). */
  owners: Map<string, string>;
}

/** RFC 822-style stanzas (`Field: value`, continuation lines indented), as dpkg writes them. */
function stanzas(text: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  for (const block of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of block.split('\n')) {
      if (/^[ \t]/.test(line) && last !== undefined) {
        fields.set(last, `${fields.get(last)}\n${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim();
      fields.set(last, line.slice(colon + 1).trim());
    }
    if (fields.size > 0) out.push(fields);
  }
  return out;
}

/** The packages dpkg lists as installed, from `status` and (distroless) `status.d/*`. */
export function dpkgPackages(texts: readonly string[]): Package[] {
  const packages: Package[] = [];
  for (const text of texts) {
    for (const fields of stanzas(text)) {
      const name = fields.get('Package');
      const status = fields.get('Status') ?? 'install ok installed';
      if (name === undefined || !/\binstalled$/.test(status) || /config-files|not-installed|half-installed/.test(status)) continue;
      packages.push({ name, version: fields.get('Version') ?? '', manager: 'dpkg' });
    }
  }
  return packages;
}

/** Packages and their files from apk's `installed` database (P: name, V: version, F: folder, R: file). */
export function apkDatabase(text: string): { packages: Package[]; files: Array<[string, string]> } {
  const packages: Package[] = [];
  const files: Array<[string, string]> = [];
  for (const block of text.split(/\n\s*\n/)) {
    let name: string | undefined;
    let version = '';
    let folder = '';
    for (const line of block.split('\n')) {
      const key = line.slice(0, 2);
      const value = line.slice(2);
      if (key === 'P:') name = value;
      else if (key === 'V:') version = value;
      else if (key === 'F:') folder = value;
      else if (key === 'R:' && name !== undefined) files.push([`/${folder ? `${folder}/` : ''}${value}`, name]);
    }
    if (name !== undefined) packages.push({ name, version, manager: 'apk' });
  }
  return { packages, files };
}

/**
 * The image's package database: dpkg (status and the `info/*.list` file lists)
 * and apk. Listed paths are resolved through folder links so `/bin/ls` of a
 * merged-/usr system is owned at `/usr/bin/ls`.
 */
export function readPackages(fs: MergedFilesystem): PackageDatabase {
  const owners = new Map<string, string>();
  const folders = new Map<string, string>();
  const own = (path: string, name: string) => {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash) || '/';
    let real = folders.get(dir);
    if (real === undefined) folders.set(dir, (real = fs.resolve(dir) ?? dir));
    const full = `${real === '/' ? '' : real}/${path.slice(slash + 1)}`;
    if (!owners.has(full)) owners.set(full, name);
  };

  const statusTexts = [fs.read('/var/lib/dpkg/status'), ...fs.capturedUnder('/var/lib/dpkg/status.d').map((p) => fs.read(p))]
    .filter((t): t is string => t !== undefined);
  const packages = dpkgPackages(statusTexts);
  for (const list of fs.capturedUnder('/var/lib/dpkg/info')) {
    if (!list.endsWith('.list')) continue;
    const name = list.slice(list.lastIndexOf('/') + 1, -'.list'.length).replace(/:.*$/, '');
    for (const line of (fs.read(list) ?? '').split('\n')) {
      if (line.startsWith('/') && line !== '/.') own(line, name);
    }
  }

  const apk = fs.read('/lib/apk/db/installed');
  if (apk !== undefined) {
    const db = apkDatabase(apk);
    packages.push(...db.packages);
    for (const [path, name] of db.files) own(path, name);
  }
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { packages, owners };
}

/** `ID`, `VERSION_ID` and `PRETTY_NAME` of os-release(5). */
export function parseOsRelease(text: string): IntentModel['os'] | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!match) continue;
    fields.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, '$2').replace(/\\(["'$`\\])/g, '$1'));
  }
  const id = fields.get('ID');
  if (id === undefined) return undefined;
  const version = fields.get('VERSION_ID');
  const name = fields.get('PRETTY_NAME') ?? fields.get('NAME');
  return { id, ...(version !== undefined && { version }), ...(name !== undefined && { name }) };
}

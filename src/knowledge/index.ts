/**
 * What Tenet knows without reading anything: the default behaviour of common
 * building blocks, as data with the reference for every fact.
 */
import { BUILDING_BLOCKS, type BuildingBlock } from './building-blocks.ts';

export { BUILDING_BLOCKS, type BuildingBlock, type KnowledgeFact } from './building-blocks.ts';
export { LEGACY_CALLS, NODE_SYSCALL_MAPS, isSyscallName, nodeSyscallMap, syscallName, syscallNumber, withLegacyCalls, type NodeSyscallMap } from './syscalls.ts';
export { nodeApiMembers, nodeApisOf, nodeApisOfBinding, nodeApisOfMembers } from './node-apis.ts';
export { nativeNeeds, type NativeNeeds } from './native-calls.ts';
export { capabilityName, capabilityNumber } from './capabilities.ts';

export type PackageManager = 'dpkg' | 'apk' | 'rpm';

/** The blocks an image holds, by its packages or, failing those, its executables; each once, in catalog order. */
export function blocksForPackages(
  packages: ReadonlyArray<{ name: string; manager: PackageManager }>,
  executables: ReadonlyArray<string>,
): Array<{ block: BuildingBlock; because: string }> {
  const installed = new Set(packages.map((p) => `${p.manager}\0${p.name}`));
  const files = new Set(executables);
  const found: Array<{ block: BuildingBlock; because: string }> = [];
  for (const block of BUILDING_BLOCKS) {
    const managers = Object.entries(block.packages) as Array<[PackageManager, string[]]>;
    const pkg = managers.flatMap(([manager, names]) => names.map((name) => [manager, name] as const)).find(([m, n]) => installed.has(`${m}\0${n}`));
    if (pkg !== undefined) {
      found.push({ block, because: `package ${pkg[1]} (${pkg[0]})` });
      continue;
    }
    const executable = block.executables.find((e) => files.has(e));
    if (executable !== undefined) found.push({ block, because: `executable ${executable}` });
  }
  return found;
}

/** The block an image reference names by its repository's last segment: `docker.io/library/redis:7` → Redis. */
export function blockForImage(reference: string): BuildingBlock | undefined {
  const withoutDigest = reference.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  const repository = colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
  const name = repository.slice(repository.lastIndexOf('/') + 1).toLowerCase();
  return BUILDING_BLOCKS.find((b) => b.images.includes(name));
}

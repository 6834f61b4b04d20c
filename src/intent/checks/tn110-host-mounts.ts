import { finding, type Finding, type MountEntry } from '../../model/index.ts';
import { describe, locate, type Check } from './check.ts';

const RUNTIME_SOCKET = /(^|\/)(docker|containerd|crio|cri-dockerd|podman)\.sock$|^\/(var\/)?run\/(docker|containerd|crio)\/?$/;

/** Host paths whose exposure gives away the node: exact roots, and trees below the listed prefixes. */
const SENSITIVE_EXACT = new Set(['/', '/var/run', '/run', '/var/log', '/usr', '/home', '/var', '/var/lib', '/lib']);
const SENSITIVE_TREES = ['/etc', '/proc', '/sys', '/root', '/boot', '/dev', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd', '/lib/modules'];

function hostPathOf(mount: MountEntry): string | undefined {
  if (mount.type !== 'hostPath' && mount.type !== 'bind') return undefined;
  const path = mount.source?.replace(/\/+$/, '') || (mount.source?.startsWith('/') ? '/' : undefined);
  return path?.startsWith('/') ? path : undefined;
}

export function isRuntimeSocket(path: string): boolean {
  return RUNTIME_SOCKET.test(path);
}

export function isSensitiveHostPath(path: string): boolean {
  return SENSITIVE_EXACT.has(path) || SENSITIVE_TREES.some((tree) => path === tree || path.startsWith(`${tree}/`));
}

/** TN110 for a container runtime socket, TN111 for another sensitive host path. */
export const hostMounts: Check = {
  code: 'TN110',
  check(model) {
    const out: Finding[] = [];
    for (const mount of model.filesystem.mounts) {
      const host = hostPathOf(mount);
      const location = host === undefined ? undefined : locate(model, mount.sources);
      if (host === undefined || !location) continue;
      const how = mount.readOnly ? 'read-only' : 'writable';
      if (isRuntimeSocket(host)) out.push(finding('TN110', `${describe(model)} mounts the container runtime socket ${host} (${how})`, location, model.id));
      else if (isSensitiveHostPath(host)) out.push(finding('TN111', `${describe(model)} mounts host path ${host} at ${mount.path} (${how})`, location, model.id));
    }
    return out;
  },
};

import { finding, type Finding } from '../../model/index.ts';
import { describe, locate, type Check } from './check.ts';

/** Capabilities that amount to root over the host, or to leaving the container. */
export const DANGEROUS_CAPABILITIES = new Set([
  'ALL', 'SYS_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_BOOT', 'SYS_TIME', 'NET_ADMIN', 'BPF',
  'PERFMON', 'DAC_READ_SEARCH', 'SYSLOG', 'MAC_ADMIN', 'MAC_OVERRIDE', 'LINUX_IMMUTABLE', 'SYS_RESOURCE',
]);

/** What the Docker and containerd default set already grants; adding these back widens nothing. */
export const DEFAULT_CAPABILITIES = new Set([
  'CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID', 'SETFCAP', 'SETPCAP',
  'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE',
]);

export const capabilities: Check = {
  code: 'TN107',
  check(model) {
    const out: Finding[] = [];
    const location = locate(model, model.capabilities.sources);
    if (!location) return out;
    for (const cap of model.capabilities.add) {
      if (DANGEROUS_CAPABILITIES.has(cap)) out.push(finding('TN107', `${describe(model)} adds capability ${cap}`, location, model.id));
      else if (!DEFAULT_CAPABILITIES.has(cap)) out.push(finding('TN108', `${describe(model)} adds capability ${cap}`, location, model.id));
    }
    return out;
  },
};

import type { Finding, Location, Severity } from './finding.ts';

export interface FindingCode {
  /** Short kebab-case name, stable like the code. */
  name: string;
  severity: Severity;
  /** Input Tenet could not use: any such finding makes `tenet analyze` exit 2. */
  unusable: boolean;
  title: string;
  /** What it means and what to do, in a sentence or two; rendered into docs/findings.md. */
  help: string;
}

/**
 * Every finding Tenet reports, by stable code. TN0xx are about the input itself,
 * TN1xx about risky intent. Codes are never reused; docs/findings.md is generated from this.
 */
export const FINDING_CODES = {
  TN001: { name: 'file-unreadable', severity: 'high', unusable: true, title: 'File cannot be read',
    help: 'The file could not be opened or read (permissions, a broken link). Nothing in it was analysed.' },
  TN002: { name: 'file-too-large', severity: 'high', unusable: true, title: 'File too large',
    help: 'The file is larger than the limit (`--max-file-size`, 10 MiB by default) and was not analysed; manifests are never this large, so it is likely not one.' },
  TN003: { name: 'binary-file', severity: 'high', unusable: true, title: 'Binary content',
    help: 'The file holds binary data (NUL bytes or invalid UTF-8) where text was expected.' },
  TN004: { name: 'yaml-syntax', severity: 'high', unusable: true, title: 'YAML syntax error',
    help: 'A YAML document could not be parsed. The other documents of the file are still analysed.' },
  TN005: { name: 'json-syntax', severity: 'high', unusable: true, title: 'JSON syntax error',
    help: 'The JSON file could not be parsed.' },
  TN006: { name: 'not-modelled', severity: 'info', unusable: false, title: 'Nothing to model',
    help: 'The file is valid but describes nothing Tenet models (a kustomization, Istio resources, a JSON schema, an unknown format); it is skipped.' },
  TN007: { name: 'invalid-value', severity: 'high', unusable: true, title: 'Invalid value',
    help: 'A field has a value of the wrong type or out of range (a port of 70000, a list where a map belongs). The field is ignored; the rest is analysed.' },
  TN008: { name: 'dockerfile-unknown-instruction', severity: 'high', unusable: true, title: 'Unknown Dockerfile instruction',
    help: 'The Dockerfile has an instruction Docker does not know; `docker build` would fail on it.' },
  TN009: { name: 'dockerfile-syntax', severity: 'high', unusable: true, title: 'Dockerfile error',
    help: 'The Dockerfile cannot be built as written (no FROM, an instruction without arguments, an unknown stage).' },
  TN010: { name: 'duplicate-resource', severity: 'info', unusable: false, title: 'Defined twice',
    help: 'The same object (kind, namespace, name) is defined in more than one place; the first definition is modelled.' },
  TN011: { name: 'unresolved-reference', severity: 'info', unusable: false, title: 'Peer not in the input',
    help: 'A workload refers to a service that is not defined in the analysed input. The egress entry stays in its model, but no edge is drawn.' },
  TN012: { name: 'unresolved-variable', severity: 'low', unusable: false, title: 'Variable without a value',
    help: 'A `${VAR}` has no value and no default in the input; it was replaced by an empty string as Docker and Compose do.' },
  TN013: { name: 'missing-file', severity: 'low', unusable: false, title: 'Referenced file not found',
    help: 'A file the input refers to (an `env_file`, a Dockerfile of a build, an `extends` file) was not found; what it would add is missing from the model.' },
  TN014: { name: 'template', severity: 'info', unusable: false, title: 'Template, not a manifest',
    help: 'The file is a Helm or Go template (`{{ … }}`), not YAML yet. Render it first and analyse the output: `helm template CHART | tenet analyze -`.' },
  TN015: { name: 'image-unreadable', severity: 'high', unusable: true, title: 'Image cannot be read',
    help: 'The image could not be read: the engine or registry did not answer, the archive is truncated or malformed, a layer is missing, or a digest does not match its content. Other inputs are still analysed.' },
  TN016: { name: 'image-suspicious-entry', severity: 'medium', unusable: false, title: 'Suspicious layer entry',
    help: 'A layer holds an entry that a container runtime would refuse or that points outside the image (`../` paths), or a package database too large to read. The entry is skipped; the rest of the image is analysed.' },
  TN017: { name: 'entrypoint-not-found', severity: 'high', unusable: false, title: 'Entrypoint not in the image',
    help: 'The program the image (or a manifest using it) runs is not an executable file of the image, through PATH and links: the container would fail to start, or the program comes from a volume.' },

  TN018: { name: 'code-no-entry', severity: 'high', unusable: true, title: 'No entry point',
    help: 'Tenet found no file the app starts from: no `main`, `bin`, `exports` or `scripts.start` in package.json that names an existing file, no Dockerfile command running node with a script, no index.js. Nothing of the app was analysed.' },
  TN019: { name: 'code-syntax', severity: 'medium', unusable: false, title: 'JavaScript syntax error',
    help: 'A file of the app does not parse. What parsed is still used and the rest of the app is analysed, but a use of a core module in the broken part is not seen: check the file, or run the app under the profile in log mode (`SCMP_ACT_LOG`) first.' },
  TN020: { name: 'code-computed-module', severity: 'info', unusable: false, title: 'Module named at run time',
    help: '`require(x)` or `import(x)` of a name known only at run time. What it can load is read as the app\'s code: the scripts under the path it starts with (`./locale/${lang}.js`), else every package installed where it is. As a core module, it can only be one that has the members the code uses on it (`require(engine).__express`: none); when the code passes it on, the profile is widened to every Node.js API Tenet maps except process creation. A file outside the app it names is not read.' },
  TN021: { name: 'code-missing-module', severity: 'medium', unusable: false, title: 'Module not found',
    help: 'A `require` or `import` resolves to no file: a dependency that is not installed (`npm ci` first), an optional dependency, or a typo. What it would load is not analysed.' },
  TN022: { name: 'code-native-addon', severity: 'medium', unusable: false, title: 'Native addon',
    help: 'The app loads compiled code (a `.node` file or `process.dlopen`) that can ask the kernel for anything. When Tenet can read the addon (an ELF shared object on disk) it is bounded by the functions it imports from the C library, each standing for its syscalls; otherwise, or when it imports a function Tenet does not know, the profile is widened to every Node.js API Tenet maps. Learn the rest from the running app before enforcing.' },
  TN023: { name: 'code-no-syscall-map', severity: 'medium', unusable: false, title: 'No syscall map for this Node.js',
    help: 'Tenet has no measured syscall map for the Node.js version or architecture the app runs on, so it used the nearest one. Regenerate the map on a machine with that version: `npm run syscall-map`.' },
  TN024: { name: 'input-limit', severity: 'high', unusable: true, title: 'Beyond what is read',
    help: 'A document nested deeper than 256 levels, one whose aliases and merge keys expand to more than 1,000,000 values, or documents past the 10,000th of one file: no manifest comes close, so this is not read (a parser would run out of stack or memory on it). The rest of the file and the other files are analysed.' },
  TN025: { name: 'analysis-failed', severity: 'high', unusable: true, title: 'Not analysed (a fault of Tenet)',
    help: 'Tenet failed on this file: a fault of its own, not of the input. The other files are still analysed. Please report it with the file.' },

  TN101: { name: 'privileged', severity: 'critical', unusable: false, title: 'Privileged container',
    help: 'A privileged container has every capability and every device of the host; an escape is one command away. Add the few capabilities it needs instead.' },
  TN102: { name: 'host-network', severity: 'high', unusable: false, title: 'Host network namespace',
    help: 'The container shares the host network stack: it can bind host ports and reach services on loopback. Use container networking unless it is a node agent.' },
  TN103: { name: 'host-pid', severity: 'high', unusable: false, title: 'Host PID namespace',
    help: 'The container sees and can signal every process of the host.' },
  TN104: { name: 'host-ipc', severity: 'high', unusable: false, title: 'Host IPC namespace',
    help: 'The container shares System V IPC and POSIX shared memory with the host.' },
  TN105: { name: 'runs-as-root', severity: 'medium', unusable: false, title: 'Runs as root',
    help: 'The main process runs as uid 0, or may: a Kubernetes container with neither runAsUser nor runAsNonRoot, a Compose service with no `user:` (it runs as its image says, root unless the image sets a user). Set a non-root user (`USER`, `runAsUser`, `user:`) and `runAsNonRoot: true`.' },
  TN106: { name: 'no-user', severity: 'low', unusable: false, title: 'No USER in the Dockerfile',
    help: 'The final stage has no USER instruction, so the image runs as root unless the deployment overrides it.' },
  TN107: { name: 'dangerous-capability', severity: 'high', unusable: false, title: 'Dangerous capability added',
    help: 'A capability that grants near-root power over the host (SYS_ADMIN, SYS_PTRACE, SYS_MODULE, NET_ADMIN, BPF, ALL …) is added.' },
  TN108: { name: 'added-capability', severity: 'low', unusable: false, title: 'Capability added',
    help: 'A capability beyond the runtime default is added. Make sure the workload needs it.' },
  TN109: { name: 'writable-root-filesystem', severity: 'low', unusable: false, title: 'Writable root filesystem',
    help: 'The root filesystem is writable, so an intruder can drop binaries into it. Set `readOnlyRootFilesystem: true` / `read_only: true` and mount the few writable paths.' },
  TN110: { name: 'runtime-socket-mounted', severity: 'critical', unusable: false, title: 'Container runtime socket mounted',
    help: 'The Docker, containerd or CRI-O socket is mounted: whoever controls the container controls the host.' },
  TN111: { name: 'sensitive-host-path', severity: 'high', unusable: false, title: 'Sensitive host path mounted',
    help: 'A sensitive host path (/, /etc, /proc, /sys, /root, /var/lib/kubelet, /dev …) is mounted into the container.' },
  TN112: { name: 'secret-in-env', severity: 'high', unusable: false, title: 'Secret in an environment variable',
    help: 'A literal value that looks like a password, token or key is written in the manifest. Take it from a Secret or a secret store.' },
  TN113: { name: 'latest-tag', severity: 'low', unusable: false, title: 'Image without a fixed version',
    help: 'The image has no tag, or `latest`: what runs changes without the manifest changing. Pin a version or a digest.' },
  TN114: { name: 'add-from-url', severity: 'medium', unusable: false, title: 'ADD from a URL',
    help: '`ADD` fetches a remote file at build time without checking it. Download with a checksum in a RUN, or use `ADD --checksum`.' },
  TN115: { name: 'privilege-escalation', severity: 'medium', unusable: false, title: 'Privilege escalation allowed',
    help: '`allowPrivilegeEscalation: true` lets setuid binaries gain privileges; so does leaving it unset in Kubernetes, whose default allows it. Set it to false.' },
  TN116: { name: 'seccomp-unconfined', severity: 'medium', unusable: false, title: 'Seccomp disabled',
    help: 'The container runs without a seccomp profile, so every system call is allowed: declared `Unconfined`, or a Kubernetes container with no `seccompProfile` (Unconfined unless the kubelet runs with `--seccomp-default`). Use RuntimeDefault or a Tenet-generated profile.' },
  TN117: { name: 'host-port', severity: 'low', unusable: false, title: 'Host port',
    help: 'A container port is bound directly on the node (`hostPort`), bypassing Services and network policy.' },
} as const satisfies Record<string, FindingCode>;

export type FindingCodeId = keyof typeof FINDING_CODES;

/** A finding with the catalog's severity for its code. */
export function finding(code: FindingCodeId, message: string, location: Location, model?: string): Finding {
  return {
    code,
    severity: FINDING_CODES[code].severity,
    message,
    location,
    ...(model !== undefined && { model }),
  };
}

export function isUnusable(f: Finding): boolean {
  return (FINDING_CODES as Record<string, FindingCode>)[f.code]?.unusable ?? false;
}

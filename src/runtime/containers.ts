import { readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseImage } from '../intent/index.ts';
import { engineGet, engineJson } from './engine.ts';

/** A container as the defender knows it: identity, image, where it comes from, and how the kernel names it. */
export interface ContainerInfo {
  id: string;
  name: string;
  /** The image as the container was created from it (`nginx:1.25`, `registry/app@sha256:…`). */
  image: string;
  /** The image id: `sha256:` of its config, the key of its model. */
  imageId: string;
  /** The repository digest, when the image came from a registry. */
  imageDigest?: string;
  labels: Record<string, string>;
  pid: number;
  running: boolean;
  startedAt?: string;
  /** The cgroup v2 id the sensor reports (the inode of the container's cgroup folder). */
  cgroupId?: string;
  /** The container's writable layer on the host (overlay2): a file there was written after the container started. */
  upperDir?: string;
  /** Its ports published on the host. */
  published?: Array<{ hostPort: number; port: number; protocol: 'tcp' | 'udp' | 'sctp' }>;
  /** Its addresses on each network it is on, with the network's gateway (the host, seen from there). */
  networks?: Record<string, { address: string; gateway?: string }>;
  /** The seccomp profile it runs with: `unconfined`, the profile's JSON, or undefined for the runtime's default. */
  seccomp?: string;
  privileged?: boolean;
  namespace?: string;
  pod?: string;
  /** The Kubernetes workload its pod belongs to (a Deployment's name, a StatefulSet's…): its node in the application's graph. */
  workload?: string;
  app?: string;
  service?: string;
}

/** The fields of `GET /containers/{id}/json` that Tenet reads. */
export interface EngineContainer {
  Id: string;
  Name?: string;
  Image: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: { Pid?: number; Running?: boolean; StartedAt?: string };
  GraphDriver?: { Name?: string; Data?: Record<string, string> | null };
  HostConfig?: { SecurityOpt?: string[] | null; Privileged?: boolean };
  NetworkSettings?: {
    Networks?: Record<string, { IPAddress?: string; Gateway?: string; GlobalIPv6Address?: string }> | null;
    Ports?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
  };
}

/** What an inspected container is, from its labels: Kubernetes pod and namespace, or compose project and service. */
export function containerInfo(c: EngineContainer, repoDigests: readonly string[] = []): ContainerInfo {
  const labels = c.Config?.Labels ?? {};
  const image = c.Config?.Image ?? c.Image;
  const { repository, digest: pinned } = parseImage(image);
  const digest = pinned ?? repoDigests.map(parseImage).find((d) => d.repository === repository)?.digest;
  const namespace = labels['io.kubernetes.pod.namespace'];
  const project = labels['com.docker.compose.project'];
  const networks = Object.fromEntries(Object.entries(c.NetworkSettings?.Networks ?? {})
    .filter(([, n]) => n.IPAddress !== undefined && n.IPAddress !== '')
    .map(([name, n]) => [name, { address: n.IPAddress!, ...(n.Gateway !== undefined && n.Gateway !== '' && { gateway: n.Gateway }) }]));
  const published = Object.entries(c.NetworkSettings?.Ports ?? {}).flatMap(([key, bindings]) => {
    const [port, protocol = 'tcp'] = key.split('/');
    return (bindings ?? []).filter((b) => b.HostPort !== undefined && b.HostPort !== '')
      .map((b) => ({ hostPort: Number(b.HostPort), port: Number(port), protocol: protocol as 'tcp' | 'udp' | 'sctp' }));
  }).filter((p, i, all) => all.findIndex((q) => q.hostPort === p.hostPort && q.protocol === p.protocol) === i);
  const seccomp = c.HostConfig?.SecurityOpt?.find((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'))?.slice('seccomp='.length);
  return {
    id: c.Id,
    name: (c.Name ?? c.Id.slice(0, 12)).replace(/^\//, ''),
    image,
    imageId: c.Image,
    ...(digest !== undefined && { imageDigest: digest }),
    labels,
    pid: c.State?.Pid ?? 0,
    running: c.State?.Running === true,
    ...(c.State?.StartedAt !== undefined && { startedAt: c.State.StartedAt }),
    ...(Object.keys(networks).length > 0 && { networks }),
    ...(published.length > 0 && { published }),
    ...(seccomp !== undefined && { seccomp }),
    ...(c.HostConfig?.Privileged === true && { privileged: true }),
    ...(c.GraphDriver?.Name === 'overlay2' && c.GraphDriver.Data?.UpperDir !== undefined && { upperDir: c.GraphDriver.Data.UpperDir }),
    ...(namespace !== undefined && { namespace, app: namespace }),
    ...(labels['io.kubernetes.pod.name'] !== undefined && { pod: labels['io.kubernetes.pod.name'] }),
    ...(labels['io.kubernetes.container.name'] !== undefined && { service: labels['io.kubernetes.container.name'] }),
    ...(project !== undefined && { app: project, service: labels['com.docker.compose.service'] ?? project }),
  };
}

/**
 * The workload a container is, in its application's graph: `project/service`
 * for compose, `namespace/service` for Kubernetes, and for a plain container
 * `network/name` on its first user-defined network (else the default bridge).
 */
export function workloadOf(info: ContainerInfo): { app: string; node: string } {
  if (info.app !== undefined) return { app: info.app, node: `${info.app}/${info.workload ?? info.service ?? info.pod ?? info.name}` };
  const network = Object.keys(info.networks ?? {}).sort().find((n) => n !== 'bridge' && n !== 'host' && n !== 'none') ?? 'bridge';
  return { app: network, node: `${network}/${info.name}` };
}

/** Where the cgroup v2 hierarchy is mounted (`/sys/fs/cgroup` on unified hosts, `/sys/fs/cgroup/unified` on hybrid ones). */
export function cgroup2Mount(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string | undefined {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (after?.startsWith('cgroup2 ')) return before!.split(' ')[4];
  }
  return undefined;
}

/**
 * A process's cgroup in the v2 hierarchy, from its `/proc/PID/cgroup`: the
 * `0::` line, on unified and hybrid hosts alike, whatever the kubelet's
 * driver named it (`/kubepods/besteffort/podUID/ID` with cgroupfs,
 * `/kubepods.slice/…/cri-containerd-ID.scope` or `crio-ID.scope` with
 * systemd, `/system.slice/docker-ID.scope` for Docker). Undefined on a host
 * with cgroup v1 only, where the sensor cannot tell containers apart.
 */
export function cgroupPathOf(procCgroup: string): string | undefined {
  const line = procCgroup.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? undefined : line.slice(3);
}

/** A pod's QoS class from its cgroup path (Guaranteed pods sit right under kubepods); undefined out of a pod. */
export function qosClassOf(path: string): 'Guaranteed' | 'Burstable' | 'BestEffort' | undefined {
  if (!/\/kubepods[./]/.test(`${path}/`)) return undefined;
  if (/kubepods[-/.]burstable/.test(path)) return 'Burstable';
  if (/kubepods[-/.]besteffort/.test(path)) return 'BestEffort';
  return 'Guaranteed';
}

/** The cgroup v2 id of a process: the inode of its cgroup folder, which is what bpftrace's `cgroup` reports. */
export function cgroupIdOf(pid: number, mount = cgroup2Mount()): string | undefined {
  if (mount === undefined || pid <= 0) return undefined;
  try {
    const path = cgroupPathOf(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    if (path === undefined) return undefined;
    return String(statSync(`${mount}${path}`, { bigint: true }).ino);
  } catch {
    return undefined; // the process is gone
  }
}

/** A container, inspected, with its cgroup id and repository digest. */
export async function inspectContainer(id: string, socketPath?: string): Promise<ContainerInfo> {
  const c = await engineJson<EngineContainer>(`/containers/${encodeURIComponent(id)}/json`, socketPath);
  const image = await engineJson<{ RepoDigests?: string[] | null }>(`/images/${encodeURIComponent(c.Image)}/json`, socketPath).catch(() => ({ RepoDigests: [] }));
  const info = containerInfo(c, image.RepoDigests ?? []);
  const cgroupId = info.running ? cgroupIdOf(info.pid) : undefined;
  return cgroupId === undefined ? info : { ...info, cgroupId };
}

/** Every running container. */
export async function runningContainers(socketPath?: string): Promise<ContainerInfo[]> {
  const list = await engineJson<Array<{ Id: string }>>('/containers/json', socketPath);
  const found = await Promise.allSettled(list.map((c) => inspectContainer(c.Id, socketPath)));
  return found.flatMap((r) => (r.status === 'fulfilled' && r.value.running ? [r.value] : []));
}

export type ContainerAction = 'start' | 'die' | 'destroy';

/**
 * Follows the engine's event stream for container start, die and destroy.
 * Resolves once the stream is open; `close()` ends it. A stream that breaks
 * calls `onEnd` with the reason, so the caller can resynchronise.
 */
export async function watchContainers(
  onEvent: (action: ContainerAction, id: string) => void,
  onEnd: (reason: string) => void,
  socketPath?: string,
): Promise<{ close(): void }> {
  const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start', 'die', 'destroy'] }));
  const res = await engineGet(`/events?filters=${filters}`, socketPath);
  let closed = false;
  createInterface({ input: res }).on('line', (line) => {
    try {
      const event = JSON.parse(line) as { Action?: string; Actor?: { ID?: string }; id?: string };
      const id = event.Actor?.ID ?? event.id;
      if ((event.Action === 'start' || event.Action === 'die' || event.Action === 'destroy') && id !== undefined) onEvent(event.Action, id);
    } catch {
      // a line that is not an event: the stream goes on
    }
  });
  res.on('close', () => {
    if (!closed) onEnd('the Docker engine closed its event stream');
  });
  res.on('error', (e) => onEnd(e.message));
  return {
    close() {
      closed = true;
      res.destroy();
    },
  };
}

/** A socket a process listens on, as /proc/PID/net/{tcp,tcp6,udp,udp6} lists it. */
export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

/** `0100007F` → `127.0.0.1`; 32 hex digits → the IPv6 address (each 32-bit word in host order, little-endian here). */
function procAddress(hex: string): string {
  const bytes = (word: string) => [6, 4, 2, 0].map((i) => parseInt(word.slice(i, i + 2), 16));
  if (hex.length === 8) return bytes(hex).join('.');
  const all = [0, 8, 16, 24].flatMap((i) => bytes(hex.slice(i, i + 8)));
  const groups = Array.from({ length: 8 }, (_, i) => ((all[2 * i]! << 8) | all[2 * i + 1]!).toString(16));
  // the URL parser writes an IPv6 address in its canonical, compressed form
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/**
 * The listening sockets in one /proc/net table: TCP in LISTEN (0A), UDP
 * sockets bound to a port and connected to nothing (07).
 */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const [local, remote, state] = [fields[1]!, fields[2]!, fields[3]!];
    const [address, port] = local.split(':') as [string, string];
    const listening = protocol === 'tcp' ? state === '0A' : state === '07' && /^0+:0000$/.test(remote);
    if (!listening || parseInt(port, 16) === 0) continue;
    out.push({ protocol, address: procAddress(address), port: parseInt(port, 16) });
  }
  return out;
}

/** What a running process's network namespace listens on (the container's, for a container's process). */
export function listeningSockets(pid: number): ListeningSocket[] {
  const tables = [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const;
  return tables.flatMap(([file, protocol]) => {
    try {
      return parseProcNet(readFileSync(`/proc/${pid}/net/${file}`, 'utf8'), protocol);
    } catch {
      return [];
    }
  });
}

/** The processes of a container now, from its cgroup (the main one first). */
export function containerPids(mainPid: number, mount = cgroup2Mount()): number[] {
  if (mount === undefined || mainPid <= 0) return [];
  try {
    const line = readFileSync(`/proc/${mainPid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (line === undefined) return [mainPid];
    const pids = readFileSync(`${mount}${line.slice(3)}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    return [mainPid, ...pids.filter((p) => p !== mainPid)];
  } catch {
    return [mainPid];
  }
}

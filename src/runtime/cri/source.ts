import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { cgroupIdOf, type ContainerInfo } from '../containers.ts';
import { podWorkload } from '../pods.ts';
import { underRoot, type ContainerChange, type ContainerSource, type ImageContents } from '../source.ts';
import { CriClient } from './client.ts';
import { EventStreams } from './events.ts';

/** Where CRI-O keeps its images unless configured otherwise. */
const DEFAULT_STORAGE = '/var/lib/containers/storage';

/** An image id as `sha256:HEX` (CRI-O gives the bare hex). */
const withAlgorithm = (id: string) => (/^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id);

/** After an event, the runtime is listed every BURST_POLL_MS for BURST_MS: its status may lag the event a little. */
const BURST_MS = 1_000;
const BURST_POLL_MS = 100;

/** What Tenet reads of a container's status (`ContainerStatusResponse`, verbose). */
interface Status {
  status: {
    id: string; state: string; startedAt: string; metadata: { name: string }; image: { image: string; userSpecifiedImage?: string }; imageRef: string; imageId?: string;
    labels: Record<string, string>; annotations: Record<string, string>;
  };
  info: Record<string, string>;
}

/** What Tenet reads of a pod sandbox's status. */
interface Sandbox {
  status: { id: string; metadata: { name: string; namespace: string; uid: string }; network: { ip: string } | null; labels: Record<string, string>; annotations: Record<string, string> };
}

/** A container of a runtime's listing. */
interface Listed {
  id: string;
  podSandboxId: string;
  state: string;
}

/** The image id (the config's digest, as Docker's) and repository digests of an image reference. */
interface ImageId {
  id: string;
  repoDigests: string[];
}

/** Nanoseconds since the epoch (protobuf's int64, as text) as an ISO time; undefined for 0. */
function isoOfNanoseconds(ns: string): string | undefined {
  const ms = Number(BigInt(ns) / 1_000_000n);
  return ms > 0 ? new Date(ms).toISOString() : undefined;
}

/** The writable layer of a container's root filesystem, from the overlay mount its process sees as `/`. */
export function upperDirOf(pid: number): string | undefined {
  try {
    for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
      const [before, after] = line.split(' - ');
      if (before?.split(' ')[4] !== '/' || !after?.startsWith('overlay ')) continue;
      return /(?:^|,)upperdir=([^,]+)/.exec(after.split(' ')[2] ?? '')?.[1];
    }
  } catch {
    // the process is gone
  }
  return undefined;
}

/**
 * Containers of a Kubernetes node's runtime through CRI: containerd, CRI-O
 * (or cri-dockerd). Each container with its pod (namespace, name, labels,
 * address), its image by the runtime's image id, its pid (from the verbose
 * status) and its cgroup. Changes are found by listing, at once when the
 * runtime's event stream says something happened (see EventStreams), else
 * on an interval.
 */
export class CriSource implements ContainerSource {
  readonly name: string;
  private readonly client: CriClient;
  private readonly images: (imageId: string, reference: string) => Promise<ImageContents>;
  private readonly pollMs: number;
  private readonly slowPollMs: number;
  private readonly events: boolean;
  private streams: EventStreams | undefined;
  private readonly imageIds = new Map<string, Promise<ImageId>>();
  private content: Promise<string | undefined> | undefined;
  private storage: Promise<{ root: string; driver: string }> | undefined;
  private readonly root: string;

  /**
   * `options.root`: where this process finds the runtime's files (its content
   * store, its containers' writable layers), as RuntimeSpec.root says;
   * `events: false` follows by listing alone.
   */
  constructor(socket: string, images: (imageId: string, reference: string) => Promise<ImageContents>, options: { pollMs?: number; slowPollMs?: number; events?: boolean; root?: string } = {}) {
    this.name = `cri:${socket}`;
    this.client = new CriClient(socket);
    this.images = images;
    this.pollMs = options.pollMs ?? 250;
    this.slowPollMs = options.slowPollMs ?? 2_000;
    this.events = options.events ?? true;
    this.root = options.root ?? '';
  }

  /** The runtime's name and version (`containerd 1.6.20`). */
  async version(): Promise<string> {
    const v = await this.client.runtime<{ runtimeName: string; runtimeVersion: string }>('Version', 'VersionRequest', 'VersionResponse', { version: 'v1' });
    return `${v.runtimeName} ${v.runtimeVersion}`;
  }

  private async list(): Promise<Listed[]> {
    return (await this.client.runtime<{ containers: Listed[] }>('ListContainers', 'ListContainersRequest', 'ListContainersResponse', {})).containers;
  }

  async running(): Promise<ContainerInfo[]> {
    const listed = (await this.list()).filter((c) => c.state === 'CONTAINER_RUNNING');
    const found = await Promise.allSettled(listed.map((c) => this.inspect(c.id)));
    return found.flatMap((r) => (r.status === 'fulfilled' && r.value !== undefined ? [r.value] : []));
  }

  async inspect(id: string): Promise<ContainerInfo | undefined> {
    const status = await this.client.runtime<Status>('ContainerStatus', 'ContainerStatusRequest', 'ContainerStatusResponse', { containerId: id, verbose: true }).catch(() => undefined);
    if (status === undefined || status.status.state !== 'CONTAINER_RUNNING') return undefined;
    const verbose = JSON.parse(status.info.info ?? '{}') as { pid?: number; sandboxID?: string };
    const sandbox = verbose.sandboxID === undefined ? undefined
      : await this.client.runtime<Sandbox>('PodSandboxStatus', 'PodSandboxStatusRequest', 'PodSandboxStatusResponse', { podSandboxId: verbose.sandboxID }).catch(() => undefined);
    const reference = status.status.image.userSpecifiedImage || status.status.image.image;
    const image = await this.imageId(reference, status.status.imageRef);
    return underRoot(criContainerInfo(status, sandbox, image, verbose.pid ?? 0), this.root);
  }

  /**
   * The runtime's image id of a container's image, asked once per image: the
   * key is the runtime's own reference to it (its id or repository digest),
   * so a tag moved to a new image is asked again.
   */
  private imageId(reference: string, imageRef: string): Promise<ImageId> {
    const key = imageRef || reference;
    let found = this.imageIds.get(key);
    if (found === undefined) {
      found = this.client.call<{ image: { id: string; repoDigests: string[] } | null }>('ImageService', 'ImageStatus', 'ImageStatusRequest', 'ImageStatusResponse', { image: { image: reference } })
        // CRI-O names an image by its config's digest without the algorithm; Tenet, as Docker and containerd, with it
        .then((r) => ({ id: withAlgorithm(r.image?.id || imageRef), repoDigests: r.image?.repoDigests ?? [] }));
      found.catch(() => this.imageIds.delete(key));
      this.imageIds.set(key, found);
    }
    return found;
  }

  /**
   * Changes, by listing: at once when the runtime's event stream says
   * something happened (then a few times more, for a status that lags the
   * event), else every `slowPollMs` while a stream is open, every `pollMs`
   * without one. The first stream the runtime serves is used.
   */
  async follow(onChange: (change: ContainerChange) => void, onEnd: (reason: string) => void): Promise<{ close(): void }> {
    let known = new Map((await this.list()).map((c) => [c.id, c.state]));
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let polling = false;
    let again = false;
    let burstUntil = 0;
    const events = this.streams = !this.events ? undefined : new EventStreams(this.client, () => {
      burstUntil = Date.now() + BURST_MS;
      run();
    });
    const delay = () => (Date.now() < burstUntil ? BURST_POLL_MS : events?.open !== undefined ? this.slowPollMs : this.pollMs);
    const run = () => {
      clearTimeout(timer);
      if (closed) return;
      if (polling) {
        again = true;
        return;
      }
      polling = true;
      poll().then(() => {
        polling = false;
        if (closed) return;
        if (again) {
          again = false;
          run();
        } else {
          timer = setTimeout(run, delay());
        }
      }, (e: Error) => {
        polling = false;
        if (closed) return;
        // the end: once
        closed = true;
        events?.close();
        onEnd(e.message);
      });
    };
    const poll = async () => {
      const now = new Map((await this.list()).map((c) => [c.id, c.state]));
      for (const [id, state] of now) {
        const before = known.get(id);
        if (state === 'CONTAINER_RUNNING' && before !== 'CONTAINER_RUNNING') {
          const container = await this.inspect(id).catch(() => undefined);
          // one that could not be inspected yet is tried again at the next listing
          if (container !== undefined) onChange({ action: 'start', container });
          else now.set(id, 'NOT_INSPECTED');
        } else if (state !== 'CONTAINER_RUNNING' && before === 'CONTAINER_RUNNING') {
          onChange({ action: 'die', id });
        }
      }
      for (const [id, state] of known) {
        if (now.has(id)) continue;
        if (state === 'CONTAINER_RUNNING') onChange({ action: 'die', id });
        onChange({ action: 'destroy', id });
      }
      known = now;
    };
    timer = setTimeout(run, this.pollMs);
    return {
      close: () => {
        closed = true;
        clearTimeout(timer);
        events?.close();
      },
    };
  }

  /** The event stream in use (`GetContainerEvents`, `containerd events`), once it has held; undefined while changes are found by listing alone. */
  get stream(): string | undefined {
    return this.streams?.open;
  }

  readImage(imageId: string, reference: string): Promise<ImageContents> {
    return this.images(imageId, reference);
  }

  /**
   * Where the runtime keeps image blobs by digest: containerd's content store
   * (its root, from the runtime's own status). Undefined for a runtime that
   * keeps images otherwise (CRI-O's containers/storage).
   */
  contentStore(): Promise<string | undefined> {
    this.content ??= this.client.runtime<{ info: Record<string, string> }>('Status', 'StatusRequest', 'StatusResponse', { verbose: true }).then((r) => {
      const root = (JSON.parse(r.info.config ?? '{}') as { containerdRootDir?: string }).containerdRootDir;
      return root === undefined ? undefined : `${this.root}${join(root, 'io.containerd.content.v1.content')}`;
    });
    return this.content;
  }

  /**
   * Where CRI-O keeps images: containers/storage's root and driver, as its
   * info says (`GET /info` on its socket), else where it keeps them by
   * default.
   */
  containersStorage(): Promise<{ root: string; driver: string }> {
    this.storage ??= new Promise<{ storage_root?: string; storage_driver?: string }>((resolve) => {
      const req = httpGet({ socketPath: this.client.socket, path: '/info', timeout: 5_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as { storage_root?: string; storage_driver?: string } : {});
          } catch {
            resolve({});
          }
        });
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve({}));
    }).then((info) => ({ root: `${this.root}${info.storage_root || DEFAULT_STORAGE}`, driver: info.storage_driver || 'overlay' }));
    return this.storage;
  }

  async stop(id: string, graceSec: number): Promise<void> {
    await this.client.runtime('StopContainer', 'StopContainerRequest', 'StopContainerResponse', { containerId: id, timeout: graceSec });
  }

  close(): void {
    this.client.close();
  }
}

/** A CRI container as Tenet's ContainerInfo: its pod's namespace, name, labels and address beside its own. */
export function criContainerInfo(s: Status, sandbox: Sandbox | undefined, image: ImageId, pid: number): ContainerInfo {
  const labels = { ...sandbox?.status.labels, ...s.status.labels };
  const namespace = labels['io.kubernetes.pod.namespace'] ?? sandbox?.status.metadata.namespace;
  const pod = labels['io.kubernetes.pod.name'] ?? sandbox?.status.metadata.name;
  const container = labels['io.kubernetes.container.name'] ?? s.status.metadata.name;
  const reference = s.status.image.userSpecifiedImage || s.status.image.image;
  const digest = image.repoDigests.map((d) => d.split('@')[1]).find((d) => d !== undefined);
  const address = sandbox?.status.network?.ip;
  const startedAt = isoOfNanoseconds(s.status.startedAt);
  const cgroupId = pid > 0 ? cgroupIdOf(pid) : undefined;
  const upperDir = pid > 0 ? upperDirOf(pid) : undefined;
  return {
    id: s.status.id,
    name: pod !== undefined ? `${pod}/${container}` : container,
    image: reference,
    imageId: image.id,
    ...(digest !== undefined && { imageDigest: digest }),
    labels,
    pid,
    running: s.status.state === 'CONTAINER_RUNNING',
    ...(startedAt !== undefined && { startedAt }),
    ...(cgroupId !== undefined && { cgroupId }),
    ...(upperDir !== undefined && { upperDir }),
    ...(address !== undefined && address !== '' && { networks: { pod: { address } } }),
    ...(namespace !== undefined && { namespace, app: namespace }),
    ...(pod !== undefined && { pod, workload: podWorkload(pod, labels).name }),
    service: container,
  };
}

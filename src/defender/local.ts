import { Blocker, ExecGuard, FileGuard, NetworkGuard, SeccompCheck } from '../enforce/index.ts';
import { CriSource, DockerSource, hostRoot, procHost, Runtimes, type ContainerSource, type RuntimeSpec } from '../runtime/index.ts';
import { ContainersStorage, ContentStore } from '../image/index.ts';
import { BpftraceSource, IngestSource } from '../sensor/index.ts';
import type { DefenderStore } from '../store/index.ts';
import { Defender, type DefenderOptions } from './defender.ts';
import { DnsResolver } from './peer-names.ts';
import { containersStorageImage, contentStoreImage, engineImage } from './images.ts';
import type { Recorder } from './recording.ts';

export interface LocalDefenderOptions extends Omit<DefenderOptions, 'containers' | 'sensors' | 'streams' | 'enforcers' | 'host' | 'store'> {
  store: DefenderStore;
  /** Run the bpftrace sensor and the guards (needs root); without them the defender only tracks containers and other tools' events. */
  sensor: boolean;
  /** Other tools' output to read as events: `{ format: 'falco', path: '/var/log/falco.json' }` (`-` for standard input). */
  ingest: ReadonlyArray<{ format: string; path: string }>;
  /** The runtimes whose containers are followed (default: the Docker engine at DOCKER_HOST, else /var/run/docker.sock). */
  runtimes?: readonly RuntimeSpec[];
  /** Writes everything the defender is given to a recording (`tenet dryrun --replay` plays it). */
  recorder?: Recorder;
  /** Resolve the names containers ask again, through their own DNS servers, to know their peers by name (default true). */
  peerNames?: boolean;
}

/** The defender of this host: the local Docker engine, Tenet's sensors and guards (as root), /proc. */
export function localDefender(options: LocalDefenderOptions): Defender {
  const log = (line: string) => options.onLog?.(line);
  const runtimes = (options.runtimes ?? [{ kind: 'docker' }]).map((r) => runtimeSource(r));
  const runtime = runtimes.length === 1 ? runtimes[0]! : new Runtimes(runtimes, log);
  const { recorder } = options;
  const containers = recorder?.containers(runtime) ?? runtime;
  const sensors = options.sensor ? [new BpftraceSource({ onDiagnostic: log })] : [];
  const streams = options.ingest.length > 0 ? [new IngestSource(options.ingest)] : [];
  // the guard's kills come back as records, to the defender made below (the guard runs only once it started)
  const guards = options.sensor
    ? { exec: new ExecGuard((record) => defender.sink.record(record), log), network: new NetworkGuard(log), files: new FileGuard(log) }
    : {};
  const defender: Defender = new Defender({
    ...options,
    store: recorder?.store(options.store) ?? options.store,
    containers,
    sensors: recorder === undefined ? sensors : sensors.map((s) => recorder.sensor(s)),
    streams: recorder === undefined ? streams : streams.map((s) => recorder.sensor(s)),
    enforcers: { ...guards, seccomp: new SeccompCheck(), block: new Blocker(runtime, log) },
    host: recorder?.host(procHost()) ?? procHost(),
    ...(options.peerNames !== false && { resolver: recorder?.resolver(new DnsResolver()) ?? new DnsResolver() }),
  });
  return defender;
}

/**
 * The container source of a runtime: the Docker engine's API, or CRI with
 * images read from containerd's content store; the runtime's files are found
 * under its root (the host's, when the spec does not say).
 */
export function runtimeSource(spec: RuntimeSpec): ContainerSource {
  const root = spec.root ?? hostRoot();
  if (spec.kind === 'docker') return new DockerSource(engineImage, spec.socket, root);
  let content: ContentStore | undefined;
  let storage: ContainersStorage | undefined;
  // containerd's content store when its status names one, else CRI-O's containers/storage
  const cri: CriSource = new CriSource(spec.socket, async (imageId, reference) => {
    const dir = await cri.contentStore();
    if (dir !== undefined) return contentStoreImage(content ??= new ContentStore(dir), imageId, reference);
    const { root: at, driver } = await cri.containersStorage();
    return containersStorageImage(storage ??= new ContainersStorage(at, driver), imageId, reference);
  }, { root });
  return cri;
}

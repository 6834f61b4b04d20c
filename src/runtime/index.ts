export { engineGet, engineJson, engineSocket, EngineError, inspectImage, saveImage, stopContainer, type EngineImage } from './engine.ts';
export {
  cgroup2Mount, cgroupIdOf, cgroupPathOf, containerInfo, qosClassOf, containerPids, inspectContainer, listeningSockets, parseProcNet, runningContainers, watchContainers, workloadOf,
  type ContainerAction, type ContainerInfo, type EngineContainer, type ListeningSocket,
} from './containers.ts';
export { ManualClock, systemClock, type Clock, type Timer } from './clock.ts';
export { hostRoot, parseResolvConf, procHost, type Host, type ProcessFacts, type ResolverConf } from './host.ts';
export { DockerSource, MemoryContainers, type ContainerChange, type ContainerSource, type ImageContents } from './source.ts';
export { podWorkload, type PodWorkload } from './pods.ts';
export { CriClient, CriError } from './cri/client.ts';
export { CriSource, criContainerInfo, upperDirOf } from './cri/source.ts';
export { Runtimes } from './runtimes.ts';
export { CRI_SOCKETS, detectRuntimes, locateRuntimes, parseRuntime, runtimeProcesses, type RuntimeProcess, type RuntimeSpec } from './detect.ts';

export { engineGet, engineJson, engineSocket, EngineError, inspectImage, saveImage, stopContainer, type EngineImage } from './engine.ts';
export {
  cgroup2Mount, cgroupIdOf, containerInfo, containerPids, inspectContainer, listeningSockets, parseProcNet, runningContainers, watchContainers, workloadOf,
  type ContainerAction, type ContainerInfo, type EngineContainer, type ListeningSocket,
} from './containers.ts';

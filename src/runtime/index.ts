export { engineGet, engineJson, engineSocket, EngineError, inspectImage, saveImage, type EngineImage } from './engine.ts';
export { cgroup2Mount, cgroupIdOf, containerInfo, inspectContainer, runningContainers, watchContainers, type ContainerAction, type ContainerInfo, type EngineContainer } from './containers.ts';

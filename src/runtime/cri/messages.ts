// The Container Runtime Interface (k8s.io/cri-api, package runtime.v1): the
// messages Tenet sends and reads, written from the published api.proto's
// field numbers — only the fields Tenet (and its tests' kubelet) uses;
// protobuf skips the others.
import protobuf from 'protobufjs/light.js';

const str = (id: number) => ({ type: 'string', id });
const map = (id: number) => ({ keyType: 'string', type: 'string', id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const MESSAGES = {
  PodSandboxState: { values: { SANDBOX_READY: 0, SANDBOX_NOTREADY: 1 } },
  ContainerState: { values: { CONTAINER_CREATED: 0, CONTAINER_RUNNING: 1, CONTAINER_EXITED: 2, CONTAINER_UNKNOWN: 3 } },
  NamespaceMode: { values: { POD: 0, CONTAINER: 1, NODE: 2, TARGET: 3 } },
  Protocol: { values: { TCP: 0, UDP: 1, SCTP: 2 } },
  ProfileType: { values: { RuntimeDefault: 0, Unconfined: 1, Localhost: 2 } },

  VersionRequest: { fields: { version: str(1) } },
  VersionResponse: { fields: { version: str(1), runtimeName: str(2), runtimeVersion: str(3), runtimeApiVersion: str(4) } },

  Int64Value: { fields: { value: { type: 'int64', id: 1 } } },
  NamespaceOption: { fields: { network: { type: 'NamespaceMode', id: 1 }, pid: { type: 'NamespaceMode', id: 2 }, ipc: { type: 'NamespaceMode', id: 3 }, targetId: str(4) } },
  Capability: { fields: { addCapabilities: repeated('string', 1), dropCapabilities: repeated('string', 2) } },
  PodSandboxMetadata: { fields: { name: str(1), uid: str(2), namespace: str(3), attempt: { type: 'uint32', id: 4 } } },
  DNSConfig: { fields: { servers: repeated('string', 1), searches: repeated('string', 2), options: repeated('string', 3) } },
  PortMapping: { fields: { protocol: { type: 'Protocol', id: 1 }, containerPort: { type: 'int32', id: 2 }, hostPort: { type: 'int32', id: 3 }, hostIp: str(4) } },
  LinuxSandboxSecurityContext: { fields: { namespaceOptions: { type: 'NamespaceOption', id: 1 }, runAsUser: { type: 'Int64Value', id: 3 }, readonlyRootfs: { type: 'bool', id: 4 }, privileged: { type: 'bool', id: 6 } } },
  LinuxPodSandboxConfig: { fields: { cgroupParent: str(1), securityContext: { type: 'LinuxSandboxSecurityContext', id: 2 } } },
  PodSandboxConfig: {
    fields: {
      metadata: { type: 'PodSandboxMetadata', id: 1 }, hostname: str(2), logDirectory: str(3), dnsConfig: { type: 'DNSConfig', id: 4 },
      portMappings: repeated('PortMapping', 5), labels: map(6), annotations: map(7), linux: { type: 'LinuxPodSandboxConfig', id: 8 },
    },
  },
  RunPodSandboxRequest: { fields: { config: { type: 'PodSandboxConfig', id: 1 }, runtimeHandler: str(2) } },
  RunPodSandboxResponse: { fields: { podSandboxId: str(1) } },
  StopPodSandboxRequest: { fields: { podSandboxId: str(1) } },
  StopPodSandboxResponse: { fields: {} },
  RemovePodSandboxRequest: { fields: { podSandboxId: str(1) } },
  RemovePodSandboxResponse: { fields: {} },

  PodSandboxNetworkStatus: { fields: { ip: str(1) } },
  Namespace: { fields: { options: { type: 'NamespaceOption', id: 2 } } },
  LinuxPodSandboxStatus: { fields: { namespaces: { type: 'Namespace', id: 1 } } },
  PodSandboxStatus: {
    fields: {
      id: str(1), metadata: { type: 'PodSandboxMetadata', id: 2 }, state: { type: 'PodSandboxState', id: 3 }, createdAt: { type: 'int64', id: 4 },
      network: { type: 'PodSandboxNetworkStatus', id: 5 }, linux: { type: 'LinuxPodSandboxStatus', id: 6 }, labels: map(7), annotations: map(8), runtimeHandler: str(9),
    },
  },
  PodSandboxStatusRequest: { fields: { podSandboxId: str(1), verbose: { type: 'bool', id: 2 } } },
  PodSandboxStatusResponse: { fields: { status: { type: 'PodSandboxStatus', id: 1 }, info: map(2) } },
  PodSandboxStateValue: { fields: { state: { type: 'PodSandboxState', id: 1 } } },
  PodSandboxFilter: { fields: { id: str(1), state: { type: 'PodSandboxStateValue', id: 2 }, labelSelector: map(3) } },
  ListPodSandboxRequest: { fields: { filter: { type: 'PodSandboxFilter', id: 1 } } },
  PodSandbox: {
    fields: {
      id: str(1), metadata: { type: 'PodSandboxMetadata', id: 2 }, state: { type: 'PodSandboxState', id: 3 }, createdAt: { type: 'int64', id: 4 },
      labels: map(5), annotations: map(6), runtimeHandler: str(7),
    },
  },
  ListPodSandboxResponse: { fields: { items: repeated('PodSandbox', 1) } },

  ContainerMetadata: { fields: { name: str(1), attempt: { type: 'uint32', id: 2 } } },
  ImageSpec: { fields: { image: str(1), annotations: map(2), userSpecifiedImage: str(18) } },
  KeyValue: { fields: { key: str(1), value: str(2) } },
  Mount: { fields: { containerPath: str(1), hostPath: str(2), readonly: { type: 'bool', id: 3 } } },
  LinuxContainerSecurityContext: {
    fields: {
      capabilities: { type: 'Capability', id: 1 }, privileged: { type: 'bool', id: 2 }, namespaceOptions: { type: 'NamespaceOption', id: 3 },
      runAsUser: { type: 'Int64Value', id: 5 }, readonlyRootfs: { type: 'bool', id: 7 }, noNewPrivs: { type: 'bool', id: 11 },
      seccomp: { type: 'SecurityProfile', id: 15 }, apparmor: { type: 'SecurityProfile', id: 16 },
    },
  },
  SecurityProfile: { fields: { profileType: { type: 'ProfileType', id: 1 }, localhostRef: str(2) } },
  LinuxContainerResources: { fields: { cpuPeriod: { type: 'int64', id: 1 }, cpuQuota: { type: 'int64', id: 2 }, cpuShares: { type: 'int64', id: 3 }, memoryLimitInBytes: { type: 'int64', id: 4 } } },
  LinuxContainerConfig: { fields: { resources: { type: 'LinuxContainerResources', id: 1 }, securityContext: { type: 'LinuxContainerSecurityContext', id: 2 } } },
  ContainerConfig: {
    fields: {
      metadata: { type: 'ContainerMetadata', id: 1 }, image: { type: 'ImageSpec', id: 2 }, command: repeated('string', 3), args: repeated('string', 4),
      workingDir: str(5), envs: repeated('KeyValue', 6), mounts: repeated('Mount', 7), labels: map(9), annotations: map(10), logPath: str(11),
      linux: { type: 'LinuxContainerConfig', id: 15 },
    },
  },
  CreateContainerRequest: { fields: { podSandboxId: str(1), config: { type: 'ContainerConfig', id: 2 }, sandboxConfig: { type: 'PodSandboxConfig', id: 3 } } },
  CreateContainerResponse: { fields: { containerId: str(1) } },
  StartContainerRequest: { fields: { containerId: str(1) } },
  StartContainerResponse: { fields: {} },
  StopContainerRequest: { fields: { containerId: str(1), timeout: { type: 'int64', id: 2 } } },
  StopContainerResponse: { fields: {} },
  RemoveContainerRequest: { fields: { containerId: str(1) } },
  RemoveContainerResponse: { fields: {} },

  ContainerStateValue: { fields: { state: { type: 'ContainerState', id: 1 } } },
  ContainerFilter: { fields: { id: str(1), state: { type: 'ContainerStateValue', id: 2 }, podSandboxId: str(3), labelSelector: map(4) } },
  ListContainersRequest: { fields: { filter: { type: 'ContainerFilter', id: 1 } } },
  Container: {
    fields: {
      id: str(1), podSandboxId: str(2), metadata: { type: 'ContainerMetadata', id: 3 }, image: { type: 'ImageSpec', id: 4 }, imageRef: str(5),
      state: { type: 'ContainerState', id: 6 }, createdAt: { type: 'int64', id: 7 }, labels: map(8), annotations: map(9), imageId: str(10),
    },
  },
  ListContainersResponse: { fields: { containers: repeated('Container', 1) } },
  ContainerStatus: {
    fields: {
      id: str(1), metadata: { type: 'ContainerMetadata', id: 2 }, state: { type: 'ContainerState', id: 3 }, createdAt: { type: 'int64', id: 4 },
      startedAt: { type: 'int64', id: 5 }, finishedAt: { type: 'int64', id: 6 }, exitCode: { type: 'int32', id: 7 }, image: { type: 'ImageSpec', id: 8 },
      imageRef: str(9), reason: str(10), message: str(11), labels: map(12), annotations: map(13), mounts: repeated('Mount', 14), logPath: str(15), imageId: str(17),
    },
  },
  ContainerStatusRequest: { fields: { containerId: str(1), verbose: { type: 'bool', id: 2 } } },
  ContainerStatusResponse: { fields: { status: { type: 'ContainerStatus', id: 1 }, info: map(2) } },
  ExecSyncRequest: { fields: { containerId: str(1), cmd: repeated('string', 2), timeout: { type: 'int64', id: 3 } } },
  ExecSyncResponse: { fields: { stdout: { type: 'bytes', id: 1 }, stderr: { type: 'bytes', id: 2 }, exitCode: { type: 'int32', id: 3 } } },

  StatusRequest: { fields: { verbose: { type: 'bool', id: 1 } } },
  StatusResponse: { fields: { info: map(2) } },

  ImageStatusRequest: { fields: { image: { type: 'ImageSpec', id: 1 }, verbose: { type: 'bool', id: 2 } } },
  Image: { fields: { id: str(1), repoTags: repeated('string', 2), repoDigests: repeated('string', 3), size: { type: 'uint64', id: 4 } } },
  ImageStatusResponse: { fields: { image: { type: 'Image', id: 1 }, info: map(2) } },
} as const;

/** The package's messages, by name. */
export function criMessages(): protobuf.Root {
  return protobuf.Root.fromJSON({ nested: { runtime: { nested: { v1: { nested: MESSAGES } } } } });
}

export type CriMessage = Exclude<keyof typeof MESSAGES, 'PodSandboxState' | 'ContainerState' | 'NamespaceMode' | 'Protocol' | 'ProfileType'>;

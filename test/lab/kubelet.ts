// The test kubelet: pods run through CRI the way the kubelet runs them — the
// sandbox with the pod's labels and the kubelet's own, then each container
// with the kubelet's labels and annotations, under the pod's cgroup
// (cgroupfs driver, BestEffort). No Kubernetes API server runs here.
import { randomUUID } from 'node:crypto';
import { CriClient } from '../../src/runtime/index.ts';

export interface PodSpec {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  containers: Array<{ name: string; image: string; command?: string[]; args?: string[]; privileged?: boolean; capabilities?: string[] }>;
  /** Share the node's pid namespace (hostPID). */
  hostPid?: boolean;
  hostNetwork?: boolean;
  mounts?: Array<{ containerPath: string; hostPath: string; readonly?: boolean }>;
}

export interface RunningPod {
  sandbox: string;
  uid: string;
  containers: Map<string, string>;
}

export class TestKubelet {
  readonly cri: CriClient;

  constructor(socket: string) {
    this.cri = new CriClient(socket, { timeoutMs: 60_000 });
  }

  private sandboxConfig(spec: PodSpec, uid: string): Record<string, unknown> {
    const kubelet = { 'io.kubernetes.pod.name': spec.name, 'io.kubernetes.pod.namespace': spec.namespace, 'io.kubernetes.pod.uid': uid };
    return {
      metadata: { name: spec.name, uid, namespace: spec.namespace, attempt: 0 },
      hostname: spec.name,
      logDirectory: `/var/log/pods/${spec.namespace}_${spec.name}_${uid}`,
      labels: { ...spec.labels, ...kubelet },
      annotations: { 'kubernetes.io/config.source': 'api', 'kubernetes.io/config.seen': new Date().toISOString() },
      linux: {
        cgroupParent: `/kubepods/besteffort/pod${uid}`,
        securityContext: { namespaceOptions: { network: spec.hostNetwork === true ? 'NODE' : 'POD', pid: spec.hostPid === true ? 'NODE' : 'CONTAINER', ipc: 'POD' } },
      },
    };
  }

  /** Runs a pod: its sandbox, then its containers in order; resolves once every one started. */
  async run(spec: PodSpec): Promise<RunningPod> {
    const uid = randomUUID();
    const config = this.sandboxConfig(spec, uid);
    const { podSandboxId } = await this.cri.runtime<{ podSandboxId: string }>('RunPodSandbox', 'RunPodSandboxRequest', 'RunPodSandboxResponse', { config });
    const containers = new Map<string, string>();
    try {
      for (const c of spec.containers) {
        const { containerId } = await this.cri.runtime<{ containerId: string }>('CreateContainer', 'CreateContainerRequest', 'CreateContainerResponse', {
          podSandboxId,
          sandboxConfig: config,
          config: {
            metadata: { name: c.name, attempt: 0 },
            image: { image: c.image },
            command: c.command ?? [],
            args: c.args ?? [],
            logPath: `${c.name}/0.log`,
            mounts: spec.mounts ?? [],
            labels: { 'io.kubernetes.container.name': c.name, 'io.kubernetes.pod.name': spec.name, 'io.kubernetes.pod.namespace': spec.namespace, 'io.kubernetes.pod.uid': uid },
            annotations: { 'io.kubernetes.container.restartCount': '0', 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log' },
            linux: {
              securityContext: {
                privileged: c.privileged === true,
                namespaceOptions: { network: spec.hostNetwork === true ? 'NODE' : 'POD', pid: spec.hostPid === true ? 'NODE' : 'CONTAINER', ipc: 'POD' },
                ...(c.capabilities !== undefined && { capabilities: { addCapabilities: c.capabilities } }),
              },
            },
          },
        });
        containers.set(c.name, containerId);
        await this.cri.runtime('StartContainer', 'StartContainerRequest', 'StartContainerResponse', { containerId });
      }
    } catch (e) {
      await this.remove({ sandbox: podSandboxId, uid, containers });
      throw e;
    }
    return { sandbox: podSandboxId, uid, containers };
  }

  /** A command in a container, as `kubectl exec` runs it; resolves to its exit code and output. */
  async exec(container: string, cmd: string[], timeoutSec = 10): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const r = await this.cri.runtime<{ exitCode: number; stdout: Buffer; stderr: Buffer }>('ExecSync', 'ExecSyncRequest', 'ExecSyncResponse', { containerId: container, cmd, timeout: timeoutSec });
    return { exitCode: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  }

  /** Stops and removes a pod's containers, then its sandbox (what was not made is skipped). */
  async remove(pod: RunningPod): Promise<void> {
    for (const id of pod.containers.values()) {
      await this.cri.runtime('StopContainer', 'StopContainerRequest', 'StopContainerResponse', { containerId: id, timeout: 1 }).catch(() => undefined);
      await this.cri.runtime('RemoveContainer', 'RemoveContainerRequest', 'RemoveContainerResponse', { containerId: id }).catch(() => undefined);
    }
    await this.cri.runtime('StopPodSandbox', 'StopPodSandboxRequest', 'StopPodSandboxResponse', { podSandboxId: pod.sandbox }).catch(() => undefined);
    await this.cri.runtime('RemovePodSandbox', 'RemovePodSandboxRequest', 'RemovePodSandboxResponse', { podSandboxId: pod.sandbox });
  }

  close(): void {
    this.cri.close();
  }
}

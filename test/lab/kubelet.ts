// The test kubelet: pods run through CRI the way the kubelet runs them — the
// sandbox with the pod's labels and the kubelet's own, then each container
// with the kubelet's labels and annotations, under the pod's QoS class's
// cgroup (cgroupfs driver). No Kubernetes API server runs here.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
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
  /** Cluster DNS as the kubelet gives a pod (dnsPolicy ClusterFirst): the server, its namespace's search domains, ndots:5. */
  clusterDns?: string;
}

/** What a node and its cluster give a pod beside its spec: the image as the node has it, Secrets, cluster DNS, the kubelet's folder. */
export interface NodeFacts {
  image(reference: string): string;
  /** Secrets by name, key → value, as the API server gives them to the kubelet. */
  secrets: Record<string, Record<string, string>>;
  /** Names cluster DNS would answer, with their addresses: /etc/hosts lines here (the lab has no cluster DNS). */
  hosts: Record<string, string>;
  /** Where the kubelet keeps the pod's files (its Secret volumes, its /etc/hosts). */
  dir: string;
}

/** The fields of a pod spec and of a container the test kubelet carries out; any other field is refused, so what runs is what the spec says. */
const POD_FIELDS = new Set(['containers', 'volumes', 'hostPID', 'hostNetwork', 'serviceAccountName', 'automountServiceAccountToken', 'priorityClassName', 'tolerations', 'nodeSelector']);
const CONTAINER_FIELDS = new Set(['name', 'image', 'imagePullPolicy', 'command', 'args', 'env', 'resources', 'securityContext', 'volumeMounts']);
const SECURITY_FIELDS = new Set(['runAsUser', 'privileged', 'allowPrivilegeEscalation', 'capabilities', 'seccompProfile', 'appArmorProfile', 'readOnlyRootFilesystem']);

/** A Kubernetes quantity (`100m`, `256Mi`, `1Gi`, `2`) as a number of units (cores, bytes). */
function quantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(String(q));
  if (m === null) throw new Error(`the test kubelet cannot read the quantity ${q}`);
  const scale: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9 };
  return Number(m[1]) * (m[2] === undefined ? 1 : scale[m[2]]!);
}

function refuseUnknown(what: string, object: object, known: Set<string>): void {
  const unknown = Object.keys(object).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new Error(`the test kubelet does not carry out ${what} ${unknown.join(', ')}`);
}

/** A pod's QoS class, as the kubelet works it out from its containers' requests and limits. */
function qosClass(containers: readonly IContainer[]): 'guaranteed' | 'burstable' | 'besteffort' {
  const r = containers.map((c) => c.resources ?? {});
  if (r.every((x) => Object.keys(x.requests ?? {}).length === 0 && Object.keys(x.limits ?? {}).length === 0)) return 'besteffort';
  const guaranteed = r.every((x) => ['cpu', 'memory'].every((k) => x.limits?.[k] !== undefined && quantity(x.limits[k]) === quantity(x.requests?.[k] ?? x.limits[k])));
  return guaranteed ? 'guaranteed' : 'burstable';
}

export interface RunningPod {
  sandbox: string;
  uid: string;
  /** Where the runtime writes its containers' logs (the kubelet removes it with the pod). */
  logDirectory?: string;
  containers: Map<string, string>;
}

export class TestKubelet {
  readonly cri: CriClient;

  constructor(socket: string) {
    this.cri = new CriClient(socket, { timeoutMs: 60_000 });
  }

  private sandboxConfig(spec: PodSpec, uid: string, qos = 'besteffort'): Record<string, unknown> {
    const kubelet = { 'io.kubernetes.pod.name': spec.name, 'io.kubernetes.pod.namespace': spec.namespace, 'io.kubernetes.pod.uid': uid };
    return {
      metadata: { name: spec.name, uid, namespace: spec.namespace, attempt: 0 },
      hostname: spec.name,
      ...(spec.clusterDns !== undefined && {
        dnsConfig: { servers: [spec.clusterDns], searches: [`${spec.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] },
      }),
      logDirectory: `/var/log/pods/${spec.namespace}_${spec.name}_${uid}`,
      labels: { ...spec.labels, ...kubelet },
      annotations: { 'kubernetes.io/config.source': 'api', 'kubernetes.io/config.seen': new Date().toISOString() },
      linux: {
        cgroupParent: qos === 'guaranteed' ? `/kubepods/pod${uid}` : `/kubepods/${qos}/pod${uid}`,
        securityContext: { namespaceOptions: this.namespaces(spec) },
      },
    };
  }

  /** Runs a pod: its sandbox, then its containers in order; resolves once every one started. */
  run(spec: PodSpec): Promise<RunningPod> {
    const uid = randomUUID();
    return this.start(this.sandboxConfig(spec, uid), uid, spec.containers.map((c) => ({
      name: c.name,
      image: { image: c.image },
      command: c.command ?? [],
      args: c.args ?? [],
      mounts: spec.mounts ?? [],
      linux: {
        securityContext: {
          privileged: c.privileged === true,
          namespaceOptions: this.namespaces(spec),
          ...(c.capabilities !== undefined && { capabilities: { addCapabilities: c.capabilities } }),
        },
      },
    })));
  }

  private namespaces(spec: { hostPid?: boolean; hostNetwork?: boolean }) {
    return { network: spec.hostNetwork === true ? 'NODE' : 'POD', pid: spec.hostPid === true ? 'NODE' : 'CONTAINER', ipc: 'POD' };
  }

  /**
   * Runs a pod from a Kubernetes pod spec as the kubelet would: Secrets as
   * environment and as read-only files, hostPath volumes (made for
   * DirectoryOrCreate), requests and limits as the container's resources
   * under its QoS class's cgroup, the security context as CRI's, and an
   * /etc/hosts with the names cluster DNS would answer. A field it does not
   * carry out is refused.
   */
  async runSpec(namespace: string, name: string, labels: Record<string, string>, spec: IPodSpec, node: NodeFacts): Promise<RunningPod> {
    refuseUnknown('pod field', spec, POD_FIELDS);
    if (spec.automountServiceAccountToken !== false) throw new Error('the test kubelet mounts no service account token: the spec must not ask for one');
    const uid = randomUUID();
    const dir = join(node.dir, uid);
    mkdirSync(dir, { recursive: true });
    const secret = (name: string, key: string) => {
      const value = node.secrets[name]?.[key];
      if (value === undefined) throw new Error(`no Secret ${name} with key ${key}`);
      return value;
    };
    const volumes = new Map((spec.volumes ?? []).map((v) => {
      if (v.hostPath !== undefined) {
        if (v.hostPath.type === 'DirectoryOrCreate') mkdirSync(v.hostPath.path, { recursive: true });
        else if (v.hostPath.type === 'Directory' && !existsSync(v.hostPath.path)) throw new Error(`hostPath ${v.hostPath.path} (Directory) is not on the node`);
        return [v.name, v.hostPath.path] as const;
      }
      if (v.secret !== undefined) {
        const at = join(dir, 'volumes', v.name);
        mkdirSync(at, { recursive: true });
        for (const item of v.secret.items ?? Object.keys(node.secrets[v.secret.secretName!] ?? {}).map((key) => ({ key, path: key }))) writeFileSync(join(at, item.path), secret(v.secret.secretName!, item.key));
        return [v.name, at] as const;
      }
      throw new Error(`the test kubelet does not carry out the volume ${v.name}: ${Object.keys(v).join(', ')}`);
    }));
    const hosts = join(dir, 'etc-hosts');
    writeFileSync(hosts, ['127.0.0.1\tlocalhost', '::1\tlocalhost', `127.0.1.1\t${name}`, ...Object.entries(node.hosts).map(([host, ip]) => `${ip}\t${host}`), ''].join('\n'));
    const pod: PodSpec = { namespace, name, labels, containers: [], ...(spec.hostPID === true && { hostPid: true }), ...(spec.hostNetwork === true && { hostNetwork: true }) };
    return this.start(this.sandboxConfig(pod, uid, qosClass(spec.containers)), uid, spec.containers.map((c) => {
      refuseUnknown(`container field`, c, CONTAINER_FIELDS);
      const sc = c.securityContext ?? {};
      refuseUnknown('security context field', sc, SECURITY_FIELDS);
      const memory = quantity(c.resources?.limits?.memory);
      const cpuRequest = quantity(c.resources?.requests?.cpu);
      const cpuLimit = quantity(c.resources?.limits?.cpu);
      const profile = (p: { type: string } | undefined) => (p === undefined ? undefined : { profileType: p.type });
      return {
        name: c.name,
        image: { image: node.image(c.image!) },
        command: c.command ?? [],
        args: c.args ?? [],
        envs: (c.env ?? []).map((e) => ({ key: e.name, value: e.value ?? secret(e.valueFrom!.secretKeyRef!.name!, e.valueFrom!.secretKeyRef!.key) })),
        mounts: [
          ...(c.volumeMounts ?? []).map((m) => ({ containerPath: m.mountPath, hostPath: volumes.get(m.name)!, readonly: m.readOnly === true })),
          { containerPath: '/etc/hosts', hostPath: hosts, readonly: false },
        ],
        linux: {
          resources: {
            ...(memory !== undefined && { memoryLimitInBytes: memory }),
            // the kubelet's shares: 1024 a core, 2 at least
            cpuShares: Math.max(2, Math.round((cpuRequest ?? cpuLimit ?? 0) * 1024)),
            ...(cpuLimit !== undefined && { cpuPeriod: 100_000, cpuQuota: Math.round(cpuLimit * 100_000) }),
          },
          securityContext: {
            privileged: sc.privileged === true,
            namespaceOptions: this.namespaces(pod),
            ...(sc.runAsUser !== undefined && { runAsUser: { value: sc.runAsUser } }),
            ...(sc.readOnlyRootFilesystem === true && { readonlyRootfs: true }),
            ...(sc.allowPrivilegeEscalation === false && { noNewPrivs: true }),
            ...(sc.capabilities !== undefined && { capabilities: { addCapabilities: sc.capabilities.add ?? [], dropCapabilities: sc.capabilities.drop ?? [] } }),
            ...(sc.seccompProfile !== undefined && { seccomp: profile(sc.seccompProfile) }),
            ...(sc.appArmorProfile !== undefined && { apparmor: profile(sc.appArmorProfile) }),
          },
        },
      };
    }));
  }

  /** The sandbox, then each container (with the kubelet's labels and annotations) created and started in order. */
  private async start(config: Record<string, unknown>, uid: string, containers: Array<Record<string, unknown> & { name: string }>): Promise<RunningPod> {
    const { podSandboxId } = await this.cri.runtime<{ podSandboxId: string }>('RunPodSandbox', 'RunPodSandboxRequest', 'RunPodSandboxResponse', { config });
    const pod = config.metadata as { name: string; namespace: string };
    const started = new Map<string, string>();
    try {
      for (const { name, ...c } of containers) {
        const { containerId } = await this.cri.runtime<{ containerId: string }>('CreateContainer', 'CreateContainerRequest', 'CreateContainerResponse', {
          podSandboxId,
          sandboxConfig: config,
          config: {
            ...c,
            metadata: { name, attempt: 0 },
            logPath: `${name}/0.log`,
            labels: { 'io.kubernetes.container.name': name, 'io.kubernetes.pod.name': pod.name, 'io.kubernetes.pod.namespace': pod.namespace, 'io.kubernetes.pod.uid': uid },
            annotations: { 'io.kubernetes.container.restartCount': '0', 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log' },
          },
        });
        started.set(name, containerId);
        await this.cri.runtime('StartContainer', 'StartContainerRequest', 'StartContainerResponse', { containerId });
      }
    } catch (e) {
      await this.remove({ sandbox: podSandboxId, uid, containers: started, logDirectory: config.logDirectory as string });
      throw e;
    }
    return { sandbox: podSandboxId, uid, containers: started, logDirectory: config.logDirectory as string };
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
    if (pod.logDirectory !== undefined) rmSync(pod.logDirectory, { recursive: true, force: true });
  }

  close(): void {
    this.cri.close();
  }
}

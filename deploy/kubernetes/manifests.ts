// Tenet on Kubernetes, written against the Kubernetes API's own types (so a
// misspelt field does not compile) and written out as the YAML users apply
// (`npm run docs` writes deploy/kubernetes/*.yaml; a test keeps them in step).
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import { stringify } from 'yaml';

export const NAMESPACE = 'tenet';
const VERSION = '0.1.0';
const CONSOLE_IMAGE = `tenet/console:${VERSION}`;
const DEFENDER_IMAGE = `tenet/defender:${VERSION}`;
/** The Secret an operator makes first: the admin's password, the enrollment secret, and (for PostgreSQL) the store's URL. */
export const SECRET = 'tenet';
/** The console's certificate and key (`kubectl create secret tls`, or cert-manager): the defenders trust its tls.crt. */
export const TLS_SECRET = 'tenet-console-tls';
const SERVICE = 'tenet-console';
const CONSOLE_URL = `https://${SERVICE}.${NAMESPACE}.svc:8443`;

/**
 * The capabilities the defender runs with, and why; nothing else (not
 * privileged). deploy/compose.yaml and the Helm chart give the same, and
 * deploy/README.md explains each.
 */
export const DEFENDER_CAPABILITIES = [
  'SYS_ADMIN', // bpf() and perf_event_open() for the sensor (CAP_BPF and CAP_PERFMON where the runtime knows them), setns() and read-only mounts inside a container (files in prevent mode)
  'IPC_LOCK', // the sensor's perf ring buffers are larger than the unprivileged locked-memory limit
  'SYS_PTRACE', // /proc/PID/exe, /proc/PID/ns/* and /proc/PID/root of other users' processes
  'NET_ADMIN', // an nftables table in a container's network namespace (network in prevent mode)
  'DAC_READ_SEARCH', // reading /proc and cgroup files that belong to containers' users
  'DAC_OVERRIDE', // writing its data folder on the host whoever owns it
  'SYS_CHROOT', // setns() into a container's mount namespace
] as const;

const labels = (component: string) => ({ 'app.kubernetes.io/name': 'tenet', 'app.kubernetes.io/component': component, 'app.kubernetes.io/version': VERSION });
const selector = (component: string) => ({ 'app.kubernetes.io/name': 'tenet', 'app.kubernetes.io/component': component });
const fromSecret = (name: string, key: string, optional = false): IEnvVar => ({ name, valueFrom: { secretKeyRef: { name: SECRET, key, ...(optional && { optional }) } } });

function consoleContainer(postgres: boolean): IContainer {
  return {
    name: 'console',
    image: CONSOLE_IMAGE,
    args: ['console', '--host', '0.0.0.0', '--tls-cert', '/etc/tenet/tls/tls.crt', '--tls-key', '/etc/tenet/tls/tls.key'],
    env: [
      fromSecret('TENET_ADMIN_PASSWORD', 'admin-password'),
      fromSecret('TENET_ENROLL_TOKEN', 'enroll-token'),
      ...(postgres ? [fromSecret('TENET_POSTGRES', 'postgres-url')] : []),
    ],
    ports: [{ name: 'https', containerPort: 8443 }],
    readinessProbe: { httpGet: { scheme: 'HTTPS', path: '/api/v1/health', port: 'https' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { scheme: 'HTTPS', path: '/api/v1/health', port: 'https' }, periodSeconds: 20, failureThreshold: 3 },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: 'tls', mountPath: '/etc/tenet/tls', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      ...(postgres ? [] : [{ name: 'data', mountPath: '/var/lib/tenet' }]),
    ],
  };
}

/** The console: one replica on SQLite (its volume is its store), or several on PostgreSQL. */
function consoleDeployment(postgres: boolean): Deployment {
  return new Deployment({
    metadata: { name: 'tenet-console', namespace: NAMESPACE, labels: labels('console') },
    spec: {
      replicas: postgres ? 2 : 1,
      // SQLite has one writer: the old pod stops before the new one opens the file
      strategy: postgres ? { type: 'RollingUpdate' } : { type: 'Recreate' },
      selector: { matchLabels: selector('console') },
      template: {
        metadata: { labels: labels('console') },
        spec: {
          serviceAccountName: 'tenet-console',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [consoleContainer(postgres)],
          volumes: [
            { name: 'tls', secret: { secretName: TLS_SECRET } },
            { name: 'tmp', emptyDir: {} },
            ...(postgres ? [] : [{ name: 'data', persistentVolumeClaim: { claimName: 'tenet-console-data' } }]),
          ],
        },
      },
    },
  });
}

/**
 * The defender: one per node, with the host's PIDs and the capabilities above.
 * It mounts no runtime socket: it finds the node's runtimes (containerd,
 * CRI-O, Docker) by their processes and reaches their sockets and image
 * stores through their roots (/proc/PID/root), wherever the node keeps them.
 */
function defenderDaemonSet(): DaemonSet {
  const hostPath = (name: string, path: string, type: 'Directory' | 'DirectoryOrCreate'): IVolume => ({ name, hostPath: { path, type } });
  return new DaemonSet({
    metadata: { name: 'tenet-defender', namespace: NAMESPACE, labels: labels('defender') },
    spec: {
      selector: { matchLabels: selector('defender') },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: labels('defender') },
        spec: {
          serviceAccountName: 'tenet-defender',
          // it speaks to the node's container runtimes and the console, never to the Kubernetes API
          automountServiceAccountToken: false,
          // the containers' processes, their namespaces and their cgroups; the runtimes' sockets and image stores
          hostPID: true,
          priorityClassName: 'system-node-critical',
          // every node, tainted or not
          tolerations: [{ operator: 'Exists' }],
          containers: [{
            name: 'defender',
            image: DEFENDER_IMAGE,
            args: ['defender', '--console', CONSOLE_URL, '--console-ca', '/etc/tenet/console/tls.crt'],
            env: [fromSecret('TENET_ENROLL_TOKEN', 'enroll-token')],
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            securityContext: {
              runAsUser: 0,
              privileged: false,
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'], add: [...DEFENDER_CAPABILITIES] },
              // bpf(), perf_event_open() and setns() are outside the runtime's default seccomp profile
              seccompProfile: { type: 'Unconfined' },
              appArmorProfile: { type: 'Unconfined' },
            },
            volumeMounts: [
              { name: 'tracefs', mountPath: '/sys/kernel/tracing' },
              { name: 'cgroup', mountPath: '/sys/fs/cgroup', readOnly: true },
              { name: 'data', mountPath: '/var/lib/tenet' },
              { name: 'console-ca', mountPath: '/etc/tenet/console', readOnly: true },
            ],
          }],
          volumes: [
            hostPath('tracefs', '/sys/kernel/tracing', 'Directory'),
            hostPath('cgroup', '/sys/fs/cgroup', 'Directory'),
            // the defender's store and spool survive its restarts
            hostPath('data', '/var/lib/tenet', 'DirectoryOrCreate'),
            { name: 'console-ca', secret: { secretName: TLS_SECRET, items: [{ key: 'tls.crt', path: 'tls.crt' }] } },
          ],
        },
      },
    },
  });
}

const service = () => new Service({
  metadata: { name: SERVICE, namespace: NAMESPACE, labels: labels('console') },
  spec: { selector: selector('console'), ports: [{ name: 'https', port: 8443, targetPort: 'https' }] },
});

const serviceAccount = (name: string, component: string) => new ServiceAccount({ metadata: { name, namespace: NAMESPACE, labels: labels(component) }, automountServiceAccountToken: false });

/** Every object, validated against the Kubernetes API's schemas, as one multi-document YAML file. */
function yaml(header: string, objects: Array<{ validate(): void; toJSON(): unknown }>): string {
  for (const o of objects) o.validate();
  return `${header.trim().split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n${objects.map((o) => `---\n${stringify(o.toJSON(), { lineWidth: 0 })}`).join('')}`;
}

/** The files of deploy/kubernetes, by path. */
export function kubernetesManifests(): Map<string, string> {
  const made = `Made by deploy/kubernetes/manifests.ts (npm run docs): change it there.`;
  return new Map([
    ['deploy/kubernetes/tenet.yaml', yaml(`
Tenet on Kubernetes: the console (one replica, SQLite on a volume) and a defender on every node.
${made}

First, in namespace ${NAMESPACE}: the Secret ${SECRET} (admin-password, enroll-token of 24 characters
or more) and the TLS Secret ${TLS_SECRET} for ${SERVICE}.${NAMESPACE}.svc (deploy/README.md shows both).
`, [
      // the defender's host PIDs, capabilities and unconfined seccomp are beyond the baseline Pod Security level
      new Namespace({ metadata: { name: NAMESPACE, labels: { 'app.kubernetes.io/name': 'tenet', 'pod-security.kubernetes.io/enforce': 'privileged' } } }),
      serviceAccount('tenet-console', 'console'),
      new PersistentVolumeClaim({
        metadata: { name: 'tenet-console-data', namespace: NAMESPACE, labels: labels('console') },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      }),
      consoleDeployment(false),
      service(),
      serviceAccount('tenet-defender', 'defender'),
      defenderDaemonSet(),
    ])],
    ['deploy/kubernetes/console-postgres.yaml', yaml(`
The console on an external PostgreSQL instead: two replicas, no volume. Apply it after tenet.yaml
(it replaces the console Deployment); the Secret ${SECRET} then also holds postgres-url
(postgres://user:password@host:5432/tenet?sslmode=require).
${made}
`, [consoleDeployment(true)])],
  ]);
}

// The DaemonSet for real: the defender image built from deploy/Dockerfile runs
// as a pod on the lab's containerd, started through CRI by the test kubelet
// with exactly the pod spec of deploy/kubernetes/tenet.yaml (host PIDs, its
// hostPath and Secret volumes, its capabilities, not privileged). What ran is
// read back from the runtime and compared with the manifest. The defender
// finds the node's runtime by its process, enrolls with a console, and reports
// a program written and run in another pod, naming namespace, pod and container.
//
// What a cluster would give and the lab has not: the console runs on the node
// (on the pod bridge's address) instead of behind its Service, whose name an
// /etc/hosts line answers as cluster DNS would; the Secrets are the test's; the
// image is the one built here; /var/lib/tenet is an empty folder mounted over
// the node's for the test.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { parseAllDocuments } from 'yaml';
import { CNI_GATEWAY, CRI_NAMESPACE, CRI_SOCKET, criImageRef } from '../../lab/node.ts';
import { DEFENDER_CAPABILITIES } from '../../deploy/kubernetes/manifests.ts';
import { BIN } from '../run-cli.ts';
import { TestKubelet, type RunningPod } from './kubelet.ts';
import { buildTenetImage, consoleCall, docker, DOCKER, inLab, LAB_IMAGES, until } from './lab.ts';

const MANIFEST = fileURLToPath(new URL('../../deploy/kubernetes/tenet.yaml', import.meta.url));
const CONSOLE_NAME = 'tenet-console.tenet.svc';
const DATA = '/var/lib/tenet';
const PASSWORD = 'lab-admin-password-0123';
const TOKEN = 'lab-enrollment-secret-0123456789';
const NS = 'shop-ds';
const work = mkdtempSync(join(tmpdir(), 'tenet-lab-daemonset-'));
const pods: RunningPod[] = [];
let kubelet: TestKubelet | undefined;
let consoleChild: ChildProcess | undefined;
let image: string | undefined;
let dataMounted = false;
let dataMade = false;

after(async () => {
  for (const pod of pods.reverse()) await kubelet?.remove(pod).catch(() => undefined);
  kubelet?.close();
  if (consoleChild?.pid !== undefined && consoleChild.exitCode === null) {
    process.kill(-consoleChild.pid, 'SIGTERM');
    await new Promise((r) => consoleChild!.once('exit', r));
  }
  if (image !== undefined) spawnSync('ctr', ['--address', CRI_SOCKET, '-n', CRI_NAMESPACE, 'images', 'rm', image], { stdio: 'ignore' });
  if (dataMounted) spawnSync('umount', [DATA], { stdio: 'ignore' });
  if (dataMade) rmdirSync(DATA);
  rmSync(work, { recursive: true, force: true });
});

/** What the runtime ran, from the container's verbose status: its OCI runtime spec. */
interface RuntimeSpec {
  process: { args: string[]; user: { uid: number }; noNewPrivileges?: boolean; apparmorProfile?: string; capabilities: { bounding: string[]; effective: string[] } };
  mounts: Array<{ destination: string; source: string; type?: string; options?: string[] }>;
  linux: { seccomp?: unknown; resources?: { memory?: { limit?: number } } };
}

test('the defender image runs as a pod with exactly the DaemonSet\'s pod spec: it finds the node\'s containerd by its process, enrolls with the console and reports a program written and run in another pod', { timeout: 900_000 }, async (t) => {
  if (!(await inLab(t))) return;
  const daemonSet = parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map((d) => d.toJS() as IDaemonSet).find((o) => o.kind === 'DaemonSet')!;
  const template = daemonSet.spec!.template;
  const spec = template.spec!;

  // the image, as a node would pull it, in the lab containerd's k8s.io namespace
  const built = buildTenetImage('defender');
  image = criImageRef(built);
  const imported = spawnSync('bash', ['-o', 'pipefail', '-c', '"$1" save "$2" | ctr --address "$3" -n "$4" images import -', 'import', DOCKER, built, CRI_SOCKET, CRI_NAMESPACE], { encoding: 'utf8', timeout: 600_000 });
  assert.equal(imported.status, 0, imported.stderr);

  kubelet = new TestKubelet(CRI_SOCKET);
  // a workload pod (a Deployment's) first: it also brings up the pod bridge the console listens on
  const probe = await kubelet.run({ namespace: NS, name: 'probe-7c9d8f6b5-k2x9q', labels: { app: 'probe', 'pod-template-hash': '7c9d8f6b5' }, containers: [{ name: 'probe', image: criImageRef(LAB_IMAGES.busybox), command: ['sh', '-c', 'while true; do sleep 1; done'] }] });
  pods.push(probe);

  // the console, on the node, for the name the defender's arguments give
  const consoleDir = join(work, 'console');
  const caFile = join(work, 'console.pem');
  const port = Number(new URL(spec.containers[0]!.args![spec.containers[0]!.args!.indexOf('--console') + 1]!).port);
  consoleChild = spawn(process.execPath, [BIN, 'console', '--host', CNI_GATEWAY, '--port', String(port), '--data', consoleDir, '--tls-name', CONSOLE_NAME, '--tls-name', CNI_GATEWAY, '--cert-out', caFile], {
    detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TENET_ADMIN_PASSWORD: PASSWORD, TENET_ENROLL_TOKEN: TOKEN },
  });
  let consoleErr = '';
  consoleChild.stderr!.on('data', (c: Buffer) => (consoleErr += c.toString()));
  const api = `https://${CNI_GATEWAY}:${port}/api/v1`;
  const ca = await until('the console answers', async () => {
    if (!existsSync(caFile)) return undefined;
    const pem = readFileSync(caFile, 'utf8');
    return (await consoleCall(`${api}/health`, pem, `admin:${PASSWORD}`).catch(() => undefined))?.status === 200 ? pem : undefined;
  }, 30_000).catch((e: Error) => assert.fail(`${e.message}\n${consoleErr}`));
  const call = (path: string) => consoleCall(`${api}${path}`, ca, `admin:${PASSWORD}`);

  // the node's data folder for the defender: an empty one over whatever the machine has there
  if (!existsSync(DATA)) {
    mkdirSync(DATA);
    dataMade = true;
  }
  mkdirSync(join(work, 'node-data'));
  assert.equal(spawnSync('mount', ['--bind', join(work, 'node-data'), DATA]).status, 0, `mount --bind over ${DATA}`);
  dataMounted = true;

  // the DaemonSet's pod, as the kubelet makes it from the template
  const defenderPod = await kubelet.runSpec(daemonSet.metadata!.namespace!, 'tenet-defender-x8k2m', { ...template.metadata!.labels, 'controller-revision-hash': '6b7d9c8f5', 'pod-template-generation': '1' }, spec, {
    image: () => image!,
    secrets: { tenet: { 'admin-password': PASSWORD, 'enroll-token': TOKEN }, 'tenet-console-tls': { 'tls.crt': ca } },
    hosts: { [CONSOLE_NAME]: CNI_GATEWAY },
    dir: join(work, 'kubelet'),
  });
  pods.push(defenderPod);
  const defenderId = defenderPod.containers.get('defender')!;
  const logs = async () => {
    const status = await kubelet!.cri.runtime<{ status: { logPath: string } }>('ContainerStatus', 'ContainerStatusRequest', 'ContainerStatusResponse', { containerId: defenderId }).catch(() => undefined);
    return status === undefined ? '' : spawnSync('tail', ['-n', '40', status.status.logPath], { encoding: 'utf8' }).stdout;
  };
  const fail = async (e: Error) => assert.fail(`${e.message}\n${await logs()}`);

  // what ran is what the manifest says
  const verbose = await kubelet.cri.runtime<{ info: Record<string, string> }>('ContainerStatus', 'ContainerStatusRequest', 'ContainerStatusResponse', { containerId: defenderId, verbose: true });
  const info = JSON.parse(verbose.info.info!) as { pid: number; runtimeSpec: RuntimeSpec };
  const ran = info.runtimeSpec;
  const container = spec.containers[0]!;
  const caps = [...container.securityContext!.capabilities!.add!].map((c) => `CAP_${c}`).sort();
  assert.deepEqual([...container.securityContext!.capabilities!.add!], [...DEFENDER_CAPABILITIES]);
  assert.deepEqual([[...ran.process.capabilities.bounding].sort(), [...ran.process.capabilities.effective].sort()], [caps, caps], 'exactly the manifest\'s capabilities');
  assert.deepEqual(ran.process.args.slice(-container.args!.length), container.args, 'the manifest\'s arguments');
  assert.equal(ran.process.user.uid, container.securityContext!.runAsUser);
  assert.equal(ran.process.noNewPrivileges, true, 'allowPrivilegeEscalation: false');
  assert.equal(ran.linux.seccomp, undefined, 'seccomp unconfined');
  assert.equal(ran.process.apparmorProfile, undefined, 'AppArmor unconfined');
  const ns = (pid: number, kind: string) => readlinkSync(`/proc/${pid}/ns/${kind}`);
  assert.deepEqual([spec.hostPID, ns(info.pid, 'pid') === ns(process.pid, 'pid'), ns(info.pid, 'net') === ns(process.pid, 'net')], [true, true, false], 'the host\'s PIDs, the pod\'s network');
  assert.equal(ran.linux.resources?.memory?.limit, 2 ** 30, 'the manifest\'s memory limit');
  const binds = ran.mounts.filter((m) => m.type === 'bind' || m.options?.includes('rbind') === true);
  for (const m of container.volumeMounts!) {
    const volume = spec.volumes!.find((v) => v.name === m.name)!;
    const mount = binds.find((b) => b.destination === m.mountPath);
    assert.ok(mount !== undefined, `${m.mountPath} is mounted`);
    if (volume.hostPath !== undefined) assert.equal(mount.source, volume.hostPath.path, `${m.mountPath} is the node's ${volume.hostPath.path}`);
    assert.equal(mount.options?.includes('ro'), m.readOnly === true, `${m.mountPath} ${m.readOnly === true ? 'read-only' : 'writable'}`);
  }
  // nothing else of the node: only what the runtime gives every container (its hostname, resolv.conf, /dev/shm) and the kubelet's /etc/hosts
  assert.deepEqual(binds.map((b) => b.destination).filter((d) => !container.volumeMounts!.some((m) => m.mountPath === d)).sort(), ['/dev/shm', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);

  // it enrolls, runs its sensor and follows the node's containerd, found by its process
  type Defenders = { items: Array<{ connected: boolean; status?: { runtime?: string; sensor?: { running: boolean } } }> };
  const enrolled = await until('the defender enrolls, connects and runs its sensor', async () => {
    const item = ((await call('/defenders')).body as Defenders).items[0];
    return item?.connected === true && item.status?.sensor?.running === true ? item : undefined;
  }, 180_000).catch(fail);
  assert.match(enrolled.status?.runtime ?? '', /cri:\/proc\/\d+\/root\/run\/tenet-lab\/containerd\/containerd\.sock/, 'the lab containerd, reached through its root');

  // the workload pod's model, seeded from its image read from containerd's content store through the host's root
  const busyboxId = docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.busybox);
  type Models = { items: Array<{ _id: string; processes: Array<{ path: string; sources: Array<{ kind: string }> }> }> };
  await until('the probe pod\'s model, seeded from its image', async () => {
    const model = ((await call('/profiles/container')).body as Models).items.find((m) => m._id === `${NS}/${busyboxId}`);
    return model?.processes.some((p) => p.sources.some((s) => s.kind === 'image')) ? true : undefined;
  }, 120_000).catch(fail);

  // a program written in the pod and run: drift from the first second, learning or not, naming namespace, pod and container
  const probeId = probe.containers.get('probe')!;
  assert.equal((await kubelet.exec(probeId, ['sh', '-c', 'mkdir -p /dropped && cat /bin/busybox > /dropped/true && chmod +x /dropped/true && /dropped/true'])).exitCode, 0);
  type Audits = { items: Array<{ rule: string; message: string; container: { namespace?: string; pod?: string; name: string } }> };
  const drift = await until('the drift audit at the console', async () => ((await call('/audits')).body as Audits).items.find((a) => a.rule === 'drift' && a.container.pod === 'probe-7c9d8f6b5-k2x9q'), 60_000).catch(fail);
  assert.equal(drift.container.namespace, NS);
  assert.equal(drift.container.name, 'probe-7c9d8f6b5-k2x9q/probe');
  assert.match(drift.message, /\/dropped\/true, which was written after the container started/, 'its writable layer, read through the host\'s root');
});

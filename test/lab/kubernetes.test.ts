// The defender on a Kubernetes-like node: pods run through CRI on the lab's
// containerd by the test kubelet (a Deployment of 2 replicas, a StatefulSet
// and a DaemonSet), followed beside the Docker engine and its containers.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { CRI_SOCKET, criImageRef } from '../../lab/node.ts';
import type { Audit, IntentModel, Supermodel } from '../../src/model/index.ts';
import { BIN, tenet } from '../run-cli.ts';
import { TestKubelet, type RunningPod } from './kubelet.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-k8s-'));
const data = join(work, 'data');
const NS = 'shop-k8s';
const pods: RunningPod[] = [];
let kubelet: TestKubelet | undefined;
let defender: ChildProcess | undefined;

after(async () => {
  defender?.kill('SIGTERM');
  if (defender !== undefined && defender.exitCode === null) await new Promise((r) => defender!.once('exit', r));
  for (const pod of pods) await kubelet?.remove(pod).catch(() => undefined);
  kubelet?.close();
  rmSync(work, { recursive: true, force: true });
});

type Status = { status: { state: string; startedAt: string; metadata: { attempt: number } } };

test('pods of a Deployment, a StatefulSet and a DaemonSet through CRI: learned per image and namespace, joined as namespace/workload; a shell is an audit naming namespace, pod and container; prevent kills it and drops a connection, the pods keep running', { timeout: 300_000 }, async (t) => {
  if (!(await inLab(t))) return;
  kubelet = new TestKubelet(CRI_SOCKET);
  const audits: Audit[] = [];
  const log: string[] = [];
  defender = spawn(process.execPath, [BIN, 'defender', '--runtime', `cri:${CRI_SOCKET}`, '--runtime', 'docker', '--learn-for', '8s', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: defender.stdout! }).on('line', (line) => audits.push(JSON.parse(line) as Audit));
  createInterface({ input: defender.stderr! }).on('line', (line) => log.push(line));
  const fail = (e: Error) => {
    throw new Error(`${e.message}\n${log.join('\n')}`);
  };
  await until('the defender runs', () => (log.some((l) => l.includes('defender running')) ? true : undefined), 60_000).catch(fail);
  assert.ok(log.some((l) => l.includes(`defender running: containers of cri:${CRI_SOCKET}, docker`)), log.join('\n'));

  // the pods, as the kubelet runs them for their controllers
  const nginx = criImageRef(LAB_IMAGES.nginx);
  const web = [await kubelet.run({ namespace: NS, name: 'web-6d9f8b7c5-x7k2p', labels: { app: 'web', 'pod-template-hash': '6d9f8b7c5' }, containers: [{ name: 'nginx', image: nginx }] }),
    await kubelet.run({ namespace: NS, name: 'web-6d9f8b7c5-q9w4z', labels: { app: 'web', 'pod-template-hash': '6d9f8b7c5' }, containers: [{ name: 'nginx', image: nginx }] })];
  const db = await kubelet.run({ namespace: NS, name: 'db-0', labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'controller-revision-hash': 'db-7f9c' }, containers: [{ name: 'redis', image: criImageRef(LAB_IMAGES.redis) }] });
  pods.push(...web, db);
  const sandboxIp = async (pod: RunningPod) => (await kubelet!.cri.runtime<{ status: { network: { ip: string } } }>('PodSandboxStatus', 'PodSandboxStatusRequest', 'PodSandboxStatusResponse', { podSandboxId: pod.sandbox })).status.network.ip;
  const [webA, webB, dbIp] = [await sandboxIp(web[0]!), await sandboxIp(web[1]!), await sandboxIp(db)];
  // the node agent asks both web replicas and the database, over and over
  const agent = await kubelet.run({
    namespace: NS, name: 'agent-8wkz5', labels: { app: 'agent', 'controller-revision-hash': '5c8d7', 'pod-template-generation': '1' },
    containers: [{ name: 'agent', image: criImageRef(LAB_IMAGES.busybox), command: ['sh', '-c', `while true; do wget -q -O /dev/null http://${webA}/; wget -q -O /dev/null http://${webB}/; echo PING | nc -w 1 ${dbIp} 6379 >/dev/null; sleep 0.3; done`] }],
  });
  pods.push(agent);

  // a container of the Docker engine on the same host is followed too
  const plain = docker('run', '-d', '--label', `${LAB_LABEL}=k8s-test`, LAB_IMAGES.busybox, 'sleep', '600');
  const stored = () => (JSON.parse(tenet(['status', '--data', data, '--format', 'json']).stdout) as { containers: Array<{ id: string; running: boolean; namespace?: string }> }).containers;
  await until('the Docker container and the pods\' containers are followed', () => {
    const now = stored();
    return now.some((c) => c.id === plain && c.running) && now.filter((c) => c.namespace === NS && c.running).length === 4 ? true : undefined;
  }, 30_000).catch(fail);
  docker('rm', '-f', plain);

  // learned per image and namespace
  const models = () => JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[];
  const nginxId = docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.nginx);
  await until('the models are active', () => {
    const m = models();
    return [nginxId, docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.busybox)].every((id) => m.some((x) => x.id === `${NS}/${id}` && x.state === 'active')) ? true : undefined;
  }, 90_000).catch(fail);
  const webModel = models().find((m) => m.id === `${NS}/${nginxId}`)!;
  assert.ok(webModel.processes.some((p) => p.path.endsWith('/nginx')), 'nginx learned as its program');
  assert.ok(webModel.processes.some((p) => p.sources.some((s) => s.kind === 'image')), 'seeded from its image, read from containerd');

  // joined in the learned graph as namespace/workload
  await until('the learned graph', () => {
    const graph = (JSON.parse(tenet(['supermodel', '--data', data, '--format', 'json']).stdout) as Supermodel[]).find((s) => s.app === NS);
    const edges = new Set(graph?.edges.map((e) => `${e.from} → ${e.to}:${e.targetPort}`));
    return edges.has(`${NS}/agent → ${NS}/web:80`) && edges.has(`${NS}/agent → ${NS}/db:6379`) ? true : undefined;
  }, 30_000).catch(fail);

  // a shell in one web pod: an audit naming namespace, pod and container
  const nginxA = web[0]!.containers.get('nginx')!;
  assert.equal((await kubelet.exec(nginxA, ['sh', '-c', 'true'])).exitCode, 0);
  const shell = await until('the audit of the shell', () => audits.find((a) => a.rule === 'unexpected-process' && a.event.process?.path === '/usr/bin/sh'), 10_000).catch(fail);
  assert.equal(shell.container.namespace, NS);
  assert.equal(shell.container.pod, 'web-6d9f8b7c5-x7k2p');
  assert.equal(shell.container.name, 'web-6d9f8b7c5-x7k2p/nginx');

  // prevent: the shell is killed, a connection outside the model dropped, the pods run on
  const status = async (id: string) => (await kubelet!.cri.runtime<Status>('ContainerStatus', 'ContainerStatusRequest', 'ContainerStatusResponse', { containerId: id })).status;
  const before = await Promise.all(web.map((p) => status(p.containers.get('nginx')!)));
  assert.equal(tenet(['mode', 'prevent', '--image', nginxId, '--dimension', 'processes', '--data', data]).status, 0);
  await until('the shell is killed', async () => ((await kubelet!.exec(nginxA, ['sh', '-c', 'true'])).exitCode === 137 ? true : undefined), 30_000).catch(fail);
  const killed = await until('the audit of the kill', () => audits.find((a) => a.action?.taken === 'process-killed' && a.container.pod === 'web-6d9f8b7c5-x7k2p'), 10_000).catch(fail);
  assert.equal(killed.container.namespace, NS);
  // nginx never spoke to the database: with its egress prevented, from its pod that is dropped
  assert.equal(tenet(['mode', 'alert', '--image', nginxId, '--dimension', 'processes', '--data', data]).status, 0);
  assert.equal(tenet(['mode', 'prevent', '--image', nginxId, '--dimension', 'egress', '--data', data]).status, 0);
  // the table goes into the pod's network namespace (the sensor says a peer once: the connection is tried once it is there)
  const verbose = await kubelet.cri.runtime<{ info: Record<string, string> }>('ContainerStatus', 'ContainerStatusRequest', 'ContainerStatusResponse', { containerId: nginxA, verbose: true });
  const pid = String((JSON.parse(verbose.info.info!) as { pid: number }).pid);
  await until('the table is in the pod', () => (spawnSync('nsenter', ['-t', pid, '-n', 'nft', 'list', 'tables'], { encoding: 'utf8' }).stdout.includes('tenet') ? true : undefined), 30_000).catch(fail);
  const connect = await kubelet.exec(nginxA, ['timeout', '3', 'bash', '-c', `exec 3<>/dev/tcp/${dbIp}/6379`], 20);
  assert.equal(connect.exitCode, 124, 'the connection times out');
  await until('the audit of the drop', () => audits.find((a) => a.action?.taken === 'connection-dropped' && a.container.namespace === NS), 10_000)
    .catch((e: Error) => fail(new Error(`${e.message}: ${audits.map((a) => `${a.rule} ${a.action?.taken ?? ''} ${a.lacked?.entry ?? ''} ${a.message}`).join('\n')}`)));
  // the replica next to it still answers the agent, whose model has it
  assert.equal((await kubelet.exec(agent.containers.get('agent')!, ['wget', '-q', '-O', '/dev/null', `http://${webA}/`])).exitCode, 0);
  const after = await Promise.all(web.map((p) => status(p.containers.get('nginx')!)));
  assert.deepEqual(after.map((s) => [s.state, s.startedAt, s.metadata.attempt]), before.map((s) => ['CONTAINER_RUNNING', s.startedAt, 0]), 'the same containers, never restarted');
  assert.equal(tenet(['mode', 'alert', '--image', nginxId, '--dimension', 'egress', '--data', data]).status, 0);
});

// A client pod reaches its server through a Service: cluster DNS answers the
// Service's name with a ClusterIP, and the node rewrites the ClusterIP to the
// server pod's address. The lab has neither kube-proxy nor CoreDNS: the DNS
// server is the test's own, on the pod bridge's address; the rewrite is an
// nftables DNAT on the node, where kube-proxy's is (replies between pods of
// one bridge are rewritten back through the bridge's netfilter calls, as
// kube-proxy needs too). Nothing here leaves the pod bridge: the client
// connects only once the rewrite is in place.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, test } from 'node:test';
import { BRIDGE_NF, CNI_GATEWAY, CRI_SOCKET, criImageRef } from '../../lab/node.ts';
import type { Audit, IntentModel, Supermodel } from '../../src/model/index.ts';
import { TestDnsServer } from '../dns-server.ts';
import { BIN, tenet } from '../run-cli.ts';
import { TestKubelet, type RunningPod } from './kubelet.ts';
import { docker, inLab, LAB_IMAGES, until } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-svc-'));
const data = join(work, 'data');
const NS = 'shop-svc';
const API = `api.${NS}.svc.cluster.local`;
/** A request to the Service by the name the manifest would write (`http://api/`), a new connection each time. */
const GET = 'require(\'http\').get({ host: \'api\', port: 80, path: \'/\', agent: false }, (r) => r.resume())';
/** A connection to the bridge's address on a port, from the client: exits 0 once connected, 1 if refused. */
const connectTo = (port: number) => ['timeout', '3', 'node', '-e', `require('net').connect(${port}, '${CNI_GATEWAY}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`];
/** The node's rewrite of the Service's ClusterIPs to the server pod, as kube-proxy's: on the node, before routing. */
const SERVICE_TABLE = 'ip tenet-test-svc';
const pods: RunningPod[] = [];
let kubelet: TestKubelet | undefined;
let defender: ChildProcess | undefined;
let dns: TestDnsServer | undefined;

after(async () => {
  defender?.kill('SIGTERM');
  if (defender !== undefined && defender.exitCode === null) await new Promise((r) => defender!.once('exit', r));
  for (const pod of pods) await kubelet?.remove(pod).catch(() => undefined);
  kubelet?.close();
  await dns?.close();
  spawnSync('nft', ['delete', 'table', ...SERVICE_TABLE.split(' ')]);
  rmSync(work, { recursive: true, force: true });
});

test('a Service: the client\'s model keeps the name it asked, not the ClusterIP; the Service recreated with a new ClusterIP is still known; the server\'s side joins the client in the learned graph; prevent lets the name\'s address through and drops another', { timeout: 300_000 }, async (t) => {
  if (!(await inLab(t))) return;
  assert.equal(readFileSync(BRIDGE_NF, 'utf8').trim(), '1', `${BRIDGE_NF}: the lab node passes its bridge's frames to netfilter (npm run lab:up)`);
  kubelet = new TestKubelet(CRI_SOCKET);
  const audits: Audit[] = [];
  const log: string[] = [];
  defender = spawn(process.execPath, [BIN, 'defender', '--runtime', `cri:${CRI_SOCKET}`, '--learn-for', '8s', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  createInterface({ input: defender.stdout! }).on('line', (line) => audits.push(JSON.parse(line) as Audit));
  createInterface({ input: defender.stderr! }).on('line', (line) => log.push(line));
  const fail = (e: Error) => {
    throw new Error(`${e.message}\n${log.join('\n')}\n${audits.map((a) => `${a.rule} ${a.action?.taken ?? ''} ${a.lacked?.entry ?? ''} ${a.message}`).join('\n')}`);
  };
  await until('the defender runs', () => (log.some((l) => l.includes('defender running')) ? true : undefined), 60_000).catch(fail);

  // the server, a Deployment serving 8080; the client asks `http://api/` (its resolver completes the name), once the rewrite is in place
  const api = await kubelet.run({
    namespace: NS, name: 'api-7c9d8f6b5-m2x8q', labels: { app: 'api', 'pod-template-hash': '7c9d8f6b5' },
    containers: [{ name: 'api', image: criImageRef(LAB_IMAGES.busybox), command: ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'] }],
  });
  pods.push(api);
  // on the bridge's address, which is there once the node's first pod is
  dns = await TestDnsServer.start(CNI_GATEWAY, 53);
  dns.set(API, ['10.96.7.7']);
  const web = await kubelet.run({
    namespace: NS, name: 'web-5b7f9c8d4-k4p2w', labels: { app: 'web', 'pod-template-hash': '5b7f9c8d4' }, clusterDns: CNI_GATEWAY,
    containers: [{
      name: 'web', image: criImageRef(LAB_IMAGES.node),
      command: ['node', '-e', `setInterval(() => require('fs').existsSync('/tmp/go') && ${GET}.on('error', () => {}), 500)`],
    }],
  });
  pods.push(web);
  const status = async (pod: RunningPod) => (await kubelet!.cri.runtime<{ status: { network: { ip: string } } }>('PodSandboxStatus', 'PodSandboxStatusRequest', 'PodSandboxStatusResponse', { podSandboxId: pod.sandbox })).status.network.ip;
  const apiIp = await status(api);
  const webContainer = web.containers.get('web')!;
  const verbose = await kubelet.cri.runtime<{ info: Record<string, string> }>('ContainerStatus', 'ContainerStatusRequest', 'ContainerStatusResponse', { containerId: webContainer, verbose: true });
  const webPid = String((JSON.parse(verbose.info.info!) as { pid: number }).pid);
  const serviceAt = (clusterIps: string[]) => {
    const rules = clusterIps.map((ip) => `    ip daddr ${ip} tcp dport 80 dnat to ${apiIp}:8080`);
    const text = [`table ${SERVICE_TABLE} {}`, `delete table ${SERVICE_TABLE}`, `table ${SERVICE_TABLE} {`, '  chain prerouting {', '    type nat hook prerouting priority dstnat; policy accept;', ...rules, '  }', '}', ''].join('\n');
    const r = spawnSync('nft', ['-f', '-'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };
  serviceAt(['10.96.7.7']);
  assert.equal((await kubelet.exec(webContainer, ['touch', '/tmp/go'])).exitCode, 0);

  // learned: the client's model has the name, never the ClusterIP
  const models = () => JSON.parse(tenet(['models', '--data', data, '--format', 'json']).stdout) as IntentModel[];
  const clientImage = docker('image', 'inspect', '-f', '{{.Id}}', LAB_IMAGES.node);
  const webModel = await until('the client\'s model is active with the Service\'s name', () => {
    const m = models().find((x) => x.id === `${NS}/${clientImage}`);
    return m?.state === 'active' && m.network.egress.length > 0 ? m : undefined;
  }, 90_000).catch(fail);
  // (and its resolver's own connection to the DNS server)
  assert.deepEqual(webModel.network.egress.map((e) => `${e.protocol}/${e.host}:${e.port}`).sort(), [`tcp/${API}:80`, `udp/${CNI_GATEWAY}:53`]);

  // the learned graph: the client joined to the server from the server's side, on the port it serves
  const graph = await until('the learned graph', () => {
    const s = (JSON.parse(tenet(['supermodel', '--data', data, '--format', 'json']).stdout) as Supermodel[]).find((x) => x.app === NS);
    return s?.edges.some((e) => e.from === `${NS}/web` && e.to === `${NS}/api` && e.targetPort === 8080) === true ? s : undefined;
  }, 30_000).catch((e: Error) => fail(new Error(`${e.message}: ${tenet(['supermodel', '--data', data, '--format', 'json']).stdout}`)));
  assert.equal(graph.edges.find((e) => e.to === `${NS}/api`)!.state, 'learned');
  assert.ok(graph.outside?.some((o) => o.from === `${NS}/web` && o.address === '10.96.7.7' && o.name === API), 'the ClusterIP, with the name it was asked by');

  // the Service recreated: a new ClusterIP (the sensor says a query once per name: the defender asks the name again itself)
  serviceAt(['10.96.7.7', '10.96.7.8']);
  dns.set(API, ['10.96.7.8']);
  await until('the new ClusterIP known by the name', () => {
    const s = (JSON.parse(tenet(['supermodel', '--data', data, '--format', 'json']).stdout) as Supermodel[]).find((x) => x.app === NS);
    return s?.outside?.some((o) => o.from === `${NS}/web` && o.address === '10.96.7.8' && o.name === API) === true ? true : undefined;
  }, 30_000).catch(fail);
  const egressAudits = () => audits.filter((a) => a.lacked?.dimension === 'egress' && a.container.pod === 'web-5b7f9c8d4-k4p2w');
  assert.deepEqual(egressAudits().map((a) => a.lacked?.entry), [], 'the new ClusterIP is the name\'s');

  // an address no name has is a deviation by its address
  await kubelet.exec(webContainer, connectTo(9), 10);
  await until('the audit of the other address', () => egressAudits().find((a) => a.lacked?.entry === `tcp/${CNI_GATEWAY}:9`), 10_000).catch(fail);

  // prevent: the pod's table holds the name's address now, so the Service answers; another address is dropped
  assert.equal(tenet(['mode', 'prevent', '--image', clientImage, '--dimension', 'egress', '--data', data]).status, 0);
  await until('the table holds the name\'s address', () => {
    const table = spawnSync('nsenter', ['-t', webPid, '-n', 'nft', 'list', 'table', 'inet', 'tenet'], { encoding: 'utf8' }).stdout;
    return table.includes('10.96.7.8 . tcp . 80') ? true : undefined;
  }, 30_000).catch(fail);
  const served = await kubelet.exec(webContainer, ['timeout', '5', 'node', '-e', `${GET.replace('r.resume()', 'r.pipe(process.stdout)')}.on('error', (e) => { console.error(e.message); process.exit(1); })`], 10);
  assert.ok(served.exitCode === 0 && served.stdout.trim() === 'ok', `the Service answers: ${JSON.stringify(served)}`);
  const dropped = await kubelet.exec(webContainer, connectTo(8), 10);
  assert.equal(dropped.exitCode, 124, 'the connection times out');
  await until('the audit of the drop', () => egressAudits().find((a) => a.lacked?.entry === `tcp/${CNI_GATEWAY}:8` && a.action?.taken === 'connection-dropped'), 10_000).catch(fail);
  assert.equal(tenet(['mode', 'alert', '--image', clientImage, '--dimension', 'egress', '--data', data]).status, 0);
});

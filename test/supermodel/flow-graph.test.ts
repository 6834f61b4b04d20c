import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Supermodel } from '../../src/model/index.ts';
import { edgeKey, FlowGraph, isPrivateAddress, joinSupermodels, type Endpoint } from '../../src/supermodel/index.ts';

const T = Date.parse('2026-11-30T10:00:00Z');
const at = (s: number) => T + s * 1000;
const endpoint = (container: string, service: string, address: string, extra: Partial<Endpoint> = {}): Endpoint =>
  ({ container, node: `shop/${service}`, app: 'shop', model: `sha256:${service}`, addresses: [{ address, from: at(0) }], ...extra });

function shop(): FlowGraph {
  const graph = new FlowGraph(['172.20.0.1']);
  graph.addEndpoint(endpoint('c-web', 'web', '172.20.0.2'));
  graph.addEndpoint(endpoint('c-api', 'api', '172.20.0.3'));
  graph.addEndpoint(endpoint('c-redis', 'redis', '172.20.0.4'));
  graph.addEndpoint(endpoint('c-worker', 'worker', '172.20.0.5'));
  // a second replica of the api, and a container of another application
  graph.addEndpoint(endpoint('c-api-2', 'api', '172.20.0.6'));
  graph.addEndpoint({ container: 'c-other', node: 'billing/db', app: 'billing', addresses: [{ address: '172.21.0.2', from: at(0) }] });
  return graph;
}

test('connections become edges between workloads, counted, with their first and last times', () => {
  const graph = shop();
  for (let i = 0; i < 10; i++) graph.addFlow({ time: at(i), container: 'c-web', address: i % 2 === 0 ? '172.20.0.3' : '172.20.0.6', port: 3000, protocol: 'tcp' });
  graph.addFlow({ time: at(5), container: 'c-api', address: '172.20.0.4', port: 6379, protocol: 'tcp' });
  graph.addFlow({ time: at(6), container: 'c-worker', address: '172.20.0.4', port: 6379, protocol: 'tcp' });
  graph.addFlow({ time: at(7), container: 'c-api', address: '172.20.0.3', port: 3000, protocol: 'tcp' }); // to itself: no edge
  const [app] = graph.supermodels().filter((s) => s.app === 'shop');
  assert.ok(Supermodel.safeParse(app).success);
  // no model learned: every edge is outside the (empty) graph
  assert.deepEqual(app!.nodes.map((n) => n.id), ['shop/api', 'shop/redis', 'shop/web', 'shop/worker']);
  assert.deepEqual(app!.edges.map((e) => [e.from, e.to, e.targetPort, e.count, e.state]), [
    ['shop/api', 'shop/redis', 6379, 1, 'anomalous'],
    ['shop/web', 'shop/api', 3000, 10, 'anomalous'],
    ['shop/worker', 'shop/redis', 6379, 1, 'anomalous'],
  ]);
  const web = app!.edges[1]!;
  assert.equal(web.firstSeen, new Date(at(0)).toISOString());
  assert.equal(web.lastSeen, new Date(at(9)).toISOString());
  assert.deepEqual(web.sources, [{ kind: 'learned', firstSeen: web.firstSeen, lastSeen: web.lastSeen }]);
});

test('an address is the workload that had it at the time: a restarted container may hand its address to another', () => {
  const graph = new FlowGraph();
  graph.addEndpoint({ container: 'c-web', node: 'shop/web', app: 'shop', addresses: [{ address: '172.20.0.2', from: at(0) }] });
  graph.addEndpoint({ container: 'c-api-old', node: 'shop/api', app: 'shop', addresses: [{ address: '172.20.0.9', from: at(0), to: at(10) }] });
  graph.addEndpoint({ container: 'c-db', node: 'shop/db', app: 'shop', addresses: [{ address: '172.20.0.9', from: at(11) }] });
  graph.addFlow({ time: at(5), container: 'c-web', address: '172.20.0.9', port: 80, protocol: 'tcp' });
  graph.addFlow({ time: at(15), container: 'c-web', address: '172.20.0.9', port: 5432, protocol: 'tcp' });
  assert.deepEqual(graph.supermodels()[0]!.edges.map((e) => `${e.to}:${e.targetPort}`), ['shop/api:80', 'shop/db:5432']);
});

test('traffic leaving the application is classified: another application, the host, a private address, the internet with the name asked', () => {
  const graph = shop();
  graph.addFlow({ time: at(1), container: 'c-api', address: '172.21.0.2', port: 5432, protocol: 'tcp' });
  graph.addFlow({ time: at(2), container: 'c-api', address: '172.20.0.1', port: 9100, protocol: 'tcp' });
  graph.addFlow({ time: at(3), container: 'c-api', address: '10.9.9.9', port: 443, protocol: 'tcp' });
  graph.addFlow({ time: at(4), container: 'c-worker', address: '203.0.113.7', port: 443, protocol: 'tcp', name: 'api.stripe.com' });
  graph.addFlow({ time: at(5), container: 'c-worker', address: '203.0.113.7', port: 443, protocol: 'tcp' });
  graph.addFlow({ time: at(6), container: 'c-unknown', address: '203.0.113.7', port: 443, protocol: 'tcp' });
  const app = graph.supermodels().find((s) => s.app === 'shop')!;
  assert.deepEqual(app.edges, []);
  assert.deepEqual(app.outside!.map((o) => [o.from, o.address, o.port, o.class, o.node, o.name, o.count]), [
    ['shop/api', '10.9.9.9', 443, 'private', undefined, undefined, 1],
    ['shop/api', '172.20.0.1', 9100, 'host', undefined, undefined, 1],
    ['shop/api', '172.21.0.2', 5432, 'other-app', 'billing/db', undefined, 1],
    ['shop/worker', '203.0.113.7', 443, 'internet', undefined, 'api.stripe.com', 2],
  ]);
  assert.equal(graph.unattributed, 1);
});

test('joined to the declared graph: both, declared never observed, and observed outside the graph (anomalous)', () => {
  const graph = shop();
  const declaredSource = { kind: 'declared' as const, format: 'compose' as const, file: 'compose.yaml', line: 9 };
  const declared: Supermodel = {
    apiVersion: 'tenet/v1', kind: 'Supermodel', app: 'shop',
    nodes: [{ id: 'shop/web', models: ['compose:shop/web'] }, { id: 'shop/api', models: [] }, { id: 'shop/redis', models: [] }, { id: 'shop/worker', models: [] }],
    edges: [
      { from: 'shop/web', to: 'shop/api', port: 3000, targetPort: 3000, protocol: 'tcp', host: 'api', sources: [declaredSource] },
      { from: 'shop/worker', to: 'shop/redis', port: 6379, targetPort: 6379, protocol: 'tcp', host: 'redis', sources: [declaredSource] },
    ],
  };
  for (const e of declared.edges) graph.allow(e);
  assert.deepEqual(graph.addFlow({ time: at(1), container: 'c-web', address: '172.20.0.3', port: 3000, protocol: 'tcp' }), { from: 'shop/web', to: 'shop/api', inside: true, first: true });
  assert.deepEqual(graph.addFlow({ time: at(2), container: 'c-web', address: '172.20.0.4', port: 6379, protocol: 'tcp' }), { from: 'shop/web', to: 'shop/redis', inside: false, first: true });
  // learned while the api's model learns: part of the graph from then on
  assert.deepEqual(graph.addFlow({ time: at(3), container: 'c-api', address: '172.20.0.4', port: 6379, protocol: 'tcp' }, true), { from: 'shop/api', to: 'shop/redis', inside: true, first: true });
  assert.equal(graph.addFlow({ time: at(3), container: 'c-web', address: '203.0.113.7', port: 443, protocol: 'tcp' }), undefined, 'leaving the application');
  const app = joinSupermodels(graph.supermodels(), [declared]).find((s) => s.app === 'shop')!;
  assert.deepEqual(app.edges.map((e) => [e.from, e.to, e.state, e.sources.map((s) => s.kind).join('+'), e.count]), [
    ['shop/api', 'shop/redis', 'learned', 'learned', 1],
    ['shop/web', 'shop/api', 'both', 'declared+learned', 1],
    ['shop/web', 'shop/redis', 'anomalous', 'learned', 1],
    ['shop/worker', 'shop/redis', 'declared', 'declared', undefined],
  ]);
  assert.deepEqual(app.nodes.find((n) => n.id === 'shop/web')!.models, ['compose:shop/web', 'sha256:web']);
  assert.equal(edgeKey(app.edges[0]!), 'shop/api\0shop/redis\x006379\0tcp');
});

test('a stopped container\'s address is no longer its own', () => {
  const graph = shop();
  graph.leave('c-api', at(10));
  graph.addFlow({ time: at(5), container: 'c-web', address: '172.20.0.3', port: 3000, protocol: 'tcp' });
  graph.addFlow({ time: at(20), container: 'c-web', address: '172.20.0.3', port: 3000, protocol: 'tcp' });
  const app = graph.supermodels().find((s) => s.app === 'shop')!;
  assert.deepEqual(app.edges.map((e) => e.count), [1]);
  assert.deepEqual(app.outside!.map((o) => [o.address, o.class]), [['172.20.0.3', 'private']]);
});

test('private addresses', () => {
  for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', 'fe80::1']) assert.ok(isPrivateAddress(a), a);
  for (const a of ['172.32.0.1', '8.8.8.8', '203.0.113.7', '2001:db8::1', 'example.com']) assert.ok(!isPrivateAddress(a), a);
});

test('containers that start after flows were counted join the same graph', () => {
  const graph = new FlowGraph();
  graph.addEndpoint(endpoint('c-web', 'web', '172.20.0.2'));
  graph.addEndpoint(endpoint('c-api', 'api', '172.20.0.3'));
  graph.addFlow({ time: at(1), container: 'c-web', address: '172.20.0.3', port: 3000, protocol: 'tcp' });
  for (let i = 0; i < 50; i++) graph.addEndpoint(endpoint(`c-x${i}`, `x${i}`, `172.20.1.${i}`));
  graph.addEndpoint(endpoint('c-api-2', 'api', '172.20.0.6'));
  graph.addFlow({ time: at(2), container: 'c-web', address: '172.20.0.6', port: 3000, protocol: 'tcp' });
  graph.addFlow({ time: at(3), container: 'c-x7', address: '172.20.0.3', port: 3000, protocol: 'tcp' });
  assert.deepEqual(graph.supermodels()[0]!.edges.map((e) => `${e.from}>${e.to} ${e.count}`), ['shop/web>shop/api 2', 'shop/x7>shop/api 1']);
});

test('a connection counted before its server was known joins the graph once the server is known', () => {
  const graph = new FlowGraph();
  graph.addEndpoint(endpoint('c-worker', 'worker', '172.20.0.5'));
  assert.equal(graph.addFlow({ time: at(3), container: 'c-worker', address: '172.20.0.4', port: 6379, protocol: 'tcp' }, true), undefined);
  graph.addFlow({ time: at(4), container: 'c-worker', address: '127.0.0.11', port: 53, protocol: 'udp' });
  graph.addFlow({ time: at(4), container: 'c-worker', address: '127.0.0.1', port: 9000, protocol: 'tcp' });
  // the server counts as started a moment after it could be reached
  graph.addEndpoint({ ...endpoint('c-redis', 'redis', '172.20.0.4'), addresses: [{ address: '172.20.0.4', from: at(3.5) }] });
  const app = graph.supermodels()[0]!;
  assert.deepEqual(app.edges.map((e) => [e.from, e.to, e.targetPort, e.state, e.count]), [['shop/worker', 'shop/redis', 6379, 'learned', 1]]);
  assert.deepEqual(app.outside!.map((o) => [o.address, o.class]), [['127.0.0.11', 'host']], 'Docker\'s DNS is the host; the container\'s own loopback is nothing');
  assert.deepEqual(graph.addFlow({ time: at(5), container: 'c-worker', address: '172.20.0.4', port: 6379, protocol: 'tcp' }), { from: 'shop/worker', to: 'shop/redis', inside: true, first: false });
});

test('a connection to the host on a port a container publishes goes to that container', () => {
  const graph = shop();
  graph.addEndpoint({ ...endpoint('c-api-pub', 'api', '172.20.0.7'), published: [{ hostPort: 18080, port: 3000, protocol: 'tcp' }] });
  assert.deepEqual(graph.addFlow({ time: at(1), container: 'c-web', address: '172.20.0.1', port: 18080, protocol: 'tcp' }, true), { from: 'shop/web', to: 'shop/api', inside: true, first: true });
  graph.addFlow({ time: at(2), container: 'c-web', address: '172.20.0.1', port: 9100, protocol: 'tcp' });
  const app = graph.supermodels().find((s) => s.app === 'shop')!;
  assert.deepEqual(app.edges.map((e) => `${e.from}>${e.to}:${e.targetPort}`), ['shop/web>shop/api:3000']);
  assert.deepEqual(app.outside!.map((o) => [o.address, o.port, o.class]), [['172.20.0.1', 9100, 'host']]);
});

test('an edge outside the graph whose connections prevent dropped is blocked', () => {
  const graph = shop();
  graph.addFlow({ time: at(1), container: 'c-web', address: '172.20.0.4', port: 6379, protocol: 'tcp' });
  graph.addFlow({ time: at(2), container: 'c-worker', address: '172.20.0.4', port: 6379, protocol: 'tcp' });
  graph.block('shop/web', 'shop/redis', 6379, 'tcp');
  assert.deepEqual(graph.supermodels().find((s) => s.app === 'shop')!.edges.map((e) => `${e.from} ${e.state}`), ['shop/web blocked', 'shop/worker anomalous']);
});

test('the peers the graph allows a container, at their addresses now: a restarted server\'s new address included', () => {
  const graph = shop();
  graph.addFlow({ time: at(1), container: 'c-web', address: '172.20.0.3', port: 3000, protocol: 'tcp' }, true);
  graph.addFlow({ time: at(2), container: 'c-web', address: '172.20.0.4', port: 6379, protocol: 'tcp' }); // outside the graph
  assert.deepEqual(graph.peersOf('c-web'), [
    { host: '172.20.0.3', port: 3000, protocol: 'tcp' },
    { host: '172.20.0.6', port: 3000, protocol: 'tcp' },
  ], 'both replicas of the api, not redis');
  graph.leave('c-api', at(10));
  graph.addEndpoint({ ...endpoint('c-api-new', 'api', '172.20.0.9'), addresses: [{ address: '172.20.0.9', from: at(11) }] });
  assert.deepEqual(graph.peersOf('c-web').map((p) => p.host), ['172.20.0.6', '172.20.0.9']);
  assert.deepEqual(graph.peersOf('c-redis'), []);
  assert.deepEqual(graph.peersOf('nobody'), []);
});

test('a client that reached its server through a Service\'s virtual address is joined to it from the server\'s side, on the port served; an edge the client\'s side counts is not counted twice, and is never what a connection is judged by', () => {
  const graph = shop();
  // web asks api.shop.svc.cluster.local, connects to its ClusterIP; the api accepts from web's own address
  assert.equal(graph.addFlow({ time: at(1), container: 'c-web', address: '10.96.7.7', port: 80, protocol: 'tcp', name: 'api.shop.svc.cluster.local' }, true), undefined);
  assert.deepEqual(graph.addAccept({ time: at(1), container: 'c-api', address: '172.20.0.2', port: 3000, protocol: 'tcp' }, true), { first: true });
  assert.deepEqual(graph.addAccept({ time: at(2), container: 'c-api-2', address: '172.20.0.2', port: 3000, protocol: 'tcp' }, true), { first: false });
  // the worker connects to the api's own address: its side counts that edge
  graph.addFlow({ time: at(3), container: 'c-worker', address: '172.20.0.3', port: 3000, protocol: 'tcp' }, true);
  assert.deepEqual(graph.addAccept({ time: at(3), container: 'c-api', address: '172.20.0.5', port: 3000, protocol: 'tcp' }, true), { first: false });
  // a client outside the application, or unknown: the server's side does not count it
  assert.equal(graph.addAccept({ time: at(4), container: 'c-api', address: '172.21.0.2', port: 3000, protocol: 'tcp' }, true), undefined);
  assert.equal(graph.addAccept({ time: at(4), container: 'c-api', address: '203.0.113.9', port: 3000, protocol: 'tcp' }, true), undefined);
  // counted while the api's model did not learn: shown as anomalous
  graph.addAccept({ time: at(5), container: 'c-redis', address: '172.20.0.2', port: 6379, protocol: 'tcp' }, false);
  const s = graph.supermodels().find((m) => m.app === 'shop');
  const edges = s!.edges.map((e) => `${e.from}→${e.to}:${e.targetPort} ${e.state} ${e.count}`);
  assert.deepEqual(edges, ['shop/web→shop/api:3000 learned 2', 'shop/web→shop/redis:6379 anomalous 1', 'shop/worker→shop/api:3000 learned 1']);
  assert.deepEqual(s!.outside?.map((o) => [o.address, o.name, o.class]), [['10.96.7.7', 'api.shop.svc.cluster.local', 'private']]);
  // what the server's side learned is not what a connection is judged by: the web's direct connection to the api is outside the graph
  assert.equal(graph.addFlow({ time: at(6), container: 'c-web', address: '172.20.0.3', port: 3000, protocol: 'tcp' }, false)?.inside, false);
});

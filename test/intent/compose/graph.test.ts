import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeYaml, at, edgeLines, lineOf, modelNamed } from './helpers.ts';

const FILE = 'app/compose.yaml';

test('the supermodel of a small project, whole', () => {
  const text = `name: Shop_App
services:
  web:
    image: shop/web:2
    environment:
      API_URL: http://api:8080/v1
    depends_on: [api]
  api:
    image: shop/api:2
    ports: ["8080:8080"]
    environment:
      DB_HOST: postgres
    depends_on:
      postgres:
        condition: service_healthy
  postgres:
    image: postgres:16
    expose: [5432]
`;
  const result = analyzeYaml(text);
  const node = (name: string) => ({ id: `shop_app/${name}`, kind: 'ComposeService', models: [`compose:shop_app/${name}`] });
  assert.deepEqual(result.supermodels, [{
    apiVersion: 'tenet/v1',
    kind: 'Supermodel',
    app: 'shop_app',
    nodes: [node('api'), node('postgres'), node('web')],
    edges: [
      // The host-only reference reaches every declared port; depends_on adds nothing to it.
      { from: 'shop_app/api', to: 'shop_app/postgres', port: 5432, targetPort: 5432, protocol: 'tcp', sources: [at(FILE, 12, 'services.api.environment.DB_HOST')] },
      { from: 'shop_app/web', to: 'shop_app/api', port: 8080, targetPort: 8080, protocol: 'tcp', sources: [at(FILE, 6, 'services.web.environment.API_URL')] },
    ],
  }]);
  assert.deepEqual(modelNamed(result, 'web').network.dns, [{ name: 'api', sources: [at(FILE, 6, 'services.web.environment.API_URL')] }]);
  assert.deepEqual(result.findings, []);
});

test('hostnames: container names, network aliases and link aliases', () => {
  const text = `services:
  client:
    image: c:1
    environment:
      A: http://the-db:5432
      B: search-alias:9200
      C: legacy:11211
      D: tcp://metrics:9125
    links: ["cache:legacy"]
  db:
    image: postgres:16
    container_name: the-db
  search:
    image: elasticsearch:8.1.0
    networks:
      default:
        aliases: [search-alias]
  cache:
    image: memcached:1.6
  statsd:
    image: statsd:1
    expose: ["9125/udp"]
    networks:
      default:
        aliases: [metrics]
`;
  const result = analyzeYaml(text);
  assert.deepEqual(edgeLines(result), [
    'app/client -> app/cache 11211/tcp',
    'app/client -> app/db 5432/tcp',
    'app/client -> app/search 9200/tcp',
    'app/client -> app/statsd 9125/udp',
  ]);
  const client = modelNamed(result, 'client');
  assert.deepEqual(client.network.egress.map((e) => `${e.host}:${e.port}/${e.protocol}`), ['the-db:5432/tcp', 'search-alias:9200/tcp', 'legacy:11211/tcp', 'metrics:9125/udp']);
  // The link gives no second edge to cache, which the environment already reaches.
  assert.equal(result.supermodels[0]?.edges.find((e) => e.to === 'app/cache')?.sources.length, 1);
});

test('services on disjoint networks get no edge, but keep the egress entry', () => {
  const text = `services:
  front:
    image: f:1
    networks: [public]
    environment:
      BACKEND: back:9000
    depends_on: [db]
  back:
    image: b:1
    networks: [public, private]
    expose: ["9000"]
    depends_on: [db]
  db:
    image: mysql:8
    networks: [private]
  loner:
    image: l:1
    environment:
      DB_ADDR: db:3306
  host:
    image: h:1
    network_mode: host
    environment:
      DB_ADDR: db:3306
  isolated:
    image: i:1
    network_mode: none
    environment:
      DB_ADDR: db:3306
`;
  const result = analyzeYaml(text);
  assert.deepEqual(edgeLines(result), [
    'app/back -> app/db 3306/tcp',
    'app/back -> app/db 33060/tcp', // the mysql image also listens on its X Protocol port
    'app/front -> app/back 9000/tcp',
    'app/host -> app/db 3306/tcp',
  ], 'front and db share no network; loner is on the default network only; isolated has none');
  assert.deepEqual(modelNamed(result, 'loner').network.egress.map((e) => `${e.host}:${e.port}`), ['db:3306']);
  assert.deepEqual(modelNamed(result, 'front').network.egress.map((e) => `${e.host}:${e.port}`), ['back:9000', 'db:3306', 'db:33060']);
  assert.equal(modelNamed(result, 'host').security.hostNetwork?.value, true);
});

test('references to names outside the project: internal ones are reported, external ones are not', () => {
  const text = `services:
  app:
    image: a:1
    environment:
      CACHE_HOST: redis
      QUEUE_URL: amqp://rabbit:5672
      PAYMENTS_URL: https://api.payments.example.com/v2
      LEGACY_ADDR: legacy-db:3306
      FEATURE_SERVER: "true"
    external_links: ["project_db_1:legacy-db"]
    depends_on: [worker]
    command: ["--queue", "rabbit:5672"]
`;
  const result = analyzeYaml(text);
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.line, f.location.path]), [
    ['TN011', lineOf(text, 'CACHE_HOST'), 'services.app.environment.CACHE_HOST'],
    ['TN011', lineOf(text, 'QUEUE_URL'), 'services.app.environment.QUEUE_URL'],
    ['TN011', lineOf(text, 'depends_on'), 'services.app.depends_on[0]'],
  ]);
  assert.deepEqual(result.supermodels[0]?.edges, []);
  const app = modelNamed(result, 'app');
  assert.deepEqual(app.network.egress.map((e) => `${e.host}:${e.port}`), ['rabbit:5672', 'api.payments.example.com:443', 'legacy-db:3306']);
  assert.deepEqual(app.network.dns.map((d) => d.name), ['redis', 'rabbit', 'api.payments.example.com', 'legacy-db']);
});

test('a reference to a port the target does not declare is still an edge, at that port', () => {
  const text = `services:
  app:
    image: a:1
    environment:
      METRICS: stats:8125
    command: ["--peer=stats:9999", "--other=nowhere:1"]
  stats:
    image: s:1
    expose: ["8125/udp", "8126"]
`;
  const result = analyzeYaml(text);
  assert.deepEqual(edgeLines(result), ['app/app -> app/stats 8125/udp', 'app/app -> app/stats 9999/tcp']);
  assert.deepEqual(result.supermodels[0]?.edges[1]?.sources, [at(FILE, 6, 'services.app.command')]);
});

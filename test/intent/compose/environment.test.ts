import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeFiles, analyzeYaml, at, lineOf, modelNamed } from './helpers.ts';

const FILE = 'shop/compose.yaml';
const COMPOSE = `services:
  api:
    image: shop/api:\${TAG}
    env_file:
      - common.env
      - path: ./optional.env
        required: false
      - gone.env
    environment:
      DB_HOST: \${DB}
      DB_PORT: 5432
      API_TOKEN: abc123
      ADMIN_PASSWORD: \${ADMIN_PW}
      BARE:
      UNSET_BARE:
      COST: 5$$
  cache:
    image: redis:\${REDIS_TAG:-7}
    env_file: cache.env
  db:
    image: postgres:16
    environment:
      - POSTGRES_PASSWORD=\${PG_PW:?set PG_PW}
      - POSTGRES_USER=shop
      - LOG
`;
const FILES = {
  [FILE]: COMPOSE,
  'shop/.env': 'TAG=from-dotenv\nDB=db\nLOG=verbose\n',
  'shop/common.env': '# shared\nREDIS_URL=redis://cache:6380/0\nDB_HOST=overridden-by-environment\n',
  'shop/cache.env': 'MAXMEMORY=${MEM:-1g}\nBROKEN=${NOPE}\n',
};

test('env files, environment maps and lists, .env and the shell environment', () => {
  const result = analyzeFiles(FILES, [FILE], { environment: { TAG: '1.4.2', BARE: 'from-shell' } });
  const api = modelNamed(result, 'api');
  assert.equal(api.image, 'shop/api:1.4.2', 'the shell wins over .env');
  assert.equal(modelNamed(result, 'cache').image, 'redis:7');
  // REDIS_URL from the env file, DB_HOST/DB_PORT from environment (which wins over the env file).
  assert.deepEqual(api.network.egress, [
    { host: 'cache', port: 6380, protocol: 'tcp', sources: [{ kind: 'declared', format: 'compose', file: 'shop/common.env', line: 2, path: 'REDIS_URL' }] },
    { host: 'db', port: 5432, protocol: 'tcp', sources: [at(FILE, 10, 'services.api.environment.DB_HOST'), at(FILE, 11, 'services.api.environment.DB_PORT')] },
  ]);
  assert.deepEqual(result.supermodels[0]?.edges.map((e) => [e.from, e.to, e.port]), [['shop/api', 'shop/cache', 6380], ['shop/api', 'shop/db', 5432]]);
  const found = result.findings.map((f) => `${f.code} ${f.location.file}:${f.location.line}`);
  assert.deepEqual(found.sort(), [
    `TN012 ${FILE}:${lineOf(COMPOSE, 'ADMIN_PASSWORD')}`,
    `TN012 ${FILE}:${lineOf(COMPOSE, 'POSTGRES_PASSWORD')}`,
    `TN012 shop/cache.env:2`,
    `TN013 ${FILE}:${lineOf(COMPOSE, 'gone.env')}`,
    `TN112 ${FILE}:${lineOf(COMPOSE, 'API_TOKEN')}`,
  ].sort());
  assert.equal(result.findings.find((f) => f.code === 'TN112')?.model, 'compose:shop/api');
  assert.match(result.findings.find((f) => f.location.line === lineOf(COMPOSE, 'POSTGRES_PASSWORD'))?.message ?? '', /required variable PG_PW has no value: set PG_PW/i);
});

test('a bare variable takes its value from the environment Compose runs in, or is left out', () => {
  const result = analyzeFiles(FILES, [FILE], { environment: { BARE: 'from-shell' } });
  const text = JSON.stringify(result);
  assert.ok(!text.includes('overridden-by-environment'));
  // BARE and LOG have values (shell, .env); UNSET_BARE has none and is not in the environment at all.
  assert.ok(!result.findings.some((f) => f.message.includes('UNSET_BARE')));
});

test('the YAML merge key and interpolation in it', () => {
  const text = `x-common: &common
  restart: always
  environment: &env
    SERVICE_URL: http://api:8080
services:
  api:
    <<: *common
    image: api:1
    ports: ["8080"]
  worker:
    <<: *common
    image: worker:1
    environment:
      <<: *env
      EXTRA: 1
`;
  const result = analyzeYaml(text, {}, 'm/compose.yaml');
  assert.deepEqual(result.supermodels[0]?.edges.map((e) => `${e.from} -> ${e.to} ${e.port}`), ['m/worker -> m/api 8080']);
  // A service that names itself reaches itself through the network, but that is no edge of the graph;
  // a merged-in value has no line of its own, so its source is the service that merges it.
  assert.deepEqual(modelNamed(result, 'api').network.egress, [
    { host: 'api', port: 8080, protocol: 'tcp', sources: [at('m/compose.yaml', 6, 'services.api.environment.SERVICE_URL')] },
  ]);
});

test('$$ escapes survive into commands and healthchecks', () => {
  const text = `services:
  db:
    image: mariadb:11
    healthcheck:
      test: ["CMD-SHELL", "mysqladmin ping --password=$$(cat /run/secrets/pw)"]
    command: ["sh", "-c", "echo $$HOME"]
`;
  const db = modelNamed(analyzeYaml(text), 'db');
  assert.deepEqual(db.processes.map((p) => p.argv?.at(-1) ?? p.path), ['echo $HOME', 'mysqladmin ping --password=$(cat /run/secrets/pw)', 'mysqladmin', 'cat']);
});

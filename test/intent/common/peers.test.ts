import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInternalName, peerReferences, peerReferencesInArgs, referencesInValue, type EnvVar } from '../../../src/intent/common/peers.ts';
import type { Source } from '../../../src/model/index.ts';

const at = (line: number): Source => ({ kind: 'declared', format: 'kubernetes', file: 'x.yaml', line });
const env = (pairs: Array<[string, string]>): EnvVar[] => pairs.map(([name, value], i) => ({ name, value, source: at(i + 1) }));

test('values name peers as host:port, URLs and lists', () => {
  assert.deepEqual(referencesInValue('cartservice:7070'), [{ host: 'cartservice', port: 7070 }]);
  assert.deepEqual(referencesInValue('postgres://app:secret@db.prod.svc:5433/shop?ssl=1'), [{ host: 'db.prod.svc', scheme: 'postgres', port: 5433 }]);
  assert.deepEqual(referencesInValue('redis://cache'), [{ host: 'cache', scheme: 'redis', port: 6379 }]);
  assert.deepEqual(referencesInValue('https://api.example.com/v1'), [{ host: 'api.example.com', scheme: 'https', port: 443 }]);
  assert.deepEqual(referencesInValue('kafka-0:9092,kafka-1:9092'), [{ host: 'kafka-0', port: 9092 }, { host: 'kafka-1', port: 9092 }]);
  for (const notAPeer of ['12:30', ':8080', 'localhost:3000', '0.0.0.0:80', 'true', 'a b:80', 'x:99999', 'file:///etc/x']) {
    assert.deepEqual(referencesInValue(notAPeer), [], notAPeer);
  }
});

test('host variables pair with port variables of the same prefix', () => {
  const refs = peerReferences(env([['REDIS_HOST', 'cache'], ['REDIS_PORT', '6380'], ['DB_ADDR', 'mysql'], ['PORT', '8080'], ['LOG_LEVEL', 'debug'], ['API', 'api:80']]));
  assert.deepEqual(refs, [
    { host: 'cache', port: 6380, via: ['REDIS_HOST', 'REDIS_PORT'], sources: [at(1), at(2)] },
    { host: 'mysql', via: ['DB_ADDR'], sources: [at(3)] },
    { host: 'api', port: 80, via: ['API'], sources: [at(6)] },
  ]);
});

test('arguments name peers only when the host is known', () => {
  const known = new Set(['redis']);
  assert.deepEqual(peerReferencesInArgs(['--cache=redis:6379', '--other=elsewhere:1', 'redis.ns.svc:6379'], known, at(9)), [
    { host: 'redis', port: 6379, via: ['--cache=redis:6379'], sources: [at(9)] },
    { host: 'redis.ns.svc', port: 6379, via: ['redis.ns.svc:6379'], sources: [at(9)] },
  ]);
});

test('internal names are short names or cluster domains', () => {
  assert.equal(isInternalName('cartservice'), true);
  assert.equal(isInternalName('cart.default.svc.cluster.local'), true);
  assert.equal(isInternalName('db-prod.marathon.mesos'), true);
  assert.equal(isInternalName('api.example.com'), false);
});

test('a URL in an argument is a peer wherever it points; the container\'s own address is not; a well-known client\'s -h names its server', () => {
  const none = new Set<string>();
  assert.deepEqual(peerReferencesInArgs(['/marathon/bin/start', '--master', 'zk://master.mesos:2181/mesos'], none, at(3)), [
    { host: 'master.mesos', scheme: 'zk', port: 2181, via: ['zk://master.mesos:2181/mesos'], sources: [at(3)] },
  ]);
  const known = new Set(['etcd', 'swarm']);
  assert.deepEqual(peerReferencesInArgs([
    'etcd', '--advertise-client-urls=http://etcd:2379', '--listen-peer-urls', 'http://etcd:2380', '--advertise-addr', 'swarm:2377', '--bind', 'etcd:4001', '--initial-cluster=etcd=http://etcd:2380',
  ], known, at(4)), [
    { host: 'etcd', scheme: 'http', port: 2380, via: ['--initial-cluster=etcd=http://etcd:2380'], sources: [at(4)] },
  ]);
  assert.deepEqual(peerReferencesInArgs(['redis-cli', '-h', 'cache', 'ping'], none, at(5)), [{ host: 'cache', port: 6379, via: ['redis-cli -h cache'], sources: [at(5)] }]);
  assert.deepEqual(peerReferencesInArgs(['/usr/bin/psql', '-h', 'db', '-p', '5433', '-c', 'select 1'], none, at(6)), [{ host: 'db', port: 5433, via: ['/usr/bin/psql -h db'], sources: [at(6)] }]);
  assert.deepEqual(peerReferencesInArgs(['grep', '-h', 'pattern'], none, at(7)), [], 'only a client\'s -h is a host');
});

test('a variable whose value only a cluster\'s DNS answers names a peer without a port, whatever the variable is called', () => {
  assert.deepEqual(peerReferences(env([['ZIPKIN', 'zipkin.jaeger.svc.cluster.local'], ['TRACER', 'jaeger.observability.svc'], ['GREETING', 'hello.world'], ['LEADER', 'master.marathon.mesos']])), [
    { host: 'zipkin.jaeger.svc.cluster.local', via: ['ZIPKIN'], sources: [at(1)] },
    { host: 'jaeger.observability.svc', via: ['TRACER'], sources: [at(2)] },
    { host: 'master.marathon.mesos', via: ['LEADER'], sources: [at(4)] },
  ]);
});

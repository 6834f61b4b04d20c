import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkModels } from '../../../src/intent/checks/index.ts';
import { IntentModel, isUnusable, Supermodel, type Source } from '../../../src/model/index.ts';
import { analyzeMarathon } from '../../../src/intent/marathon/index.ts';
import { analyzeFixtures, analyzeTexts, codes, documentsOf, edgesOf, listenOf, MARATHON, modelOf, supermodelOf, textDocuments } from './load.ts';

const ALL = ['apps', 'groups', 'pods', 'api-responses'].flatMap((folder) => readdirSync(join(MARATHON, folder)).sort().map((name) => `${folder}/${name}`));

const fixture = (name: string, line: number, path: string, detail?: string): Source => ({
  kind: 'declared', format: 'marathon', file: join(MARATHON, name), line, path, ...(detail !== undefined && { detail }),
});
const mounts = (model: IntentModel) => model.filesystem.mounts.map((m) => `${m.path} ${m.type} ${m.source} ${m.readOnly ? 'ro' : 'rw'}`);
const programs = (model: IntentModel, role = 'main') => model.processes.filter((p) => p.role === role).map((p) => p.path);

test('every fixture analyses into schema-valid models and supermodels, with no unusable finding', () => {
  assert.equal(ALL.length, 31);
  for (const name of ALL) {
    const result = analyzeFixtures(name);
    assert.ok(result.models.length > 0, `${name} has a model`);
    for (const model of result.models) assert.ok(IntentModel.safeParse(model).success, `${name}: ${model.id}`);
    for (const supermodel of result.supermodels) assert.ok(Supermodel.safeParse(supermodel).success, name);
    assert.deepEqual(result.findings.filter(isUnusable), [], name);
  }
  // All at once, as `tenet analyze` gives them: ids stay unique (an app and a pod may share /foo).
  const all = analyzeFixtures(...ALL);
  assert.equal(all.models.length, 134);
  assert.equal(new Set(all.models.map((m) => m.id)).size, 134);
  assert.deepEqual(all.findings.filter((f) => f.code === 'TN010'), []);
});

test('the JSON schemas of Marathon are not taken for definitions', () => {
  assert.deepEqual(documentsOf('schema/AppDefinition.json', 'schema/Group.json'), []);
});

test('a bridged Docker app, whole: fixed host port, sandbox-relative volume, cmd under /bin/sh', () => {
  const name = 'apps/system-test-pinger-bridge-app.json';
  const result = analyzeFixtures(name);
  const cmd = fixture(name, 29, 'cmd');
  const expected: IntentModel = {
    apiVersion: 'tenet/v1',
    kind: 'IntentModel',
    id: 'marathon:/pinger-bridge-app',
    image: 'python:3.5-alpine',
    workload: { kind: 'MarathonApp', name: '/pinger-bridge-app', sources: [fixture(name, 1, '')] },
    app: '/',
    state: 'static',
    processes: [
      { path: '/bin/sh', argv: ['/bin/sh', '-c', 'python3 /opt/pinger.py 80'], role: 'main', sources: [cmd] },
      { path: 'python3', role: 'main', sources: [cmd] },
    ],
    network: {
      listen: [{ port: 80, protocol: 'tcp', name: 'http', hostPort: 7777, sources: [fixture(name, 10, 'container.docker.portMappings[0]')] }],
      egress: [],
      dns: [],
    },
    filesystem: {
      readOnlyRoot: false,
      writable: [],
      mounts: [{ path: '/opt/pinger.py', type: 'bind', source: '$MESOS_SANDBOX/pinger.py', readOnly: true, sources: [fixture(name, 20, 'container.volumes[0]')] }],
    },
    syscalls: { allow: [], sources: [] },
    capabilities: { add: [], drop: [], sources: [] },
    security: { hostNetwork: { value: false, sources: [fixture(name, 8, 'container.docker.network')] } },
  };
  assert.deepStrictEqual(result.models, [expected]);
  assert.deepEqual(codes(result.findings), ['TN117 12 container.docker.portMappings[0].hostPort']);
});

test('examples/Docker.json: host path volumes, read-only and writable; the shell loop\'s programs', () => {
  const model = modelOf(analyzeFixtures('apps/examples-Docker.json'), 'marathon:/ubuntu');
  assert.deepEqual(mounts(model), ['/etc/a hostPath /var/data/a ro', '/etc/b hostPath /var/data/b rw']);
  assert.deepEqual(model.filesystem.writable.map((w) => w.path), ['/etc/b']);
  assert.deepEqual(programs(model).slice(0, 3), ['/bin/sh', 'sleep', 'date']);
  assert.equal(model.security.hostNetwork?.value, true, 'a Docker app without a network runs on the agent\'s');
  assert.deepEqual(checkModels([model]).map((f) => f.code), ['TN102', 'TN109']);
});

test('examples/bridge.json: both port mappings, an HTTP and a COMMAND health check', () => {
  const model = modelOf(analyzeFixtures('apps/examples-bridge.json'), 'marathon:/bridged-webapp');
  assert.deepEqual(listenOf(model), ['8080/tcp', '161/udp']);
  assert.deepEqual(model.network.listen[0]?.sources.map((s) => s.path), ['container.docker.portMappings[0]', 'healthChecks[0].portIndex']);
  assert.deepEqual(programs(model), ['/bin/sh', 'python3']);
  assert.deepEqual(programs(model, 'healthcheck'), ['/bin/sh', 'curl']);
  assert.deepEqual(model.processes.find((p) => p.role === 'healthcheck')?.argv, ['/bin/sh', '-c', 'curl -f -X GET http://$HOST:$PORT']);
});

test('service ports: marathon-lb clients reach Tomcat at 10000, the marathon-lb example nginx at HAPROXY_0_PORT', () => {
  const client = `{ "id": "/client", "cmd": "client", "env": {
    "TOMCAT_URL": "http://marathon-lb.marathon.mesos:10000/",
    "NGINX_URL": "http://marathon-lb-internal.marathon.mesos:10100",
    "PY_URL": "http://marathon-lb.marathon.mesos:10101" } }`;
  const fixtures = documentsOf('apps/examples-Tomcat-Docker.json', 'apps/marathon-lb-docker_bridge.json', 'api-responses/marathon-lb-marathon15_apps.json');
  const result = analyzeMarathon([...fixtures, ...textDocuments(client)]);
  assert.deepEqual(edgesOf(result, '/'), [
    '/client -> /nginx-docker-bridge 10100->80/tcp',
    '/client -> /pywebserver 10101->80/tcp',
    '/client -> /tomcat 10000->8080/tcp',
  ]);
  assert.deepEqual(listenOf(modelOf(result, 'marathon:/pywebserver')), ['80/tcp test']);
  assert.deepEqual(listenOf(modelOf(result, 'marathon:/tomcat')), ['8080/tcp']);
  assert.deepEqual(analyzeTexts(client).supermodels[0]?.edges, [], 'without the servers, no edge');
});

test('docs app.json: Docker parameters, a host volume, health and readiness checks on the named port, a dependency not in the input', () => {
  const result = analyzeFixtures('apps/docs-api-app.json');
  const model = modelOf(result, 'marathon:/foo');
  assert.equal(model.image, 'mesosphere:marathon/latest');
  assert.deepEqual(listenOf(model), ['80/tcp http']);
  assert.deepEqual(model.network.listen[0]?.sources.map((s) => s.path), ['container.docker.portMappings[0]', 'healthChecks[0].portIndex', 'readinessChecks[0].portName']);
  assert.deepEqual(mounts(model), ['/docker_storage hostPath /hdd/tools/docker/registry rw']);
  assert.deepEqual(Object.entries(model.security).map(([k, v]) => `${k}=${v?.value}`), ['user=root', 'privileged=false', 'hostNetwork=false']);
  assert.deepEqual(programs(model), ['/bin/sh', 'sleep'], '`args` go to the image\'s entrypoint');
  assert.deepEqual(model.network.egress, [], 'XPS1 and XPS2 name no peer, PASSWORD is a secret reference');
  assert.deepEqual(codes(result.findings), ['TN113 27 container.docker.image', 'TN011 57 dependencies[0]']);
  assert.deepEqual(checkModels([model]).map((f) => f.code), ['TN105', 'TN109']);
});

test('docs group.json: nested groups, host-networked privileged agent with the Docker socket, a bridged registry', () => {
  const name = 'groups/docs-api-group.json';
  const result = analyzeFixtures(name);
  assert.deepEqual(result.models.map((m) => `${m.id} ${m.app}`), [
    'marathon:/tools/oauth-server /tools',
    'marathon:/tools/datadog-agent /tools',
    'marathon:/tools/docker/registry /tools/docker',
  ]);
  const oauth = modelOf(result, 'marathon:/tools/oauth-server');
  assert.deepEqual(listenOf(oauth), ['1980/tcp']);
  assert.deepEqual(oauth.network.listen[0]?.sources.map((s) => s.path), ['groups[0].apps[0].ports[0]', 'groups[0].apps[0].healthChecks[0].portIndex']);
  const agent = modelOf(result, 'marathon:/tools/datadog-agent');
  assert.deepEqual(agent.security.privileged, { value: true, sources: [fixture(name, 105, 'groups[0].apps[1].container.docker.privileged')] });
  assert.deepEqual(agent.security.hostNetwork, { value: true, sources: [fixture(name, 104, 'groups[0].apps[1].container.docker.network')] });
  assert.deepEqual(mounts(agent), [
    '/var/run/docker.sock hostPath /var/run/docker.sock rw',
    '/host/proc/mounts hostPath /proc/mounts ro',
    '/host/sys/fs/cgroup hostPath /sys/fs/cgroup/ ro',
  ]);
  assert.deepEqual(checkModels([agent]).map((f) => `${f.code} ${f.location.line}`), ['TN101 105', 'TN102 104', 'TN109 62', 'TN110 86', 'TN111 91', 'TN111 96']);
  const registry = modelOf(result, 'marathon:/tools/docker/registry');
  assert.deepEqual(listenOf(registry), ['5000/tcp']);
  assert.equal(registry.security.hostNetwork?.value, false);
  assert.deepEqual(result.supermodels.map((s) => `${s.app}: ${s.nodes.map((n) => n.id).join(', ')}`), [
    '/tools: /tools/datadog-agent, /tools/oauth-server',
    '/tools/docker: /tools/docker/registry',
  ]);
});

test('examples/Group-1.json: dependencies across nested groups on ports Marathon assigns at launch draw no edge: a port 0 is no allow-list entry', () => {
  const name = 'groups/examples-Group-1.json';
  const result = analyzeFixtures(name);
  const expected: Supermodel = {
    apiVersion: 'tenet/v1',
    kind: 'Supermodel',
    app: '/department-a/product-a',
    nodes: [
      { id: '/department-a/product-a/service-a', kind: 'MarathonApp', models: ['marathon:/department-a/product-a/service-a'] },
      { id: '/department-a/product-a/service-b', kind: 'MarathonApp', models: ['marathon:/department-a/product-a/service-b'] },
    ],
    edges: [],
  };
  assert.deepStrictEqual(supermodelOf(result, '/department-a/product-a'), expected);
  assert.deepEqual(supermodelOf(result, '/department-a').edges, []);
  assert.ok(result.supermodels.every((s) => s.edges.every((e) => e.port > 0 && e.targetPort > 0)));
  assert.deepEqual(result.findings, []);
});

test('the real benchmark group: 100 host-networked apps, fast', () => {
  const started = performance.now();
  const result = analyzeFixtures('groups/benchmark-real-155_100.json');
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
  assert.equal(result.models.length, 100);
  const first = modelOf(result, 'marathon:/cudcos/mactest1');
  assert.deepEqual(listenOf(first), ['10003/tcp default']);
  assert.equal(first.image, 'foo.repo/foo/bar/baz/bax/bauf/python:3');
  assert.ok(result.models.every((m) => m.app === '/cudcos' && m.security.hostNetwork?.value === true && m.security.privileged?.value === false));
  assert.equal(result.supermodels.length, 1);
  assert.equal(supermodelOf(result, '/cudcos').nodes.length, 100);
  assert.deepEqual(result.findings, []);
});

test('pods: endpoints by network mode, a health check on an endpoint, pod volumes mounted read-only', () => {
  const docs = analyzeFixtures('pods/docs-api-pod.json');
  const container = modelOf(docs, 'marathon:/foo/container1');
  assert.deepEqual(container.workload, { kind: 'MarathonPod', name: '/foo', container: 'container1', sources: [fixture('pods/docs-api-pod.json', 46, 'containers[0]')] });
  assert.deepEqual(listenOf(container), ['80/tcp httpendpoint']);
  assert.deepEqual(container.network.listen[0]?.sources.map((s) => s.path), ['containers[0].endpoints[0]', 'containers[0].healthCheck.http.endpoint']);
  assert.deepEqual(programs(container), ['/bin/sh', 'sleep']);
  assert.deepEqual(mounts(container), ['/mnt/etc hostPath /hdd/tools/docker/registry ro']);
  assert.equal(container.security.user?.value, 'root');
  assert.equal(container.security.hostNetwork?.value, false);
  const bridge = analyzeFixtures('pods/system-test-container-bridge-pod.json');
  const nginx = modelOf(bridge, 'marathon:/container-bridge-pod/nginx');
  assert.deepEqual(listenOf(nginx), ['80/tcp web']);
  assert.deepEqual(nginx.processes, [], 'no exec: the image\'s own command runs');
  assert.deepEqual(supermodelOf(bridge, '/').nodes, [{ id: '/container-bridge-pod', kind: 'MarathonPod', models: ['marathon:/container-bridge-pod/nginx'] }]);
});

test('/v2/apps answers: nulls for unset fields, legacy ports, and a marathon-lb app with its service port', () => {
  const list = analyzeFixtures('api-responses/docs-api-app_list.json');
  const myapp = modelOf(list, 'marathon:/myapp');
  assert.deepEqual(listenOf(myapp), ['10013/tcp', '10015/tcp']);
  assert.deepEqual(programs(myapp), ['/bin/sh', 'env', 'sleep']);
  assert.equal(myapp.image, undefined);
  assert.deepEqual(list.findings, [], 'args, user and container are null, which is unset');
  const lb = analyzeFixtures('api-responses/marathon-lb-marathon15_apps.json');
  const web = modelOf(lb, 'marathon:/pywebserver');
  assert.deepEqual(listenOf(web), ['80/tcp test']);
  assert.equal(web.security.hostNetwork?.value, false);
});

test('UCR and persistent volumes: MESOS containers with Docker images, sandbox paths, secrets in env', () => {
  const mom = modelOf(analyzeFixtures('apps/system-test-mom-ee-strict-1.7.json'), 'marathon:/marathon-user-ee');
  assert.equal(mom.image, 'mesosphere/marathon-dcos-ee:__FILL_IN_VERSION_HERE__');
  assert.ok(programs(mom).includes('/marathon/bin/start'));
  assert.deepEqual(listenOf(mom), ['0/tcp http', '0/tcp libprocess'], 'two ports Marathon assigns at launch (0): two ports, each by its name');
  // the ZooKeeper of `--master zk://master.mesos:2181/mesos` in its command, and the ACS URL of its env
  assert.deepEqual(mom.network.egress.map((e) => `${e.host}:${e.port}`).sort(), ['master.mesos:2181', 'master.mesos:443']);
  const mo = analyzeFixtures('apps/system-test-mom-ee-strict-1.7.json');
  assert.deepEqual(mo.findings, [], 'the service account credential is a secret reference, and master.mesos is no app');

  const resident = modelOf(analyzeFixtures('apps/system-test-resident-docker-app.json'), 'marathon:/resident-docker-app');
  assert.deepEqual(mounts(resident), ['/mnt/mesos/sandbox/data volume data rw']);
  assert.deepEqual(listenOf(resident), ['0/tcp default', '80/tcp']);
  const persistent = modelOf(analyzeFixtures('apps/system-test-persistent-volume-app.json'), 'marathon:/persistent-volume-app');
  assert.deepEqual(mounts(persistent), ['$MESOS_SANDBOX/data volume data rw'], 'no image: the sandbox is an agent directory');
  const both = modelOf(analyzeFixtures('apps/system-test-healthcheck-and-volume.json'), 'marathon:/healthcheck-and-volume');
  assert.deepEqual(mounts(both), ['/mnt/mesos/sandbox/home volume home rw', '/home volume home rw']);

  const ucr = analyzeFixtures('apps/system-test-private-ucr-docker-app.json');
  assert.deepEqual(codes(ucr.findings), ['TN113 9 container.docker.image']);
  const ipv6 = modelOf(analyzeFixtures('apps/system-test-ipv6-healthcheck.json'), 'marathon:/test-ipv6');
  assert.deepEqual(listenOf(ipv6), ['8080/tcp']);
  assert.deepEqual(ipv6.network.listen[0]?.sources.map((s) => s.detail), [undefined, 'the MESOS_HTTP health check connects to this port']);
  assert.equal(ipv6.security.hostNetwork?.value, false);
});

test('readiness checks and Mesos checks confirm the named or indexed port', () => {
  for (const name of ['apps/system-test-readiness-and-health-app.json', 'apps/system-test-fake-framework.json']) {
    const [model] = analyzeFixtures(name).models;
    assert.deepEqual(model && listenOf(model), ['0/tcp api']);
    assert.deepEqual(model?.network.listen[0]?.sources.map((s) => s.path), ['portDefinitions[0]', 'healthChecks[0].portIndex', 'readinessChecks[0].portName']);
  }
  const [check] = analyzeFixtures('apps/docs-api-app-check-http-example.json').models;
  assert.deepEqual(check?.network.listen[0]?.sources.map((s) => s.path), ['portDefinitions[0]', 'check.http.portIndex']);
});

test('marathon-lb examples: container and UCR networks, ports at container level or in docker', () => {
  const network = (name: string) => {
    const [model] = analyzeFixtures(name).models;
    assert.ok(model);
    return `${model.security.hostNetwork?.value} ${model.security.hostNetwork?.sources[0]?.path} ${listenOf(model).join(',')}`;
  };
  assert.equal(network('apps/marathon-lb-docker_bridge.json'), 'false networks[0].mode 80/tcp');
  assert.equal(network('apps/marathon-lb-docker_ippc.json'), 'false ipAddress 80/tcp');
  assert.equal(network('apps/marathon-lb-ucr_bridge.json'), 'false networks[0].mode 80/tcp');
  assert.equal(network('apps/marathon-lb-ucr_ippc.json'), 'false networks[0].mode 0/tcp default');
  assert.equal(network('apps/marathon-lb-1-nginx.json'), 'false container.docker.network 8080/tcp');
  assert.equal(network('apps/examples-Play.json'), 'true  0/tcp default');
});

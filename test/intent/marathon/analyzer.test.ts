import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IntentModel, Supermodel } from '../../../src/model/index.ts';
import { analyzeTexts, codes, declared, edgesOf, listenOf, modelOf, supermodelOf } from './load.ts';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

const SHOP = `{
  "id": "/shop",
  "apps": [
    {
      "id": "api",
      "cmd": "node server.js --db=db-shop.marathon.mesos:5432",
      "user": "nobody",
      "container": {
        "type": "DOCKER",
        "docker": {
          "image": "registry.example.com/shop/api:2.4.1",
          "privileged": false,
          "parameters": [
            { "key": "cap-add", "value": "NET_ADMIN" },
            { "key": "cap-drop", "value": "ALL" },
            { "key": "read-only", "value": "true" },
            { "key": "user", "value": "1000:1000" },
            { "key": "security-opt", "value": "no-new-privileges" },
            { "key": "tmpfs", "value": "/tmp:rw,size=64m" }
          ]
        },
        "portMappings": [
          { "containerPort": 8080, "hostPort": 0, "servicePort": 10101, "name": "http" },
          { "containerPort": 9125, "protocol": "udp,tcp", "name": "stats" }
        ],
        "volumes": [
          { "containerPath": "/var/run/docker.sock", "hostPath": "/var/run/docker.sock", "mode": "RO" },
          { "containerPath": "certs", "secret": "tls" }
        ]
      },
      "networks": [{ "mode": "container/bridge" }],
      "env": {
        "CART_URL": "http://marathon-lb.marathon.mesos:10200/cart",
        "API_TOKEN": "s3cr3t-value",
        "DB_PASSWORD": { "secret": "dbpass" }
      },
      "secrets": { "dbpass": { "source": "/shop/db/password" }, "tls": { "source": "/shop/tls" } },
      "healthChecks": [
        { "protocol": "MESOS_HTTP", "portIndex": 0, "path": "/health" },
        { "protocol": "COMMAND", "command": { "value": "curl -f http://localhost:8080/health" } }
      ],
      "dependencies": ["db"]
    },
    {
      "id": "db",
      "container": { "type": "MESOS", "docker": { "image": "postgres:16.2" } },
      "portDefinitions": [{ "port": 5432, "name": "pg" }],
      "requirePorts": true
    },
    {
      "id": "cart",
      "networks": [{ "mode": "container", "name": "dcos" }],
      "container": {
        "docker": { "image": "shop/cart@${DIGEST}" },
        "portMappings": [{ "containerPort": 3000, "servicePort": 10200, "labels": { "VIP_0": "/cart:80" } }]
      }
    }
  ]
}`;

test('a Docker app in a group becomes one whole model: processes, ports, checks, parameters, volumes, env peers', () => {
  const result = analyzeTexts(SHOP);
  const at = (needle: string, path: string, detail?: string) => declared(SHOP, needle, `apps[0].${path}`, detail);
  const cmd = at('"cmd"', 'cmd');
  const check = at('"COMMAND"', 'healthChecks[1].command.value', 'the COMMAND health check runs this');
  const user = '1000:1000';
  const tmpfs = at('"tmpfs"', 'container.docker.parameters[5]');
  const expected: IntentModel = {
    apiVersion: 'tenet/v1',
    kind: 'IntentModel',
    id: 'marathon:/shop/api',
    image: 'registry.example.com/shop/api:2.4.1',
    workload: { kind: 'MarathonApp', name: '/shop/api', sources: [{ ...declared(SHOP, '"id": "api"', 'apps[0]'), line: 4 }] },
    app: '/shop',
    state: 'static',
    processes: [
      { path: '/bin/sh', argv: ['/bin/sh', '-c', 'node server.js --db=db-shop.marathon.mesos:5432'], role: 'main', sources: [cmd], user },
      { path: 'node', role: 'main', sources: [cmd], user },
      { path: '/bin/sh', argv: ['/bin/sh', '-c', 'curl -f http://localhost:8080/health'], role: 'healthcheck', sources: [check], user },
      { path: 'curl', role: 'healthcheck', sources: [check], user },
    ],
    network: {
      listen: [
        {
          port: 8080, protocol: 'tcp', name: 'http',
          sources: [at('"containerPort": 8080', 'container.portMappings[0]'), at('"MESOS_HTTP"', 'healthChecks[0].portIndex', 'the MESOS_HTTP health check connects to this port')],
        },
        { port: 9125, protocol: 'udp', name: 'stats', sources: [at('"containerPort": 9125', 'container.portMappings[1]')] },
        { port: 9125, protocol: 'tcp', name: 'stats', sources: [at('"containerPort": 9125', 'container.portMappings[1]')] },
      ],
      egress: [
        { host: 'marathon-lb.marathon.mesos', port: 10200, protocol: 'tcp', sources: [at('"CART_URL"', 'env.CART_URL')] },
        { host: 'db-shop.marathon.mesos', port: 5432, protocol: 'tcp', sources: [cmd] },
      ],
      dns: [
        { name: 'marathon-lb.marathon.mesos', sources: [at('"CART_URL"', 'env.CART_URL')] },
        { name: 'db-shop.marathon.mesos', sources: [cmd] },
      ],
    },
    filesystem: {
      readOnlyRoot: true,
      writable: [{ path: '/tmp', sources: [tmpfs] }],
      mounts: [
        { path: '/tmp', type: 'tmpfs', readOnly: false, sources: [tmpfs] },
        { path: '/var/run/docker.sock', type: 'hostPath', source: '/var/run/docker.sock', readOnly: true, sources: [at('"/var/run/docker.sock", "hostPath"', 'container.volumes[0]')] },
        { path: '/mnt/mesos/sandbox/certs', type: 'secret', source: '/shop/tls', readOnly: true, sources: [at('"certs"', 'container.volumes[1]')] },
      ],
    },
    syscalls: { allow: [], sources: [] },
    capabilities: {
      add: ['NET_ADMIN'],
      drop: ['ALL'],
      sources: [at('"cap-add"', 'container.docker.parameters[0]'), at('"cap-drop"', 'container.docker.parameters[1]')],
    },
    security: {
      user: { value: user, sources: [at('"key": "user"', 'container.docker.parameters[3]')] },
      privileged: { value: false, sources: [at('"privileged"', 'container.docker.privileged')] },
      allowPrivilegeEscalation: { value: false, sources: [at('"security-opt"', 'container.docker.parameters[4]')] },
      hostNetwork: { value: false, sources: [at('"container/bridge"', 'networks[0].mode')] },
    },
  };
  assert.deepStrictEqual(modelOf(result, 'marathon:/shop/api'), expected);
  assert.deepEqual(codes(result.findings), ['TN112 34 apps[0].env.API_TOKEN'], 'a literal token, but not the {secret} reference');
});

test('the group becomes one supermodel: a dependency edge at the service port, a marathon-lb edge, and a digest-named model', () => {
  const result = analyzeTexts(SHOP);
  const dependency = declared(SHOP, '"dependencies"', 'apps[0].dependencies[0]', '/shop/api depends on /shop/db');
  const expected: Supermodel = {
    apiVersion: 'tenet/v1',
    kind: 'Supermodel',
    app: '/shop',
    nodes: [
      { id: '/shop/api', kind: 'MarathonApp', models: ['marathon:/shop/api'] },
      { id: '/shop/cart', kind: 'MarathonApp', models: [DIGEST] },
      { id: '/shop/db', kind: 'MarathonApp', models: ['marathon:/shop/db'] },
    ],
    edges: [
      {
        from: '/shop/api', to: '/shop/cart', port: 10200, targetPort: 3000, protocol: 'tcp',
        sources: [
          declared(SHOP, '"CART_URL"', 'apps[0].env.CART_URL'),
          declared(SHOP, '"containerPort": 3000', 'apps[2].container.portMappings[0]', 'marathon-lb forwards service port 10200 to this port'),
        ],
      },
      {
        from: '/shop/api', to: '/shop/db', port: 5432, targetPort: 5432, protocol: 'tcp',
        sources: [
          dependency,
          declared(SHOP, '"port": 5432', 'apps[1].portDefinitions[0]', 'a port of /shop/db'),
          declared(SHOP, '"cmd"', 'apps[0].cmd'),
        ],
      },
    ],
  };
  assert.deepStrictEqual(result.supermodels, [expected]);
  const cart = modelOf(result, DIGEST);
  assert.equal(cart.image, `shop/cart@${DIGEST}`);
  assert.deepEqual(listenOf(cart), ['3000/tcp']);
  assert.deepEqual(cart.security.hostNetwork?.value, false);
  const db = modelOf(result, 'marathon:/shop/db');
  assert.deepEqual(listenOf(db), ['5432/tcp pg'], 'with requirePorts the declared port is the one bound');
  assert.equal(db.network.listen[0]?.sources[0]?.detail, undefined);
});

test('relative ids resolve as Marathon does: app ids against their group, dependencies against the app\'s group, `..` and group ids', () => {
  const text = `{
    "id": "/prod",
    "dependencies": ["/infra/dns", "/infra/gone"],
    "groups": [
      { "id": "backend", "apps": [{ "id": "db", "portDefinitions": [{ "port": 5432 }], "requirePorts": true }] },
      {
        "id": "/prod/frontend",
        "groups": [{ "id": "../edge", "apps": [{ "id": "proxy", "cmd": "haproxy", "dependencies": ["../frontend/web"] }] }],
        "apps": [
          { "id": "web", "cmd": "web", "dependencies": ["../backend/db", "/prod/backend", "/missing/app"],
            "container": { "docker": { "image": "web:1", "network": "BRIDGE", "portMappings": [{ "containerPort": 80, "servicePort": 10080 }] } } }
        ]
      }
    ]
  }`;
  const infra = `[{ "id": "/infra/dns", "cmd": "dnsmasq", "ports": [53] }]`;
  const result = analyzeTexts(text, infra);
  assert.deepEqual(result.models.map((m) => `${m.id} in ${m.app}`), [
    'marathon:/prod/backend/db in /prod/backend',
    'marathon:/prod/frontend/web in /prod/frontend',
    'marathon:/prod/edge/proxy in /prod/edge',
    'marathon:/infra/dns in /infra',
  ]);
  assert.deepEqual(result.supermodels.map((s) => s.app), ['/infra', '/prod/backend', '/prod/edge', '/prod/frontend']);
  // The group's dependency on /infra/dns holds for every app below /prod.
  assert.deepEqual(edgesOf(result, '/prod/frontend'), [
    '/prod/frontend/web -> /infra/dns 53->53/tcp',
    '/prod/frontend/web -> /prod/backend/db 5432->5432/tcp',
  ]);
  assert.deepEqual(edgesOf(result, '/prod/edge'), [
    '/prod/edge/proxy -> /infra/dns 53->53/tcp',
    '/prod/edge/proxy -> /prod/frontend/web 10080->80/tcp',
  ]);
  assert.deepEqual(supermodelOf(result, '/prod/edge').nodes.map((n) => n.id), ['/infra/dns', '/prod/edge/proxy', '/prod/frontend/web']);
  assert.deepEqual(result.findings.map((f) => `${f.code} ${f.location.line} ${f.location.path} ${f.message}`), [
    'TN011 3 dependencies[1] group /prod depends on /infra/gone, which is not in the input',
    'TN011 10 groups[1].apps[0].dependencies[2] MarathonApp /prod/frontend/web depends on /missing/app, which is not in the input',
  ], 'a group\'s dependency is reported once, not for each of its apps');
  const viaGroup = supermodelOf(result, '/prod/edge').edges.find((e) => e.to === '/infra/dns');
  assert.deepEqual(viaGroup?.sources.map((s) => `${s.file}:${s.line} ${s.path} ${s.detail}`), [
    'a.json:3 dependencies[0] group /prod depends on /infra/dns',
    'b.json:1 [0].ports[0] a port of /infra/dns',
  ]);
});

test('env peers resolve through Mesos-DNS, marathon-lb service ports and virtual hosts, and DC/OS VIPs', () => {
  const servers = `{
    "id": "/",
    "groups": [{ "id": "/data", "apps": [
      { "id": "redis", "container": { "docker": { "image": "redis:7", "network": "BRIDGE",
          "portMappings": [{ "containerPort": 6379, "hostPort": 31001, "servicePort": 10079, "labels": { "VIP_0": "/data/redis:6379" } }] } } },
      { "id": "search", "networks": [{ "mode": "container/bridge" }], "labels": { "HAPROXY_0_PORT": "10500", "HAPROXY_0_VHOST": "search.example.com" },
        "container": { "docker": { "image": "search:2" }, "portMappings": [{ "containerPort": 9200, "servicePort": 10001 }, { "containerPort": 9300 }] } }
    ] }]
  }`;
  const client = `{
    "id": "/web/app",
    "cmd": "web",
    "env": {
      "REDIS_HOST": "redis-data.marathon.mesos",
      "REDIS_PORT": "31001",
      "CACHE_ADDR": "dataredis.marathon.l4lb.thisdcos.directory:6379",
      "SEARCH_URL": "http://marathon-lb.marathon.mesos:10500",
      "SEARCH_PUBLIC": "https://search.example.com/api",
      "SEARCH_HOST": "search-data.marathon.mesos",
      "QUEUE_URL": "amqp://queue-data.marathon.mesos:5672",
      "UPSTREAM": "http://api.example.org:8080"
    }
  }`;
  const result = analyzeTexts(servers, client);
  assert.deepEqual(edgesOf(result, '/web'), [
    '/web/app -> /data/redis 6379->6379/tcp',
    '/web/app -> /data/redis 31001->6379/tcp',
    '/web/app -> /data/search 443->9200/tcp',
    '/web/app -> /data/search 9200->9200/tcp',
    '/web/app -> /data/search 9300->9300/tcp',
    '/web/app -> /data/search 10500->9200/tcp',
  ]);
  const app = modelOf(result, 'marathon:/web/app');
  assert.deepEqual(app.network.egress.map((e) => `${e.host}:${e.port}`), [
    'redis-data.marathon.mesos:31001',
    'dataredis.marathon.l4lb.thisdcos.directory:6379',
    'marathon-lb.marathon.mesos:10500',
    'search.example.com:443',
    'search-data.marathon.mesos:9200',
    'search-data.marathon.mesos:9300',
    'queue-data.marathon.mesos:5672',
    'api.example.org:8080',
  ]);
  // Only the Mesos-DNS name of an app that is not in the input is worth a finding, not an outside host.
  assert.deepEqual(codes(result.findings), ['TN117 5 groups[0].apps[0].container.docker.portMappings[0].hostPort', 'TN011 11 env.QUEUE_URL']);
});

test('host networking: port definitions, legacy ports, requirePorts, the default port, and health check ports', () => {
  const text = `[
    { "id": "a", "cmd": "a", "portDefinitions": [{ "port": 10003, "protocol": "udp,tcp", "name": "dns" }, { "port": 0 }],
      "healthChecks": [{ "protocol": "TCP", "portIndex": 1 }, { "protocol": "HTTP", "port": 9000 }, { "portIndex": 5 }] },
    { "id": "b", "cmd": "b", "ports": [8080, 0], "requirePorts": true, "healthChecks": [{ "path": "/" }] },
    { "id": "c", "cmd": "python -m http.server $PORT0", "healthChecks": [{ "protocol": "MESOS_TCP" }] },
    { "id": "d", "cmd": "d", "portDefinitions": [] }
  ]`;
  const result = analyzeTexts(text);
  const a = modelOf(result, 'marathon:/a');
  assert.deepEqual(listenOf(a), ['10003/udp dns', '10003/tcp dns', '0/tcp', '9000/tcp']);
  assert.equal(a.network.listen[0]?.sources[0]?.detail, 'service port; without requirePorts the task binds a host port Marathon assigns ($PORT0)');
  assert.equal(a.network.listen[2]?.sources[0]?.detail, 'Marathon assigns this port when the task starts ($PORT1)');
  assert.equal(a.network.listen[2]?.sources.length, 2, 'the TCP health check aims at port index 1');
  assert.deepEqual(a.security.hostNetwork?.sources.map((s) => `${s.kind} ${s.path} ${s.detail}`), ['knowledge [0] Marathon runs tasks that declare no network on the agent\'s network']);
  const b = modelOf(result, 'marathon:/b');
  assert.deepEqual(listenOf(b), ['8080/tcp', '0/tcp']);
  assert.deepEqual(b.network.listen[0]?.sources.map((s) => s.path), ['[1].ports[0]', '[1].healthChecks[0]'], 'portIndex defaults to 0');
  const c = modelOf(result, 'marathon:/c');
  assert.deepEqual(listenOf(c), ['0/tcp default']);
  assert.deepEqual(c.network.listen[0]?.sources.map((s) => s.kind), ['knowledge', 'declared']);
  assert.deepEqual(listenOf(modelOf(result, 'marathon:/d')), [], 'an empty list declares no port');
  assert.deepEqual(codes(result.findings), ['TN007 3 [0].healthChecks[2].portIndex']);
});

test('args: the executable only without an image, or with a --entrypoint parameter', () => {
  const text = `[
    { "id": "plain", "args": ["/usr/bin/redis-server", "--port", "6380"] },
    { "id": "image", "args": ["--port", "6380"], "container": { "docker": { "image": "redis:7" } } },
    { "id": "entry", "args": ["-c", "/etc/app.conf"], "container": { "docker": { "image": "app:1", "parameters": [{ "key": "entrypoint", "value": "/app/run" }] } } }
  ]`;
  const result = analyzeTexts(text);
  const paths = (id: string) => modelOf(result, `marathon:/${id}`).processes.map((p) => `${p.path} ${p.argv?.join(' ')}`);
  assert.deepEqual(paths('plain'), ['/usr/bin/redis-server /usr/bin/redis-server --port 6380']);
  assert.deepEqual(paths('image'), []);
  assert.deepEqual(paths('entry'), ['/app/run /app/run -c /etc/app.conf']);
});

test('volumes: host paths, the sandbox, local persistent, external and secret volumes, and their modes', () => {
  const text = `{
    "id": "/store",
    "container": {
      "type": "MESOS",
      "volumes": [
        { "containerPath": "data", "mode": "RW", "persistent": { "type": "root", "size": 100 } },
        { "containerPath": "/var/lib/data", "hostPath": "data", "mode": "RW" },
        { "containerPath": "/etc/app.conf", "hostPath": "app.conf", "mode": "RO" },
        { "containerPath": "/host", "hostPath": "/", "mode": "RO" },
        { "containerPath": "/ext", "external": { "name": "shared-ext", "provider": "dvdi" }, "mode": "RW" },
        { "containerPath": "key.pem", "secret": "key" },
        { "containerPath": "/weird", "mode": "RX", "hostPath": "/srv" },
        { "mode": "RW" },
        { "containerPath": "/nothing", "mode": "RW" }
      ]
    },
    "secrets": { "key": { "source": "/store/key" } },
    "cmd": "store"
  }`;
  const result = analyzeTexts(text);
  const model = modelOf(result, 'marathon:/store');
  assert.deepEqual(model.filesystem.mounts.map((m) => `${m.path} ${m.type} ${m.source} ${m.readOnly ? 'ro' : 'rw'}`), [
    '$MESOS_SANDBOX/data volume data rw',
    '/var/lib/data volume data rw',
    '/etc/app.conf bind $MESOS_SANDBOX/app.conf ro',
    '/host hostPath / ro',
    '/ext volume shared-ext rw',
    '$MESOS_SANDBOX/key.pem secret /store/key ro',
    '/weird hostPath /srv rw',
  ]);
  assert.deepEqual(model.filesystem.writable.map((w) => w.path), ['$MESOS_SANDBOX/data', '/var/lib/data', '/ext', '/weird']);
  assert.deepEqual(codes(result.findings), [
    'TN007 12 container.volumes[6].mode',
    'TN007 13 container.volumes[7]',
    'TN007 14 container.volumes[8]',
  ]);
});

test('docker parameters and linuxInfo: privileged, host namespaces, seccomp, mounts, env and published ports', () => {
  const text = `{
    "id": "/agent",
    "container": {
      "type": "DOCKER",
      "docker": {
        "image": "agent:3.1",
        "parameters": [
          { "key": "privileged", "value": "true" },
          { "key": "--net", "value": "host" },
          { "key": "pid", "value": "host" },
          { "key": "ipc", "value": "host" },
          { "key": "security-opt", "value": "seccomp=unconfined" },
          { "key": "v", "value": "/proc:/host/proc:ro" },
          { "key": "volume", "value": "cache:/cache" },
          { "key": "mount", "value": "type=bind,source=/var/log,target=/host/log,readonly" },
          { "key": "e", "value": "COLLECTOR_ADDR=collector-ops.marathon.mesos:4317" },
          { "key": "publish", "value": "0.0.0.0:8125:8125/udp" },
          { "key": "label", "value": "ignored=yes" },
          { "key": "v", "value": "" },
          { "key": "publish", "value": "nonsense" },
          { "key": "user", "value": 0 },
          { "key": "p", "value": "8080:80" }
        ]
      },
      "linuxInfo": { "ipcInfo": { "mode": "SHARE_PARENT" } }
    },
    "cmd": "agent"
  }`;
  const result = analyzeTexts(text);
  const model = modelOf(result, 'marathon:/agent');
  const flags = Object.fromEntries(Object.entries(model.security).map(([k, v]) => [k, v?.value]));
  assert.deepEqual(flags, { privileged: true, hostNetwork: true, hostPID: true, hostIPC: true, seccompProfile: 'Unconfined' });
  assert.deepEqual(model.security.hostNetwork?.sources.map((s) => s.path), ['container.docker.parameters[1]']);
  assert.deepEqual(model.filesystem.mounts.map((m) => `${m.path} ${m.type} ${m.source} ${m.readOnly ? 'ro' : 'rw'}`), [
    '/host/proc hostPath /proc ro',
    '/cache volume cache rw',
    '/host/log hostPath /var/log ro',
  ]);
  assert.deepEqual(listenOf(model), ['8125/udp host 8125', '80/tcp host 8080', '0/tcp default']);
  assert.deepEqual(model.network.egress.map((e) => `${e.host}:${e.port}`), ['collector-ops.marathon.mesos:4317']);
  assert.deepEqual(codes(result.findings), [
    'TN011 16 container.docker.parameters[8]',
    'TN007 19 container.docker.parameters[11].value',
    'TN007 20 container.docker.parameters[12].value',
    'TN007 21 container.docker.parameters[13].value',
  ]);
});

test('linuxInfo seccomp profiles of apps and pods', () => {
  const text = `[
    { "id": "a", "cmd": "a", "container": { "type": "MESOS", "linuxInfo": { "seccomp": { "profileName": "strict.json" } } } },
    { "id": "b", "cmd": "b", "container": { "type": "MESOS", "linuxInfo": { "seccomp": { "unconfined": true }, "ipcInfo": { "mode": "PRIVATE" } } } },
    { "id": "p", "linuxInfo": { "seccomp": { "unconfined": true } },
      "containers": [{ "name": "c", "resources": { "cpus": 1 }, "linuxInfo": { "seccomp": { "profileName": "c.json" }, "ipcInfo": { "mode": "SHARE_PARENT" } } }] }
  ]`;
  const result = analyzeTexts(text);
  assert.equal(modelOf(result, 'marathon:/a').security.seccompProfile?.value, 'Localhost/strict.json');
  assert.equal(modelOf(result, 'marathon:/b').security.seccompProfile?.value, 'Unconfined');
  assert.equal(modelOf(result, 'marathon:/b').security.hostIPC, undefined);
  const pod = modelOf(result, 'marathon:/p/c');
  assert.equal(pod.security.seccompProfile?.value, 'Localhost/c.json', 'the container wins over the pod');
  assert.equal(pod.security.hostIPC, undefined, 'a container shares the pod\'s IPC namespace, not the agent\'s');
});

test('pods: one model per container, endpoints by network, commands, checks, volume mounts and env', () => {
  const text = `{
    "id": "/ops/audit",
    "user": "audit",
    "environment": { "LOG_LEVEL": "info", "ADMIN_PASSWORD": "hunter2", "VAULT_TOKEN": { "secret": "vault" } },
    "secrets": { "vault": { "source": "/ops/vault" } },
    "volumes": [{ "name": "logs", "host": "/var/log/audit" }, { "name": "scratch" }, { "name": "tls", "secret": "vault" }],
    "containers": [
      { "name": "collector", "resources": { "cpus": 0.5, "mem": 64 }, "image": { "kind": "DOCKER", "id": "audit/collector:1.2" },
        "exec": { "command": { "argv": ["--listen", ":8443"] } },
        "endpoints": [{ "name": "https", "hostPort": 8443, "protocol": ["tcp"] }, { "name": "syslog", "hostPort": 0, "protocol": ["udp", "tcp"] }],
        "healthCheck": { "tcp": { "endpoint": "https" } },
        "volumeMounts": [{ "name": "logs", "mountPath": "/logs", "readOnly": true }, { "name": "scratch", "mountPath": "tmp" }],
        "environment": { "LOG_LEVEL": "debug", "SINK_URL": "http://sink-ops.marathon.mesos:9000" } },
      { "name": "shipper", "user": "root", "resources": { "cpus": 0.1 }, "image": { "kind": "DOCKER", "id": "audit/shipper:1.2" },
        "exec": { "command": { "argv": ["/bin/shipper", "--to", "sink"] }, "overrideEntrypoint": true },
        "check": { "exec": { "command": { "shell": "test -f /tmp/ok" } } },
        "volumeMounts": [{ "name": "tls", "mountPath": "/tls" }, { "name": "missing", "mountPath": "/x" }] },
      { "name": "collector", "resources": { "cpus": 0.1 } }
    ]
  }`;
  const sink = `{ "id": "/ops/sink", "cmd": "sink", "portDefinitions": [{ "port": 9000 }], "requirePorts": true }`;
  const result = analyzeTexts(text, sink);
  const collector = modelOf(result, 'marathon:/ops/audit/collector');
  assert.deepEqual(collector.workload, { kind: 'MarathonPod', name: '/ops/audit', container: 'collector', sources: [declared(text, '"name": "collector", "resources": { "cpus": 0.5', 'containers[0]')] });
  assert.equal(collector.app, '/ops');
  assert.deepEqual(collector.processes, [], 'an argv without overrideEntrypoint goes to the image\'s entrypoint');
  assert.deepEqual(listenOf(collector), ['8443/tcp https', '0/udp syslog', '0/tcp syslog']);
  assert.equal(collector.network.listen[0]?.sources.length, 2, 'the TCP health check aims at the https endpoint');
  assert.equal(collector.security.user?.value, 'audit');
  assert.equal(collector.security.hostNetwork?.value, true);
  assert.deepEqual(collector.filesystem.mounts.map((m) => `${m.path} ${m.type} ${m.source} ${m.readOnly ? 'ro' : 'rw'}`), [
    '/logs hostPath /var/log/audit ro',
    '/mnt/mesos/sandbox/tmp emptyDir undefined rw',
  ]);
  assert.deepEqual(collector.network.egress.map((e) => `${e.host}:${e.port}`), ['sink-ops.marathon.mesos:9000']);
  const shipper = modelOf(result, 'marathon:/ops/audit/shipper');
  assert.deepEqual(shipper.processes.map((p) => `${p.role} ${p.path} ${p.user}`), [
    'main /bin/shipper root',
    'probe /bin/sh root', // `test` is a shell builtin: no program runs for it
  ]);
  assert.deepEqual(shipper.filesystem.mounts.map((m) => `${m.path} ${m.type} ${m.source} ${m.readOnly}`), ['/tls secret /ops/vault true']);
  assert.deepEqual(edgesOf(result, '/ops'), ['/ops/audit -> /ops/sink 9000->9000/tcp']);
  assert.deepEqual(supermodelOf(result, '/ops').nodes, [
    { id: '/ops/audit', kind: 'MarathonPod', models: ['marathon:/ops/audit/collector', 'marathon:/ops/audit/shipper'] },
    { id: '/ops/sink', kind: 'MarathonApp', models: ['marathon:/ops/sink'] },
  ]);
  assert.deepEqual(codes(result.findings), [
    'TN112 4 environment.ADMIN_PASSWORD',
    'TN007 17 containers[1].volumeMounts[1].name',
    'TN007 18 containers[2].name',
  ]);
});

test('bad values are reported with their line and skipped, and the rest is still modelled', () => {
  const text = `{
    "id": "/bad",
    "apps": [
      { "cmd": "no id here" },
      { "id": "ports", "cmd": "x", "portDefinitions": [{ "port": 70000 }, { "port": "8080" }, { "port": 81, "protocol": "icmp" }, "nope"] },
      { "id": "container", "cmd": "x", "container": "oops" },
      { "id": "Upper_Case", "cmd": "x" },
      { "id": "types", "cmd": 42, "args": "not a list", "env": { "N": 5, "O": [1] }, "container": { "type": "RKT", "docker": { "image": 7 } },
        "networks": [{ "mode": "overlay" }], "healthChecks": [{ "protocol": "GRPC" }, { "protocol": "COMMAND" }], "readinessChecks": [{ "portName": "nope" }],
        "dependencies": [3, ""] },
      "a string",
      { "id": "mapping", "cmd": "x", "networks": [{ "mode": "container/bridge" }],
        "container": { "portMappings": [{ "containerPort": -1 }, { "containerPort": 80, "hostPort": 99999 }] } }
    ],
    "groups": [{ "apps": [{ "id": "orphan", "cmd": "x" }] }, 5]
  }`;
  const result = analyzeTexts(text);
  assert.deepEqual(result.models.map((m) => m.id), [
    'marathon:/bad/ports', 'marathon:/bad/container', 'marathon:/bad/Upper_Case', 'marathon:/bad/types', 'marathon:/bad/mapping', 'marathon:/bad/orphan',
  ]);
  assert.deepEqual(listenOf(modelOf(result, 'marathon:/bad/ports')), ['81/tcp']);
  assert.deepEqual(listenOf(modelOf(result, 'marathon:/bad/mapping')), ['80/tcp']);
  assert.deepEqual(modelOf(result, 'marathon:/bad/types').processes, []);
  assert.ok(result.findings.every((f) => f.code === 'TN007' && f.location.file === 'a.json'), codes(result.findings).join('\n'));
  assert.deepEqual(result.findings.map((f) => `${f.location.line} ${f.location.path} ${f.message}`), [
    '4 apps[0] An app inside a group has no id; skipped',
    '5 apps[1].portDefinitions[0].port port must be a port number from 0 to 65535, not 70000; ignored',
    '5 apps[1].portDefinitions[1].port port must be a port number from 0 to 65535, not "8080"; ignored',
    '5 apps[1].portDefinitions[2].protocol protocol names "icmp", which is neither tcp nor udp (nor a protocol over tcp: http, https, http2, h2, h2c, grpc, ws, wss); read as tcp',
    '5 apps[1].portDefinitions[3] portDefinitions must be a map, not "nope"; ignored',
    '6 apps[2].container container must be a map, not "oops"; ignored',
    '7 apps[3].id app id /bad/Upper_Case has names Marathon refuses (Upper_Case): only a-z, 0-9, \'-\' and \'.\' are allowed',
    '8 apps[4].container.type type must be DOCKER or MESOS, not "RKT"; ignored',
    '8 apps[4].container.docker.image image must be a string, not 7; ignored',
    '8 apps[4].env.N env N must be a string, not 5; read as "5"',
    '8 apps[4].env.O O must be a string or {"secret": name}, not [1]; ignored',
    '8 apps[4].cmd cmd must be a string, not 42; ignored',
    '8 apps[4].args args must be a list, not "not a list"; ignored',
    '9 apps[4].networks[0].mode mode must be host, container or container/bridge, not "overlay"; ignored',
    '9 apps[4].healthChecks[0].protocol protocol must be HTTP, HTTPS, TCP, COMMAND, MESOS_HTTP, MESOS_HTTPS or MESOS_TCP, not "GRPC"; ignored',
    '9 apps[4].healthChecks[1] a COMMAND health check needs command.value; ignored',
    '9 apps[4].readinessChecks[0].portName readiness check portName "nope" names no port of the app; ignored',
    '10 apps[4].dependencies[0] dependencies must be a string, not 3; ignored',
    '10 apps[4].dependencies[1] a dependency must be an app or group id, not an empty string; ignored',
    '11 apps[5] apps must be a map, not "a string"; ignored',
    '13 apps[6].container.portMappings[0].containerPort containerPort must be a port number from 0 to 65535, not -1; ignored',
    '13 apps[6].container.portMappings[1].hostPort hostPort must be a port number from 0 to 65535, not 99999; ignored',
    '15 groups[0] a nested group has no id; its apps are read as part of the enclosing group',
    '15 groups[1] groups must be a map, not 5; ignored',
  ]);
});

test('an id defined twice is modelled once; an app and a pod may share a node', () => {
  const app = `{ "id": "/web", "cmd": "web", "container": { "docker": { "image": "web" } } }`;
  const again = `[{ "id": "web", "cmd": "other" }]`;
  const pod = `{ "id": "/web", "containers": [{ "name": "c", "resources": { "cpus": 1 }, "image": { "kind": "DOCKER", "id": "web:latest" } }] }`;
  const result = analyzeTexts(app, again, pod);
  assert.deepEqual(result.models.map((m) => m.id), ['marathon:/web', 'marathon:/web/c']);
  assert.deepEqual(codes(result.findings), ['TN113 1 container.docker.image', 'TN010 1 [0].id', 'TN113 1 containers[0].image.id']);
  assert.deepEqual(result.findings.map((f) => `${f.location.file} ${f.message}`), [
    'a.json MarathonApp /web: image web has no tag',
    'b.json app /web is also defined at a.json:1; the first definition is modelled',
    'c.json container c of MarathonPod /web: image web:latest uses the latest tag',
  ]);
  assert.deepEqual(supermodelOf(result, '/').nodes, [{ id: '/web', kind: 'MarathonApp', models: ['marathon:/web', 'marathon:/web/c'] }]);
});

test('literal secrets in env are reported, references and placeholders are not', () => {
  const text = `{ "id": "/s", "cmd": "s", "env": {
    "DB_PASSWORD": "pa55",
    "AWS_SECRET_ACCESS_KEY": "abc",
    "GITHUB_TOKEN": "",
    "PASSWORD_FILE": "/run/secrets/pw",
    "API_KEY": "$API_KEY",
    "TOKEN_REQUIRED": "true",
    "SSH_PRIVATE_KEY": { "secret": "ssh" },
    "USER": "admin"
  } }`;
  const result = analyzeTexts(text);
  assert.deepEqual(result.findings.map((f) => `${f.code} ${f.location.path}`), ['TN112 env.DB_PASSWORD', 'TN112 env.AWS_SECRET_ACCESS_KEY']);
});

test('a /v2/apps/{id} answer ({app: …}) and a top-level app reached by its Mesos-DNS name', () => {
  const answer = `{ "app": { "id": "/web", "cmd": "web", "portDefinitions": [{ "port": 8080, "name": "http" }], "requirePorts": true } }`;
  const client = `{ "id": "/tools/curl", "args": ["/usr/bin/curl", "http://web.marathon.mesos:8080/"], "env": { "WEB_HOST": "web.marathon.mesos" } }`;
  const result = analyzeTexts(answer, client);
  const web = modelOf(result, 'marathon:/web');
  assert.deepEqual(web.workload?.sources.map((s) => `${s.file}:${s.line} ${s.path}`), ['a.json:1 app']);
  assert.deepEqual(edgesOf(result, '/tools'), ['/tools/curl -> /web 8080->8080/tcp']);
  assert.deepEqual(supermodelOf(result, '/tools').edges[0]?.sources.map((s) => `${s.file} ${s.path}`), [
    'b.json env.WEB_HOST', 'a.json app.portDefinitions[0]', 'b.json args',
  ]);
  assert.deepEqual(modelOf(result, 'marathon:/tools/curl').processes.map((p) => p.path), ['/usr/bin/curl']);
  assert.deepEqual(result.findings, []);
});

test('a pod endpoint\'s protocol list may name a protocol over TCP (Marathon\'s own examples say ["http"]): tcp, no finding; a value that is no protocol is named', () => {
  const pod = (protocol: unknown) => JSON.stringify({
    id: '/web', containers: [{ name: 'nginx', image: { kind: 'DOCKER', id: 'nginx:1.27' }, endpoints: [{ name: 'http', containerPort: 80, protocol }], resources: { cpus: 0.1, mem: 32 } }],
    networks: [{ mode: 'container', name: 'dcos' }],
  });
  for (const protocol of [['http'], ['tcp'], ['udp', 'tcp'], 'http']) {
    const result = analyzeTexts(pod(protocol));
    assert.deepEqual(result.findings.filter((f) => f.code === 'TN007'), [], JSON.stringify(protocol));
    assert.ok(result.models[0]!.network.listen.some((l) => l.port === 80 && l.protocol === 'tcp'));
  }
  const bad = analyzeTexts(pod(['quic']));
  assert.deepEqual(bad.findings.filter((f) => f.code === 'TN007').map((f) => f.message), ['protocol names "quic", which is neither tcp nor udp (nor a protocol over tcp: http, https, http2, h2, h2c, grpc, ws, wss); read as tcp']);
});

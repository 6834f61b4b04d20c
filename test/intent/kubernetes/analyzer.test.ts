import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseJson } from '../../../src/intent/document.ts';
import { analyzeKubernetes, isKubernetesObject } from '../../../src/intent/kubernetes/index.ts';
import { Analysis, type Finding, type IntentModel, type Source } from '../../../src/model/index.ts';
import { analyzeYaml } from './load.ts';

const at = (line: number, path: string, detail?: string, file = 'test.yaml'): Source => ({
  kind: 'declared', format: 'kubernetes', file, line, path, ...(detail !== undefined && { detail }),
});
const codes = (findings: readonly Finding[]) => findings.map((f) => `${f.code} ${f.location.line} ${f.location.path ?? ''}`);
const modelOf = (models: readonly IntentModel[], container: string) => {
  const m = models.find((x) => x.workload?.container === container);
  assert.ok(m, `a model for container ${container}`);
  return m;
};
const edgeList = (result: ReturnType<typeof analyzeYaml>, app = 'default') =>
  (result.supermodels.find((s) => s.app === app)?.edges ?? []).map((e) => `${e.from} -> ${e.to} ${e.port}->${e.targetPort}/${e.protocol}${e.appProtocol ? ` ${e.appProtocol}` : ''}`);

const POD = `apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: shop }
data:
  CACHE_ADDR: cache:6379
  LOG_LEVEL: debug
---
apiVersion: v1
kind: Pod
metadata:
  name: api
  namespace: shop
  labels: { app: api }
spec:
  hostIPC: false
  securityContext:
    runAsUser: 1000
    runAsNonRoot: true
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: server
      image: registry.example.com/shop/api:2.4.1
      command: ["node"]
      args: ["server.js", "--port=$(PORT)"]
      ports:
        - { name: http, containerPort: 3000 }
        - { containerPort: 9090, protocol: UDP }
      env:
        - { name: PORT, value: "3000" }
        - name: DB_PASSWORD
          valueFrom: { secretKeyRef: { name: db, key: password } }
        - name: QUEUE_ADDR
          valueFrom: { configMapKeyRef: { name: settings, key: CACHE_ADDR } }
      envFrom:
        - configMapRef: { name: settings }
      securityContext:
        runAsUser: 2000
        readOnlyRootFilesystem: true
        allowPrivilegeEscalation: false
        capabilities: { add: [NET_BIND_SERVICE], drop: [ALL] }
      readinessProbe: { httpGet: { path: /ready, port: http } }
      livenessProbe: { exec: { command: [node, health.js] } }
      lifecycle: { preStop: { exec: { command: [/bin/sh, -c, "sleep 5"] } } }
      volumeMounts:
        - { name: tmp, mountPath: /tmp }
        - { name: config, mountPath: /etc/api }
        - { name: sock, mountPath: /var/run/docker.sock, readOnly: true }
  volumes:
    - { name: tmp, emptyDir: { medium: Memory } }
    - { name: config, configMap: { name: settings } }
    - { name: sock, hostPath: { path: /var/run/docker.sock, type: Socket } }
`;

test('a pod container becomes one whole model: process, ports, probes, hooks, env peers, merged security, mounts', () => {
  const result = analyzeYaml(POD);
  const fromConfigMap = [at(35, 'spec.containers[0].envFrom[0]', 'CACHE_ADDR from ConfigMap settings'), at(32, 'spec.containers[0].env[2]', 'value of key CACHE_ADDR in ConfigMap settings')];
  const tmp = [at(45, 'spec.containers[0].volumeMounts[0]'), at(49, 'spec.volumes[0]', 'emptyDir volume tmp, in memory')];
  const expected: IntentModel = {
    apiVersion: 'tenet/v1',
    kind: 'IntentModel',
    id: 'k8s:shop/Pod/api/server',
    image: 'registry.example.com/shop/api:2.4.1',
    workload: { kind: 'Pod', namespace: 'shop', name: 'api', container: 'server', labels: { app: 'api' }, sources: [at(21, 'spec.containers[0]')] },
    app: 'shop',
    state: 'static',
    processes: [
      // `$(PORT)` is expanded from the container's environment, as the kubelet does.
      { path: 'node', argv: ['node', 'server.js', '--port=3000'], role: 'main', user: '2000', sources: [at(23, 'spec.containers[0].command'), at(24, 'spec.containers[0].args')] },
      { path: 'node', argv: ['node', 'health.js'], role: 'probe', user: '2000', sources: [at(42, 'spec.containers[0].livenessProbe.exec.command', 'livenessProbe runs this')] },
      { path: '/bin/sh', argv: ['/bin/sh', '-c', 'sleep 5'], role: 'lifecycle', user: '2000', sources: [at(43, 'spec.containers[0].lifecycle.preStop.exec.command', 'preStop hook runs this')] },
      { path: 'sleep', role: 'lifecycle', user: '2000', sources: [at(43, 'spec.containers[0].lifecycle.preStop.exec.command', 'preStop hook runs this')] },
    ],
    network: {
      listen: [
        { port: 3000, protocol: 'tcp', name: 'http', sources: [at(26, 'spec.containers[0].ports[0]'), at(41, 'spec.containers[0].readinessProbe.httpGet.port', 'readinessProbe connects to this port')] },
        { port: 9090, protocol: 'udp', sources: [at(27, 'spec.containers[0].ports[1]')] },
      ],
      egress: [{ host: 'cache', port: 6379, protocol: 'tcp', sources: fromConfigMap }],
      dns: [{ name: 'cache', sources: fromConfigMap }],
    },
    filesystem: {
      readOnlyRoot: true,
      writable: [{ path: '/tmp', sources: tmp }],
      mounts: [
        { path: '/tmp', type: 'emptyDir', source: 'tmp', readOnly: false, sources: tmp },
        // ConfigMap volumes are always mounted read-only.
        { path: '/etc/api', type: 'configMap', source: 'settings', readOnly: true, sources: [at(46, 'spec.containers[0].volumeMounts[1]'), at(50, 'spec.volumes[1]', 'configMap volume config')] },
        { path: '/var/run/docker.sock', type: 'hostPath', source: '/var/run/docker.sock', readOnly: true, sources: [at(47, 'spec.containers[0].volumeMounts[2]'), at(51, 'spec.volumes[2]', 'hostPath volume sock')] },
      ],
    },
    syscalls: { allow: [], sources: [] },
    capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'], sources: [at(40, 'spec.containers[0].securityContext.capabilities')] },
    security: {
      user: { value: '2000', sources: [at(37, 'spec.containers[0].securityContext.runAsUser')] },
      runAsNonRoot: { value: true, sources: [at(18, 'spec.securityContext.runAsNonRoot')] },
      allowPrivilegeEscalation: { value: false, sources: [at(39, 'spec.containers[0].securityContext.allowPrivilegeEscalation')] },
      hostIPC: { value: false, sources: [at(15, 'spec.hostIPC')] },
      seccompProfile: { value: 'RuntimeDefault', sources: [at(19, 'spec.securityContext.seccompProfile')] },
    },
  };
  assert.deepStrictEqual(result.models, [expected]);
  assert.deepStrictEqual(result.supermodels, [
    { apiVersion: 'tenet/v1', kind: 'Supermodel', app: 'shop', nodes: [{ id: 'shop/api', kind: 'Pod', models: ['k8s:shop/Pod/api/server'] }], edges: [] },
  ]);
  // The cache is named twice (envFrom and a key reference) but no Service of the input is called so.
  assert.deepStrictEqual(codes(result.findings), ['TN011 32 spec.containers[0].env[2]', 'TN011 35 spec.containers[0].envFrom[0]']);
  assert.ok(Analysis.safeParse({ ...result }).success);
});

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports:
    - { name: http, port: 80, targetPort: http }
    - { name: metrics, port: 9100, targetPort: 9100, appProtocol: prometheus }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, tier: front } }
    spec:
      containers:
        - name: nginx
          image: nginx:1.27
          ports: [{ name: http, containerPort: 8080 }, { containerPort: 9100 }]
          env:
            - { name: SELF_URL, value: "http://web:80" }
---
apiVersion: v1
kind: Service
metadata: { name: dns, namespace: infra }
spec:
  selector: { app: dns, tier: core }
  ports: [{ name: dns-udp, port: 53, protocol: UDP, targetPort: 5353 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: coredns, namespace: infra }
spec:
  serviceName: dns
  selector: { matchLabels: { app: dns } }
  template:
    metadata: { labels: { app: dns, tier: core } }
    spec:
      containers: [{ name: coredns, image: "coredns/coredns:1.11.1", ports: [{ containerPort: 5353, protocol: UDP }] }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: half-match, namespace: infra }
spec:
  template:
    metadata: { labels: { app: dns } }
    spec:
      containers: [{ name: c, image: "busybox:1.36" }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: report }
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: { labels: { job: report } }
        spec:
          restartPolicy: OnFailure
          containers:
            - name: report
              image: reporter:3
              args: ["--target=web"]
              env:
                - { name: WEB_HOST, value: web }
                - { name: RESOLVER, value: "dns.infra.svc.cluster.local:53" }
                - { name: BILLING_URL, value: "https://billing.example.com/api" }
                - { name: LEDGER_ADDR, value: "ledger:7000" }
`;

test('references resolve through Services: named targetPorts, a port per Service port, other namespaces, no self edges', () => {
  const result = analyzeYaml(SERVICES);
  assert.deepEqual(result.supermodels.map((s) => s.app), ['default', 'infra']);
  assert.deepEqual(edgeList(result), [
    // WEB_HOST names the Service without a port: one edge per Service port; `http` resolves to 8080.
    'default/report -> default/web 80->8080/tcp http',
    'default/report -> default/web 9100->9100/tcp prometheus',
    // The only pod the selector matches on both labels; the cross-namespace edge stays in the client's graph.
    'default/report -> infra/coredns 53->5353/udp',
  ]);
  assert.deepEqual(result.supermodels[0]?.nodes, [
    { id: 'default/report', kind: 'CronJob', models: ['k8s:default/CronJob/report/report'] },
    { id: 'default/web', kind: 'Deployment', models: ['k8s:default/Deployment/web/nginx'] },
  ]);
  assert.deepEqual(result.supermodels[1]?.nodes.map((n) => n.id), ['infra/coredns', 'infra/half-match']);

  const report = modelOf(result.models, 'report');
  assert.deepEqual(report.network.egress.map((e) => `${e.host}:${e.port}/${e.protocol}`), [
    'web:80/tcp', 'web:9100/tcp', 'dns.infra.svc.cluster.local:53/udp', 'billing.example.com:443/tcp', 'ledger:7000/tcp',
  ]);
  assert.deepEqual(report.network.dns.map((d) => d.name), ['web', 'dns.infra.svc.cluster.local', 'billing.example.com', 'ledger']);
  // The CronJob's pod template is read from spec.jobTemplate.spec.template.
  assert.equal(report.workload?.sources[0]?.path, 'spec.jobTemplate.spec.template.spec.containers[0]');
  assert.equal(report.workload?.sources[0]?.line, 64);
  // `--target=web` names a known Service but without a port, which an argument must give.
  assert.deepEqual(report.processes, []);

  // The web pod calls itself through its own Service: egress, but no edge.
  const web = modelOf(result.models, 'nginx');
  assert.deepEqual(web.network.egress.map((e) => `${e.host}:${e.port}`), ['web:80']);
  // Only the internal name that matches nothing is reported; the external host is not.
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.line, f.message]), [
    ['TN011', 71, 'CronJob default/report refers to ledger (LEDGER_ADDR), but no Service of that name is in the input'],
  ]);
});

test('a host variable and a port variable together pick one Service port; arguments name known Services', () => {
  const result = analyzeYaml(`apiVersion: v1
kind: Service
metadata: { name: db }
spec:
  selector: { app: db }
  ports: [{ name: pg, port: 5432 }, { name: tcp-admin, port: 8008, targetPort: admin }]
---
apiVersion: v1
kind: Pod
metadata: { name: db, labels: { app: db } }
spec:
  containers: [{ name: pg, image: "postgres:16", ports: [{ containerPort: 5432 }, { name: admin, containerPort: 8009 }] }]
---
apiVersion: v1
kind: Pod
metadata: { name: app }
spec:
  containers:
    - name: app
      image: app:1
      command: [/app]
      args: ["--db=db.default.svc:5432", "--admin", "db:8008"]
      env:
        - { name: DB_HOST, value: db }
        - { name: DB_PORT, value: "5432" }
`);
  assert.deepEqual(edgeList(result), ['default/app -> default/db 5432->5432/tcp', 'default/app -> default/db 8008->8009/tcp tcp']);
  const app = modelOf(result.models, 'app');
  assert.deepEqual(app.network.egress.map((e) => [e.host, e.port, e.sources.map((s) => s.path)]), [
    ['db', 5432, ['spec.containers[0].env[0]', 'spec.containers[0].env[1]']],
    ['db.default.svc', 5432, ['spec.containers[0].args']],
    ['db', 8008, ['spec.containers[0].args']],
  ]);
  assert.deepEqual(app.processes.map((p) => p.argv), [['/app', '--db=db.default.svc:5432', '--admin', 'db:8008']]);
  assert.deepEqual(result.findings, []);
});

test('invalid values are TN007 findings at their line, and the rest is still analysed', () => {
  const result = analyzeYaml(`apiVersion: apps/v1
kind: Deployment
metadata: { name: bad }
spec:
  template:
    metadata: { labels: { app: bad } }
    spec:
      securityContext: { runAsUser: "root" }
      containers:
        - name: app
          image: app:1.0
          ports:
            - containerPort: "abc"
            - containerPort: 70000
            - { containerPort: 8080, protocol: HTTP }
            - { containerPort: 8443, hostPort: 8443 }
          readinessProbe: { tcpSocket: { port: missing } }
          securityContext: { privileged: "yes", capabilities: { add: NET_ADMIN } }
          volumeMounts: [{ name: nowhere, mountPath: /data }]
---
apiVersion: v1
kind: Pod
metadata: { name: nothing-runs }
spec:
  containers: { name: app, image: app }
  initContainers:
    - name: setup
      image: busybox:1.36
      command: [sh, -c, "chown 1000 /data"]
`);
  assert.deepEqual(codes(result.findings), [
    'TN007 8 spec.template.spec.securityContext.runAsUser',
    'TN007 13 spec.template.spec.containers[0].ports[0].containerPort',
    'TN007 14 spec.template.spec.containers[0].ports[1].containerPort',
    'TN007 15 spec.template.spec.containers[0].ports[2].protocol',
    'TN117 16 spec.template.spec.containers[0].ports[3].hostPort',
    'TN007 17 spec.template.spec.containers[0].readinessProbe.tcpSocket.port',
    'TN007 18 spec.template.spec.containers[0].securityContext.privileged',
    'TN007 18 spec.template.spec.containers[0].securityContext.capabilities.add',
    'TN007 19 spec.template.spec.containers[0].volumeMounts[0].name',
    'TN007 25 spec.containers',
  ]);
  assert.match(result.findings[1]!.message, /containerPort must be a port number from 1 to 65535, not "abc"/);
  assert.ok(result.findings.filter((f) => f.code === 'TN007').every((f) => f.severity === 'high'));
  const app = modelOf(result.models, 'app');
  assert.deepEqual(app.network.listen.map((l) => [l.port, l.protocol, l.hostPort]), [[8080, 'tcp', undefined], [8443, 'tcp', 8443]]);
  assert.equal(app.security.user, undefined);
  assert.equal(app.security.privileged, undefined);
  // The pod whose containers are not a list still models its init container.
  const setup = modelOf(result.models, 'setup');
  assert.deepEqual(setup.processes.map((p) => [p.path, p.role]), [['sh', 'init'], ['chown', 'init']]);
  assert.ok(Analysis.safeParse({ ...result }).success);
});

test('objects without a pod template or a name are reported, not modelled', () => {
  const result = analyzeYaml(`apiVersion: apps/v1
kind: Deployment
metadata: { name: empty }
spec: { replicas: 1 }
---
apiVersion: v1
kind: Pod
metadata: { labels: { a: b } }
spec: { containers: [{ name: c, image: "c:1" }] }
---
apiVersion: v1
kind: Pod
metadata: { name: p }
spec: 42
`);
  assert.deepEqual(codes(result.findings), ['TN007 4 spec', 'TN007 8 metadata', 'TN007 14 spec']);
  assert.deepEqual(result.models, []);
  assert.deepEqual(result.supermodels, []);
});

test('a List is expanded, and its items keep their paths and lines', () => {
  const list = `{
  "apiVersion": "v1",
  "kind": "List",
  "items": [
    { "apiVersion": "v1", "kind": "Service", "metadata": { "name": "api" },
      "spec": { "selector": { "app": "api" }, "ports": [{ "port": 80, "targetPort": 8080 }] } },
    { "apiVersion": "apps/v1", "kind": "Deployment", "metadata": { "name": "api" },
      "spec": { "template": { "metadata": { "labels": { "app": "api" } },
        "spec": { "containers": [{ "name": "api", "image": "api:1", "ports": [{ "containerPort": 8080 }] }] } } } },
    { "apiVersion": "v1", "kind": "Pod", "metadata": { "name": "client" },
      "spec": { "containers": [{ "name": "c", "image": "c:1", "env": [{ "name": "API_URL", "value": "http://api" }] }] } }
  ]
}`;
  assert.equal(isKubernetesObject(JSON.parse(list)), true);
  const result = analyzeKubernetes(parseJson('list.json', list).documents);
  assert.deepEqual(result.models.map((m) => [m.id, m.workload?.sources[0]?.path, m.workload?.sources[0]?.line]), [
    ['k8s:default/Deployment/api/api', 'items[1].spec.template.spec.containers[0]', 9],
    ['k8s:default/Pod/client/c', 'items[2].spec.containers[0]', 11],
  ]);
  assert.deepEqual(edgeList(result), ['default/client -> default/api 80->8080/tcp']);
  assert.deepEqual(result.supermodels[0]?.edges[0]?.sources.map((s) => [s.path, s.line]), [['items[2].spec.containers[0].env[0]', 11], ['items[0].spec.ports[0]', 6]]);
});

test('isKubernetesObject wants a string apiVersion and kind, or a List with items', () => {
  assert.equal(isKubernetesObject({ apiVersion: 'v1', kind: 'Pod' }), true);
  assert.equal(isKubernetesObject({ kind: 'List', items: [] }), true);
  for (const value of [null, 'Pod', [], { kind: 'Pod' }, { apiVersion: 1, kind: 'Pod' }, { services: {} }, { kind: 'List', items: {} }]) {
    assert.equal(isKubernetesObject(value), false, JSON.stringify(value));
  }
});

test('a second definition is TN010 at its name, and only the first is modelled', () => {
  const doc = (image: string) => `apiVersion: v1
kind: Pod
metadata:
  name: twice
spec: { containers: [{ name: c, image: "${image}" }] }
`;
  const result = analyzeYaml(`${doc('first:1')}---\n${doc('second:1')}`);
  assert.deepEqual(result.models.map((m) => m.image), ['first:1']);
  assert.deepEqual(result.findings.map((f) => [f.code, f.severity, f.location.line, f.message]), [
    ['TN010', 'info', 10, 'Pod default/twice is defined again (first at test.yaml:4); the first definition is modelled'],
  ]);
});

test('an image digest is the model id, made unique when containers share it', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  const result = analyzeYaml(`apiVersion: v1
kind: Pod
metadata: { name: p, namespace: ns }
spec:
  initContainers: [{ name: init, image: "busybox@${digest}" }]
  containers:
    - { name: a, image: "registry.local:5000/app:1.0@${digest}" }
    - { name: b, image: "app@sha256:123" }
    - { name: c, image: "registry.local:5000/app" }
    - { name: d, image: "app:latest" }
    - { name: e, image: "app:1.0" }
`);
  assert.deepEqual(result.models.map((m) => m.id), [
    digest,
    'k8s:ns/Pod/p/b',
    'k8s:ns/Pod/p/c',
    'k8s:ns/Pod/p/d',
    'k8s:ns/Pod/p/e',
    `${digest}#k8s:ns/Pod/p/init`,
  ]);
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.line, f.model]), [
    ['TN007', 8, 'k8s:ns/Pod/p/b'],
    ['TN113', 8, 'k8s:ns/Pod/p/b'],
    ['TN113', 9, 'k8s:ns/Pod/p/c'],
    ['TN113', 10, 'k8s:ns/Pod/p/d'],
  ]);
});

test('literal secrets in env are TN112; references, placeholders and empty values are not', () => {
  const result = analyzeYaml(`apiVersion: v1
kind: Pod
metadata: { name: p }
spec:
  containers:
    - name: c
      image: c:1
      env:
        - { name: DB_PASSWORD, value: hunter2 }
        - { name: GITHUB_TOKEN, value: "\${GITHUB_TOKEN}" }
        - { name: API_KEY, value: "" }
        - name: ADMIN_PASSWORD
          valueFrom: { secretKeyRef: { name: admin, key: password } }
        - { name: PASSWORD_FILE, value: /run/secrets/db }
        - { name: STRIPE_API_KEY, value: sk_live_abc }
        - { name: LOG_LEVEL, value: debug }
`);
  assert.deepEqual(result.findings.map((f) => [f.code, f.location.line, f.message]), [
    ['TN112', 9, 'container c of Pod default/p: env DB_PASSWORD holds a literal secret'],
    ['TN112', 15, 'container c of Pod default/p: env STRIPE_API_KEY holds a literal secret'],
  ]);
  assert.ok(result.findings.every((f) => !f.message.includes('hunter2')), 'the secret is never repeated');
});

test('seccomp: container field over container annotation over pod field over pod annotation; Localhost keeps its profile', () => {
  const result = analyzeYaml(`apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: ops }
spec:
  template:
    metadata:
      labels: { app: agent }
      annotations:
        seccomp.security.alpha.kubernetes.io/pod: unconfined
        container.seccomp.security.alpha.kubernetes.io/b: localhost/profiles/b.json
    spec:
      hostNetwork: true
      hostPID: true
      containers:
        - { name: a, image: "a:1", securityContext: { seccompProfile: { type: Localhost, localhostProfile: profiles/a.json } } }
        - { name: b, image: "b:1" }
        - { name: c, image: "c:1" }
`);
  assert.deepEqual(result.models.map((m) => [m.workload?.container, m.security.seccompProfile?.value, m.security.seccompProfile?.sources[0]?.line]), [
    ['a', 'Localhost/profiles/a.json', 15],
    ['b', 'Localhost/profiles/b.json', 10],
    ['c', 'Unconfined', 9],
  ]);
  for (const m of result.models) {
    assert.deepEqual(m.security.hostNetwork, { value: true, sources: [at(12, 'spec.template.spec.hostNetwork')] });
    assert.deepEqual(m.security.hostPID, { value: true, sources: [at(13, 'spec.template.spec.hostPID')] });
  }
});

test('without command the image entrypoint is unknown; a native sidecar is a main process; privileged is a flag', () => {
  const result = analyzeYaml(`apiVersion: batch/v1
kind: Job
metadata: { name: migrate }
spec:
  template:
    spec:
      restartPolicy: Never
      initContainers:
        - { name: proxy, image: "proxy:2", restartPolicy: Always, command: [/proxy, --listen=:5432] }
      containers:
        - name: migrate
          image: migrate:4
          args: [up]
          securityContext: { privileged: true, allowPrivilegeEscalation: true }
`);
  assert.deepEqual(modelOf(result.models, 'proxy').processes.map((p) => [p.path, p.role]), [['/proxy', 'main']]);
  const migrate = modelOf(result.models, 'migrate');
  assert.deepEqual(migrate.processes, []);
  assert.deepEqual(migrate.security, {
    privileged: { value: true, sources: [at(14, 'spec.template.spec.containers[0].securityContext.privileged')] },
    allowPrivilegeEscalation: { value: true, sources: [at(14, 'spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation')] },
  });
  assert.equal(migrate.workload?.kind, 'Job');
});

test('hostPath subPath, projected, secret, PVC and claim-template volumes', () => {
  const result = analyzeYaml(`apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  template:
    spec:
      containers:
        - name: db
          image: db:1
          volumeMounts:
            - { name: host, mountPath: /logs, subPath: db }
            - { name: token, mountPath: /var/run/token }
            - { name: tls, mountPath: /tls }
            - { name: backup, mountPath: /backup }
            - { name: data, mountPath: /data }
            - { name: cache, mountPath: /cache }
      volumes:
        - { name: host, hostPath: { path: /var/log/ } }
        - { name: token, projected: { sources: [{ serviceAccountToken: { path: token } }] } }
        - { name: tls, secret: { secretName: db-tls } }
        - { name: backup, persistentVolumeClaim: { claimName: backups } }
        - name: cache
          emptyDir:
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce] }
`);
  const db = modelOf(result.models, 'db');
  assert.deepEqual(db.filesystem.mounts.map((m) => [m.path, m.type, m.source, m.readOnly, m.sources[1]?.line]), [
    ['/logs', 'hostPath', '/var/log/db', false, 19],
    ['/var/run/token', 'projected', 'token', true, 20],
    ['/tls', 'secret', 'db-tls', true, 21],
    ['/backup', 'persistentVolumeClaim', 'backups', false, 22],
    ['/data', 'persistentVolumeClaim', 'data', false, 26],
    ['/cache', 'emptyDir', 'cache', false, 23],
  ]);
  assert.deepEqual(db.filesystem.writable.map((w) => w.path), ['/logs', '/backup', '/data', '/cache']);
  assert.deepEqual(result.findings, []);
});

test('random shapes never throw and always give schema-valid results', () => {
  const shapes = [
    'apiVersion: v1\nkind: Pod\n', 'apiVersion: v1\nkind: Pod\nmetadata: 3\n', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: 3, selector: [1]}\n',
    'apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: {a: b}, ports: [{port: 0}, {port: 80, targetPort: 99999}, {port: 81, targetPort: "8080"}, null]}\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: 7}\nspec: {containers: [null, 3, {}, {name: c, env: 3, envFrom: [{configMapRef: 2}], ports: [{containerPort: 80.5}], command: "x", args: [{}]}]}\n',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: [1]\n',
    'apiVersion: v1\nkind: List\nitems: [1, null, {kind: List, items: [{apiVersion: v1, kind: Pod, metadata: {name: x}, spec: {containers: [{name: y, image: "y", env: [{name: constructor, valueFrom: {configMapKeyRef: {name: c, key: constructor}}}]}]}}]}]\n',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {volumes: [{name: v, hostPath: 3}], containers: [{name: c, image: i, volumeMounts: [{name: v, mountPath: /x}], livenessProbe: {httpGet: {port: "80"}, exec: 3}}]}\n',
  ];
  for (const shape of shapes) {
    const result = analyzeYaml(shape);
    const parsed = Analysis.safeParse({ ...result });
    assert.ok(parsed.success, `${shape}: ${parsed.error?.message}`);
    assert.ok(result.findings.every((f) => f.location.line >= 1));
  }
});

test('fuzzed objects with the right keys and wrong values never throw', () => {
  const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('http', '8080', 'constructor', '__proto__', 'a:1', 'redis://x', '$(X)'));
  const fields = <T extends string>(...keys: T[]) => fc.dictionary(fc.constantFrom(...keys), anything, { maxKeys: keys.length });
  const container = fc.record({
    name: fc.oneof(fc.constantFrom('a', 'b'), anything),
    image: anything,
    ports: fc.oneof(fc.array(fields('containerPort', 'name', 'protocol', 'hostPort')), anything),
    env: fc.oneof(fc.array(fields('name', 'value', 'valueFrom')), anything),
    envFrom: fc.array(fc.record({ configMapRef: fields('name') })),
    volumeMounts: fc.oneof(fc.array(fields('name', 'mountPath', 'readOnly', 'subPath')), anything),
    securityContext: fc.oneof(fields('runAsUser', 'runAsNonRoot', 'privileged', 'capabilities', 'seccompProfile', 'readOnlyRootFilesystem'), anything),
    livenessProbe: fc.oneof(fc.record({ httpGet: fields('port') }), fc.record({ exec: fields('command') }), anything),
    command: anything,
    args: anything,
  }, { requiredKeys: [] });
  const pod = fc.record({
    containers: fc.oneof(fc.array(container, { maxLength: 3 }), anything),
    initContainers: fc.array(container, { maxLength: 1 }),
    volumes: fc.oneof(fc.array(fc.record({ name: fc.constantFrom('a', 'b'), hostPath: fields('path'), emptyDir: anything }, { requiredKeys: ['name'] })), anything),
    securityContext: anything,
    hostNetwork: anything,
  }, { requiredKeys: [] });
  const service = fc.record({
    apiVersion: fc.constant('v1'), kind: fc.constant('Service'), metadata: fc.record({ name: fc.constantFrom('a', 'b') }),
    spec: fc.record({ selector: fc.oneof(fc.constant({ app: 'x' }), anything), ports: fc.oneof(fc.array(fields('port', 'targetPort', 'protocol', 'name', 'appProtocol')), anything) }, { requiredKeys: [] }),
  });
  const workload = fc.record({
    apiVersion: fc.constant('apps/v1'), kind: fc.constantFrom('Pod', 'Deployment', 'CronJob'), metadata: fc.record({ name: fc.constantFrom('a', 'b'), namespace: anything }, { requiredKeys: ['name'] }),
    spec: fc.oneof(pod, fc.record({ template: fc.record({ metadata: fc.constant({ labels: { app: 'x' } }), spec: pod }) }), anything),
  });
  fc.assert(fc.property(fc.array(fc.oneof(service, workload), { minLength: 1, maxLength: 4 }), (objects) => {
    const docs = objects.map((value, index) => ({ file: 'fuzz.yaml', index, value, lineOf: () => index + 1 }));
    const parsed = Analysis.safeParse({ ...analyzeKubernetes(docs) });
    assert.ok(parsed.success, parsed.error?.message);
  }), { numRuns: 500 });
});

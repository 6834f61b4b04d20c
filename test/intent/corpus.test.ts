// `tenet analyze` over a small corpus of real-world deployment manifests (test/intent/corpus/,
// provenance in its SOURCES.md). Every file must be read and none found unusable; the facts below
// were read from the manifests themselves (file and line in each message), not from the output.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { collectInputs, diskFiles, displayPath } from '../../src/cli/inputs.ts';
import { analyze, classify } from '../../src/intent/index.ts';
import { isUnusable, type Analysis, type Finding, type IntentModel, type SupermodelEdge } from '../../src/model/index.ts';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));
const MAX_FILE_SIZE = 10 * 1024 * 1024;

/**
 * Analyses corpus folders as `tenet analyze` does: files the manifests refer to (`.env`, env files,
 * build Dockerfiles) are looked up on disk. Unlike the CLI, no shell environment is passed, so the
 * result does not depend on who runs the test. (analyze-input.ts's `analyzePaths` reads no `.env`,
 * which the OpenTelemetry demo needs for its ports.)
 */
function analyzeCorpus(...folders: string[]): Analysis {
  const { inputs, findings } = collectInputs(folders.map((f) => join(CORPUS, f)), MAX_FILE_SIZE);
  const analysis = analyze(inputs, { files: diskFiles(MAX_FILE_SIZE), environment: {}, maxFileSize: MAX_FILE_SIZE });
  return { ...analysis, findings: [...findings, ...analysis.findings] };
}

/** A corpus file as the analysis names it. */
function file(path: string): string {
  return displayPath(join(CORPUS, path));
}

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

function modelOf(analysis: Analysis, id: string): IntentModel {
  const model = analysis.models.find((m) => m.id === id);
  assert.ok(model, `a model ${id}; models: ${analysis.models.map((m) => m.id).join(', ')}`);
  return model;
}

interface At { file: string; line: number }

/** The model listens on `port`/tcp, declared at `at`, with the given name and host port (none when not given). */
function assertListens(model: IntentModel, port: number, at: At, expected: { name?: string; hostPort?: number } = {}): void {
  const entry = model.network.listen.find((l) => l.port === port && l.protocol === 'tcp');
  assert.ok(entry, `${model.id} listens on ${port}/tcp (${at.file}:${at.line}); it has ${JSON.stringify(model.network.listen.map((l) => l.port))}`);
  assert.equal(entry.name, expected.name, `${model.id} port ${port} name`);
  assert.equal(entry.hostPort, expected.hostPort, `${model.id} port ${port} host port`);
  assert.ok(entry.sources.some((s) => s.file === at.file && s.line === at.line), `${model.id} port ${port} declared at ${at.file}:${at.line}`);
}

function assertEgress(model: IntentModel, host: string, port: number, at: At): void {
  const entry = model.network.egress.find((e) => e.host === host && e.port === port);
  assert.ok(entry, `${model.id} may reach ${host}:${port} (${at.file}:${at.line}); egress: ${JSON.stringify(model.network.egress.map((e) => `${e.host}:${e.port}`))}`);
  assert.ok(entry.sources.some((s) => s.file === at.file && s.line === at.line), `${model.id} egress ${host}:${port} from ${at.file}:${at.line}`);
}

/** The edge of app `app` from one node to another on `port`, with `at` among its evidence. */
function assertEdge(analysis: Analysis, app: string, from: string, to: string, port: number, at: At): SupermodelEdge {
  const supermodel = analysis.supermodels.find((s) => s.app === app);
  assert.ok(supermodel, `a supermodel ${app}`);
  const edge = supermodel.edges.find((e) => e.from === from && e.to === to && e.port === port);
  assert.ok(edge, `${app}: edge ${from} -> ${to}:${port} (${at.file}:${at.line}); edges: ${supermodel.edges.map((e) => `${e.from}->${e.to}:${e.port}`).join(', ')}`);
  assert.ok(edge.sources.some((s) => s.file === at.file && s.line === at.line), `${app}: edge ${from} -> ${to}:${port} evidenced by ${at.file}:${at.line}`);
  return edge;
}

function assertFinding(analysis: Analysis, code: string, at: At, model?: string, includes?: string): Finding {
  const found = analysis.findings.find((f) => f.code === code && f.location.file === at.file && f.location.line === at.line
    && (model === undefined || f.model === model) && (includes === undefined || f.message.includes(includes)));
  assert.ok(found, `${code} at ${at.file}:${at.line}${model ? ` on ${model}` : ''}; found: ${analysis.findings.filter((f) => f.code === code).map((f) => `${f.location.file}:${f.location.line}`).join(', ')}`);
  return found;
}

const FORMAT_BY_FOLDER: Readonly<Record<string, 'kubernetes' | 'compose' | 'marathon'>> = {
  'kube-prometheus': 'kubernetes',
  'argo-cd': 'kubernetes',
  'example-voting-app/k8s-specifications': 'kubernetes',
  'example-voting-app': 'compose',
  'example-voting-app/swarm-stack': 'compose',
  'opentelemetry-demo': 'compose',
  airflow: 'compose',
  marathon: 'marathon',
  'dcos-demos': 'marathon',
};

/** Valid files of kinds Tenet does not model: reported with TN006 (info), never as unusable. */
const UNMODELLED: ReadonlyMap<string, string> = new Map([
  ['kube-prometheus/prometheus-prometheus.yaml', 'Prometheus (monitoring.coreos.com/v1)'],
  ['kube-prometheus/prometheus-serviceMonitor.yaml', 'ServiceMonitor (monitoring.coreos.com/v1)'],
  ['kube-prometheus/setup/0prometheusruleCustomResourceDefinition.yaml', 'CustomResourceDefinition (apiextensions.k8s.io/v1)'],
  ['kube-prometheus/setup/0servicemonitorCustomResourceDefinition.yaml', 'CustomResourceDefinition (apiextensions.k8s.io/v1)'],
  ['kube-prometheus/setup/namespace.yaml', 'Namespace (v1)'],
]);

const SOURCES = ['kube-prometheus', 'argo-cd', 'example-voting-app', 'marathon', 'dcos-demos', 'opentelemetry-demo', 'airflow'];

test('corpus: every file is read and sorted into its format, nothing throws, and no finding makes it unusable', () => {
  const onDisk = allFiles(CORPUS).map((p) => relative(CORPUS, p).split('\\').join('/')).sort();
  const manifests = onDisk.filter((p) => p !== 'SOURCES.md' && !p.endsWith('/.env'));
  assert.deepEqual(onDisk.filter((p) => !manifests.includes(p)), ['SOURCES.md', 'opentelemetry-demo/.env']);
  assert.ok(manifests.length >= 35 && manifests.length <= 40, `${manifests.length} manifests`);

  let analysis: Analysis | undefined;
  assert.doesNotThrow(() => {
    analysis = analyzeCorpus('.');
  });
  assert.ok(analysis);

  // every manifest is an input, and each of its documents lands in the format its folder holds
  const { inputs } = collectInputs([CORPUS], MAX_FILE_SIZE);
  assert.deepEqual(inputs.map((i) => i.path).sort(), manifests.map(file).sort());
  const classified = classify(inputs, MAX_FILE_SIZE);
  assert.deepEqual(classified.findings.filter(isUnusable), []);
  assert.deepEqual(classified.dockerfiles, []);
  for (const path of manifests) {
    const folder = path.slice(0, path.lastIndexOf('/'));
    const expected = FORMAT_BY_FOLDER[folder] ?? FORMAT_BY_FOLDER[folder.split('/')[0]!];
    const counts = {
      kubernetes: classified.kubernetes.filter((d) => d.file === file(path)).length,
      compose: classified.compose.filter((d) => d.file === file(path)).length,
      marathon: classified.marathon.filter((d) => d.file === file(path)).length,
    };
    assert.ok(expected && counts[expected] > 0, `${path}: read as ${expected}; documents: ${JSON.stringify(counts)}`);
    assert.equal(counts.kubernetes + counts.compose + counts.marathon, counts[expected!], `${path}: only ${expected} documents`);
  }

  // nothing unusable: no syntax error, invalid value, input limit or fault of Tenet (TN025)
  const unusable = analysis.findings.filter(isUnusable);
  assert.deepEqual(unusable.map((f) => `${f.code} ${f.location.file}:${f.location.line} ${f.message}`), []);

  // exactly the custom resources, CRDs and the Namespace are skipped, as valid input of other kinds
  const skipped = analysis.findings.filter((f) => f.code === 'TN006');
  assert.deepEqual(skipped.map((f) => f.location.file).sort(), [...UNMODELLED.keys()].map(file).sort());
  for (const [path, kind] of UNMODELLED) {
    assert.ok(skipped.some((f) => f.location.file === file(path) && f.message.includes(kind)), `${path}: TN006 names ${kind}`);
  }
});

test('corpus: each source analysed alone gives the models it gives within the whole corpus', () => {
  const whole = analyzeCorpus('.').models.map((m) => m.id).sort();
  const parts: string[] = [];
  for (const source of SOURCES) {
    let analysis: Analysis | undefined;
    assert.doesNotThrow(() => {
      analysis = analyzeCorpus(source);
    }, source);
    assert.ok(analysis && analysis.models.length > 0, `${source} has models`);
    assert.deepEqual(analysis.findings.filter(isUnusable), [], source);
    parts.push(...analysis.models.map((m) => m.id));
  }
  assert.deepEqual(parts.sort(), whole);
});

test('kube-prometheus: the operator, node-exporter and adapter as the manifests declare them', () => {
  const a = analyzeCorpus('kube-prometheus');
  const deployment = file('kube-prometheus/prometheusOperator-deployment.yaml');

  // prometheusOperator-deployment.yaml:43 `- containerPort: 8080` named http; :65 8443 named https for kube-rbac-proxy
  const operator = modelOf(a, 'k8s:monitoring/Deployment/prometheus-operator/prometheus-operator');
  assertListens(operator, 8080, { file: deployment, line: 43 }, { name: 'http' });
  assertListens(modelOf(a, 'k8s:monitoring/Deployment/prometheus-operator/kube-rbac-proxy'), 8443, { file: deployment, line: 65 }, { name: 'https' });
  // :90 pod-level `runAsUser: 65534`, which the operator container does not override; its own readOnlyRootFilesystem: true
  assert.equal(operator.security.user?.value, '65534');
  assert.ok(operator.security.user.sources.some((s) => s.file === deployment && s.line === 90));
  assert.equal(operator.filesystem.readOnlyRoot, true);
  assert.equal(operator.image, 'quay.io/prometheus-operator/prometheus-operator:v0.93.1');

  // nodeExporter-daemonset.yaml: hostNetwork (:100), hostPID (:101), hostPort 9100 (:79-80), SYS_TIME (:52-54), hostPath / (:63, :116)
  const daemonset = file('kube-prometheus/nodeExporter-daemonset.yaml');
  const proxy = modelOf(a, 'k8s:monitoring/DaemonSet/node-exporter/kube-rbac-proxy');
  assertListens(proxy, 9100, { file: daemonset, line: 79 }, { name: 'https', hostPort: 9100 });
  assertFinding(a, 'TN117', { file: daemonset, line: 80 }, proxy.id);
  const exporter = modelOf(a, 'k8s:monitoring/DaemonSet/node-exporter/node-exporter');
  assert.equal(exporter.security.hostNetwork?.value, true);
  assert.equal(exporter.security.hostPID?.value, true);
  assertFinding(a, 'TN102', { file: daemonset, line: 100 }, exporter.id);
  assertFinding(a, 'TN103', { file: daemonset, line: 101 }, exporter.id);
  assert.deepEqual(exporter.capabilities.add, ['SYS_TIME']);
  assertFinding(a, 'TN107', { file: daemonset, line: 52 }, exporter.id, 'SYS_TIME');
  const root = exporter.filesystem.mounts.find((m) => m.path === '/host/root');
  assert.equal(root?.type, 'hostPath');
  assert.equal(root.source, '/');
  assert.equal(root.readOnly, true);
  assertFinding(a, 'TN111', { file: daemonset, line: 63 }, exporter.id);

  // prometheusAdapter-deployment.yaml:38 `--prometheus-url=http://prometheus-k8s.monitoring.svc:9090/` (args at :34).
  // Service prometheus-k8s (prometheus-service.yaml) selects the pods the operator makes from the Prometheus
  // resource, which are not in the input: egress, but no edge, and no TN011 since the Service is there.
  const adapter = modelOf(a, 'k8s:monitoring/Deployment/prometheus-adapter/prometheus-adapter');
  assertEgress(adapter, 'prometheus-k8s.monitoring.svc', 9090, { file: file('kube-prometheus/prometheusAdapter-deployment.yaml'), line: 34 });
  assert.ok(!a.findings.some((f) => f.code === 'TN011' && f.message.includes('prometheus-k8s')));
  const monitoring = a.supermodels.find((s) => s.app === 'monitoring');
  assert.deepEqual(monitoring?.nodes.map((n) => n.id).sort(), [
    'monitoring/grafana', 'monitoring/kube-state-metrics', 'monitoring/node-exporter', 'monitoring/prometheus-adapter', 'monitoring/prometheus-operator',
  ]);
  assert.ok(!monitoring.edges.some((e) => e.to.includes('prometheus-k8s')));

  // grafana-deployment.yaml:36 `- containerPort: 3000` named http
  assertListens(modelOf(a, 'k8s:monitoring/Deployment/grafana/grafana'), 3000, { file: file('kube-prometheus/grafana-deployment.yaml'), line: 36 }, { name: 'http' });
});

test('argo-cd install.yaml (cut): seven workloads with the ports they declare', () => {
  const a = analyzeCorpus('argo-cd/install.yaml');
  const install = file('argo-cd/install.yaml');
  // no namespace in the manifest: it is applied with `kubectl -n argocd`, so Tenet places it in default
  const app = a.supermodels.find((s) => s.app === 'default');
  assert.deepEqual(app?.nodes.map((n) => `${n.kind} ${n.id}`).sort(), [
    'Deployment default/argocd-applicationset-controller', 'Deployment default/argocd-dex-server',
    'Deployment default/argocd-notifications-controller', 'Deployment default/argocd-redis', 'Deployment default/argocd-repo-server',
    'Deployment default/argocd-server', 'StatefulSet default/argocd-application-controller',
  ]);
  // :2410-2411 repo-server ports 8081 and 8084
  const repo = modelOf(a, 'k8s:default/Deployment/argocd-repo-server/argocd-repo-server');
  assertListens(repo, 8081, { file: install, line: 2410 });
  assertListens(repo, 8084, { file: install, line: 2411 });
  // :1798-1800 dex 5556, 5557, 5558
  const dex = modelOf(a, 'k8s:default/Deployment/argocd-dex-server/dex');
  for (const [port, line] of [[5556, 1798], [5557, 1799], [5558, 1800]] as const) assertListens(dex, port, { file: install, line });
  // :1656, :1658 applicationset-controller `webhook` 7000 and `metrics` 8080 (its Service uses `targetPort: webhook`, :1256)
  const appset = modelOf(a, 'k8s:default/Deployment/argocd-applicationset-controller/argocd-applicationset-controller');
  assertListens(appset, 7000, { file: install, line: 1656 }, { name: 'webhook' });
  assertListens(appset, 8080, { file: install, line: 1658 }, { name: 'metrics' });
  // :2949 argocd-server runs quay.io/argoproj/argocd:latest
  assertFinding(a, 'TN113', { file: install, line: 2949 }, 'k8s:default/Deployment/argocd-server/argocd-server');
  // the AppProject CRD and the RBAC objects are passed over in a file that has workloads
  assert.ok(!a.findings.some((f) => f.code === 'TN006'));
});

test('argo-cd redis-ha (Helm-rendered): haproxy and the redis StatefulSet in namespace argocd', () => {
  const a = analyzeCorpus('argo-cd/redis-ha-upstream.yaml');
  const rendered = file('argo-cd/redis-ha-upstream.yaml');
  // `namespace: "argocd"` (quoted, as Helm renders it), :8 and on
  assert.deepEqual(a.supermodels.map((s) => s.app), ['argocd']);
  assert.deepEqual(a.supermodels[0]!.nodes.map((n) => n.id).sort(), ['argocd/argocd-redis-ha-haproxy', 'argocd/argocd-redis-ha-server']);
  // :448-453 haproxy ports probe 8888, redis 6379, metrics-port 9101; :378 pod-level runAsUser: 99
  const haproxy = modelOf(a, 'k8s:argocd/Deployment/argocd-redis-ha-haproxy/haproxy');
  assertListens(haproxy, 8888, { file: rendered, line: 448 }, { name: 'probe' });
  assertListens(haproxy, 6379, { file: rendered, line: 450 }, { name: 'redis' });
  assertListens(haproxy, 9101, { file: rendered, line: 452 }, { name: 'metrics-port' });
  assert.equal(haproxy.security.user?.value, '99');
  assert.ok(haproxy.security.user.sources.some((s) => s.file === rendered && s.line === 378));
  // :623 redis 6379 and :697 sentinel 26379 of the StatefulSet
  assertListens(modelOf(a, 'k8s:argocd/StatefulSet/argocd-redis-ha-server/redis'), 6379, { file: rendered, line: 623 }, { name: 'redis' });
  assertListens(modelOf(a, 'k8s:argocd/StatefulSet/argocd-redis-ha-server/sentinel'), 26379, { file: rendered, line: 697 }, { name: 'sentinel' });
  modelOf(a, 'k8s:argocd/StatefulSet/argocd-redis-ha-server/split-brain-fix');
  modelOf(a, 'k8s:argocd/StatefulSet/argocd-redis-ha-server/config-init');
});

test('example-voting-app: compose ports and depends_on edges, the swarm stack, the Kubernetes NodePorts', () => {
  const a = analyzeCorpus('example-voting-app');
  const compose = file('example-voting-app/docker-compose.yml');
  // docker-compose.yml:22 `"8080:80"`; :37 `"8081:80"`, :38 `"127.0.0.1:9229:9229"`
  assertListens(modelOf(a, 'compose:example-voting-app/vote'), 80, { file: compose, line: 22 }, { hostPort: 8080 });
  const result = modelOf(a, 'compose:example-voting-app/result');
  assertListens(result, 80, { file: compose, line: 37 }, { hostPort: 8081 });
  assertListens(result, 9229, { file: compose, line: 38 }, { hostPort: 9229 });
  // depends_on: vote → redis (:11), result → db (:32), worker → redis (:47) and db (:49); all share back-tier
  assertEdge(a, 'example-voting-app', 'example-voting-app/vote', 'example-voting-app/redis', 6379, { file: compose, line: 11 });
  assertEdge(a, 'example-voting-app', 'example-voting-app/result', 'example-voting-app/db', 5432, { file: compose, line: 32 });
  assertEdge(a, 'example-voting-app', 'example-voting-app/worker', 'example-voting-app/redis', 6379, { file: compose, line: 47 });
  assertEdge(a, 'example-voting-app', 'example-voting-app/worker', 'example-voting-app/db', 5432, { file: compose, line: 49 });
  // :68 POSTGRES_PASSWORD: "postgres"
  assertFinding(a, 'TN112', { file: compose, line: 68 }, 'compose:example-voting-app/db');

  // swarm-stack/docker-stack.yml:27 `8080:80`; :25 image without a tag
  const stack = file('example-voting-app/swarm-stack/docker-stack.yml');
  assertListens(modelOf(a, 'compose:swarm-stack/vote'), 80, { file: stack, line: 27 }, { hostPort: 8080 });
  assertFinding(a, 'TN113', { file: stack, line: 25 }, 'compose:swarm-stack/vote');

  // k8s-specifications: NodePort Services vote 8080→80 (vote-service.yaml:10) and result 8081→80 (result-service.yaml:10)
  const cluster = a.supermodels.find((s) => s.app === 'default');
  for (const [name, port] of [['vote', 8080], ['result', 8081]] as const) {
    const exposed = cluster?.nodes.find((n) => n.id === `default/${name}`)?.exposed?.find((e) => e.port === port);
    assert.equal(exposed?.targetPort, 80, `default/${name} exposed on ${port}`);
    assert.ok(exposed.sources.some((s) => s.file === file(`example-voting-app/k8s-specifications/${name}-service.yaml`) && s.line === 10));
  }
  // db-deployment.yaml:26 `- containerPort: 5432` named postgres; :23-24 literal POSTGRES_PASSWORD
  const db = file('example-voting-app/k8s-specifications/db-deployment.yaml');
  assertListens(modelOf(a, 'k8s:default/Deployment/db/postgres'), 5432, { file: db, line: 26 }, { name: 'postgres' });
  assertFinding(a, 'TN112', { file: db, line: 23 }, 'k8s:default/Deployment/db/postgres');
});

test('marathon system-test apps, pods and groups', () => {
  const a = analyzeCorpus('marathon');
  // docker-nginx-ssl.json:12-22 BRIDGE portMappings 80 `http` and 443 `https`, host ports assigned (0)
  const nginx = modelOf(a, 'marathon:/docker-nginx-ssl');
  assertListens(nginx, 80, { file: file('marathon/docker-nginx-ssl.json'), line: 12 }, { name: 'http' });
  assertListens(nginx, 443, { file: file('marathon/docker-nginx-ssl.json'), line: 18 }, { name: 'https' });
  assert.ok(!a.findings.some((f) => f.model === nginx.id && f.code === 'TN102'), 'BRIDGE is not the host network');
  // pinger-container-app.json:16-18 ipAddress.discovery port `my-port` 7777 on the dcos container network
  const pinger = modelOf(a, 'marathon:/pinger-container-app');
  assertListens(pinger, 7777, { file: file('marathon/pinger-container-app.json'), line: 16 }, { name: 'my-port' });
  assert.ok(!a.findings.some((f) => f.model === pinger.id && f.code === 'TN102'));
  // ports-pod.json: two containers (:11, :47) in `"mode": "host"` (:85)
  modelOf(a, 'marathon:/ports-pod/health-app1');
  modelOf(a, 'marathon:/ports-pod/health-app2');
  assertFinding(a, 'TN102', { file: file('marathon/ports-pod.json'), line: 85 });
  // sleep-group.json: apps goodnight-1 (:12) and goodnight-2 (:21) in group /sleep-group/sleep (:28)
  const sleep = a.supermodels.find((s) => s.app === '/sleep-group/sleep');
  assert.deepEqual(sleep?.nodes.map((n) => n.id).sort(), ['/sleep-group/sleep/goodnight-1', '/sleep-group/sleep/goodnight-2']);
  // external-volume-mesos-app.json: MESOS container, no network given: host networking
  assertFinding(a, 'TN102', { file: file('marathon/external-volume-mesos-app.json'), line: 1 }, 'marathon:/external-volume-app');
});

test('dcos-demos: the beer group\'s VIP edges, the MQTT pod, the dashboard\'s peers', () => {
  const a = analyzeCorpus('dcos-demos');
  const beer = file('dcos-demos/beer-demo-group.json');
  // :17-20 database containerPort 3306, VIP_0 database:3306
  assertListens(modelOf(a, 'marathon:/beer/database'), 3306, { file: beer, line: 15 });
  // :76 LOGSTASH_DESTINATION logstash.marathon.l4lb.thisdcos.directory:5000 → VIP logstash:5000 (:117)
  assertEdge(a, '/beer', '/beer/service', '/beer/logstash', 5000, { file: beer, line: 76 });
  // :77 ELASTICSEARCH_URL http://elasticsearch.marathon.l4lb.thisdcos.directory:9200 → VIP elasticsearch:9200 (:153)
  assertEdge(a, '/beer', '/beer/service', '/beer/elasticsearch', 9200, { file: beer, line: 77 });
  assertEgress(modelOf(a, 'marathon:/beer/service'), 'elasticsearch.marathon.l4lb.thisdcos.directory', 9200, { file: beer, line: 77 });
  // :220 kibana's ELASTICSEARCH_URL
  assertEdge(a, '/beer', '/beer/kibana', '/beer/elasticsearch', 9200, { file: beer, line: 220 });
  // :42 `"dependencies": ["/beer/database", …]`
  assertEdge(a, '/beer', '/beer/service', '/beer/database', 3306, { file: beer, line: 42 });

  // mqtt-iot-pod.json:15-18 endpoint mqtt, containerPort 1883 and hostPort 1883
  const pod = file('dcos-demos/mqtt-iot-pod.json');
  const mosquitto = modelOf(a, 'marathon:/mqtt/mosquitto');
  assertListens(mosquitto, 1883, { file: pod, line: 15 }, { name: 'mqtt', hostPort: 1883 });
  assertFinding(a, 'TN117', { file: pod, line: 18 }, mosquitto.id);
  modelOf(a, 'marathon:/mqtt/mongogw');

  // fastdata-iot-dashboard.json: `"ports": [8000, 8001]` (:32-33), CASSANDRA_CONNECT …:9042 (:14), dependency on /bus-demo/ingest (:17), not in the input
  const dashboardFile = file('dcos-demos/fastdata-iot-dashboard.json');
  const dashboard = modelOf(a, 'marathon:/bus-demo/dashboard');
  assertListens(dashboard, 8000, { file: dashboardFile, line: 33 });
  assertListens(dashboard, 8001, { file: dashboardFile, line: 33 });
  assertEgress(dashboard, 'node-0-server.cassandra.autoip.dcos.thisdcos.directory', 9042, { file: dashboardFile, line: 14 });
  assertFinding(a, 'TN011', { file: dashboardFile, line: 17 }, dashboard.id, '/bus-demo/ingest');
});

// beer-demo-group.json:75 sets SPRING_DATASOURCE_URL to `jdbc:mysql://database.marathon.l4lb.thisdcos.directory:3306/beer?…`,
// the VIP of /beer/database (:20 `"VIP_0": "database:3306"`): a URL whose scheme is nested (`jdbc:mysql:`)
test('dcos-demos: /beer/service may reach the database its jdbc:mysql:// URL names', () => {
  const a = analyzeCorpus('dcos-demos');
  const beer = file('dcos-demos/beer-demo-group.json');
  assertEgress(modelOf(a, 'marathon:/beer/service'), 'database.marathon.l4lb.thisdcos.directory', 3306, { file: beer, line: 75 });
});

test('opentelemetry-demo: ports and peers whose values come from .env', () => {
  const a = analyzeCorpus('opentelemetry-demo');
  const compose = file('opentelemetry-demo/compose.yaml');
  // nothing is left unset: every ${VAR} of compose.yaml has a value in .env
  assert.ok(!a.findings.some((f) => f.code === 'TN012'));
  // compose.yaml:93 `- "${CART_PORT}"`, .env:62 CART_PORT=7070
  assertListens(modelOf(a, 'compose:opentelemetry-demo/cart'), 7070, { file: compose, line: 93 });
  // :133 checkout's bare `- CART_ADDR`, .env:63 CART_ADDR=cart:${CART_PORT}
  assertEdge(a, 'opentelemetry-demo', 'opentelemetry-demo/checkout', 'opentelemetry-demo/cart', 7070, { file: compose, line: 133 });
  assertEgress(modelOf(a, 'compose:opentelemetry-demo/checkout'), 'cart', 7070, { file: compose, line: 133 });
  // :98 cart's `- VALKEY_ADDR`, .env:154 VALKEY_ADDR=valkey-cart:${VALKEY_PORT} (6379, :153)
  assertEdge(a, 'opentelemetry-demo', 'opentelemetry-demo/cart', 'opentelemetry-demo/valkey-cart', 6379, { file: compose, line: 98 });
  // :328 `"${ENVOY_PORT}:${ENVOY_PORT}"`, .env:86 ENVOY_PORT=8080
  assertListens(modelOf(a, 'compose:opentelemetry-demo/frontend-proxy'), 8080, { file: compose, line: 328 }, { hostPort: 8080 });
  // :834 `${HOST_FILESYSTEM}:/hostfs:ro` and :835 `${DOCKER_SOCK}:/var/run/docker.sock:ro`; .env:30-31 `/` and /var/run/docker.sock
  const collector = 'compose:opentelemetry-demo/otel-collector';
  assertFinding(a, 'TN111', { file: compose, line: 834 }, collector, '/hostfs');
  assertFinding(a, 'TN110', { file: compose, line: 835 }, collector);
});

test('airflow: x-airflow-common merged into every service, its URLs as edges', () => {
  const a = analyzeCorpus('airflow');
  const compose = file('airflow/docker-compose.yaml');
  // `<<: *airflow-common-env` (:179) keeps :62 BROKER_URL redis://:@redis:6379/0, :60 postgresql+psycopg2://…@postgres/airflow,
  // :66 EXECUTION_API_SERVER_URL http://airflow-apiserver:8080/… in the worker's own environment (:178)
  const worker = modelOf(a, 'compose:airflow/airflow-worker');
  assertEdge(a, 'airflow', 'airflow/airflow-worker', 'airflow/redis', 6379, { file: compose, line: 178 });
  assertEdge(a, 'airflow', 'airflow/airflow-worker', 'airflow/postgres', 5432, { file: compose, line: 178 });
  assertEdge(a, 'airflow', 'airflow/airflow-worker', 'airflow/airflow-apiserver', 8080, { file: compose, line: 178 });
  // `<<: *airflow-common` brings :83 user "${AIRFLOW_UID:-50000}:0" (the default applies) and the image
  assert.equal(worker.security.user?.value, '50000:0');
  assert.equal(worker.image, 'apache/airflow:|version|');
  // :125 `"8080:8080"`; :322 `"5555:5555"`
  assertListens(modelOf(a, 'compose:airflow/airflow-apiserver'), 8080, { file: compose, line: 125 }, { hostPort: 8080 });
  assertListens(modelOf(a, 'compose:airflow/flower'), 5555, { file: compose, line: 322 }, { hostPort: 5555 });
  // :112 `expose: - 6379`
  assertListens(modelOf(a, 'compose:airflow/redis'), 6379, { file: compose, line: 112 });
  // :296 airflow-init `user: "0:0"`
  assertFinding(a, 'TN105', { file: compose, line: 296 }, 'compose:airflow/airflow-init');
  // :63 `${FERNET_KEY}` has no default and no .env; :54 `env_file: ${ENV_FILE_PATH:-.env}` names a file not there
  assertFinding(a, 'TN012', { file: compose, line: 63 }, undefined, 'FERNET_KEY');
  assert.ok(a.findings.some((f) => f.code === 'TN013' && f.model === worker.id && f.message.includes('airflow/.env')));
});

// airflow-init's `/bin/bash -c` script (docker-compose.yaml:208-286) uses `[[ … ]]` (:213, :249),
// `(( mem_available < 4000 ))` (:228, :235, :242) and `$(( a * b / one_meg ))` (:224), none a program,
// and runs `numfmt` in `"…$(numfmt --to iec …)"` (:231, :245)
test('airflow: airflow-init\'s processes are the programs its bash script runs', () => {
  const a = analyzeCorpus('airflow');
  const paths = modelOf(a, 'compose:airflow/airflow-init').processes.map((p) => p.path);
  for (const program of ['getconf', 'grep', 'df', 'tail', 'awk', 'mkdir', 'ls', 'chown', 'numfmt']) assert.ok(paths.includes(program), `runs ${program}`);
  for (const word of ['[[', '/', 'mem_available', 'cpus_available', 'disk_available']) assert.ok(!paths.includes(word), `${word} is no program`);
});

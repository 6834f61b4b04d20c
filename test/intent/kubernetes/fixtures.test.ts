import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FormatResult } from '../../../src/intent/types.ts';
import { Analysis, type IntentModel } from '../../../src/model/index.ts';
import { analyzeFiles, filesUnder, K8S } from './load.ts';

const SINGLE = join(K8S, 'single');
const flags = (m: IntentModel) => Object.fromEntries(Object.entries(m.security).map(([k, v]) => [k, v.value]));
const mounts = (m: IntentModel) => m.filesystem.mounts.map((x) => `${x.path}=${x.type}:${x.source}${x.readOnly ? ':ro' : ''}`);
const processes = (m: IntentModel) => m.processes.map((p) => `${p.role}:${p.path}`);
const codes = (r: FormatResult) => r.findings.map((f) => `${f.code}:${f.location.line}`);

function only(file: string): { result: FormatResult; model: IntentModel } {
  const result = analyzeFiles(join(SINGLE, file));
  assert.equal(result.models.length, 1, `one model from ${file}`);
  return { result, model: result.models[0]! };
}

test('every Kubernetes fixture is analysed alone without a throw, into schema-valid models with located sources', () => {
  const files = filesUnder(K8S);
  assert.ok(files.length >= 45);
  for (const file of files) {
    const result = analyzeFiles(file);
    const parsed = Analysis.safeParse({ ...result });
    assert.ok(parsed.success, `${file}: ${parsed.error?.message}`);
    assert.deepEqual(result.findings.filter((f) => f.code === 'TN007'), [], file);
    for (const m of result.models) {
      for (const entry of [...m.processes, ...m.network.listen, ...m.network.egress, ...m.filesystem.mounts, ...m.filesystem.writable]) {
        assert.ok(entry.sources.length > 0 && entry.sources.every((s) => s.file === file && s.line !== undefined && s.path !== undefined), `${m.id}: unlocated entry`);
      }
    }
  }
});

test('the whole fixtures tree at once: fast, and every duplicate is reported rather than modelled twice', () => {
  const start = performance.now();
  const result = analyzeFiles(K8S);
  const elapsed = performance.now() - start;
  assert.ok(elapsed < 1000, `took ${elapsed.toFixed(0)} ms`);
  const ids = result.models.map((m) => m.id);
  assert.equal(new Set(ids).size, ids.length);
  const workloads = result.models.map((m) => `${m.workload?.kind}/${m.workload?.namespace}/${m.workload?.name}/${m.workload?.container}`);
  assert.equal(new Set(workloads).size, workloads.length);
  assert.deepEqual(result.supermodels.map((s) => s.app), ['default', 'gadget', 'kube-system']);
  assert.ok(result.findings.some((f) => f.code === 'TN010'));
});

test('pods-security-context: the pod user, an emptyDir that is writable, no escalation', () => {
  const { model, result } = only('website/pods-security-context.yaml');
  assert.deepEqual(flags(model), { user: '1000', allowPrivilegeEscalation: false });
  assert.equal(model.security.user?.sources[0]?.path, 'spec.securityContext.runAsUser');
  assert.equal(model.security.user?.sources[0]?.line, 7);
  assert.deepEqual(mounts(model), ['/data/demo=emptyDir:sec-ctx-vol']);
  assert.deepEqual(model.filesystem.writable.map((w) => w.path), ['/data/demo']);
  assert.equal(model.filesystem.readOnlyRoot, false);
  assert.deepEqual(codes(result), []);
});

test('pods-security-context-2: the container user wins over the pod user', () => {
  const { model } = only('website/pods-security-context-2.yaml');
  assert.deepEqual(model.security.user, {
    value: '2000',
    sources: [{ kind: 'declared', format: 'kubernetes', file: join(SINGLE, 'website/pods-security-context-2.yaml'), line: 12, path: 'spec.containers[0].securityContext.runAsUser' }],
  });
});

test('pods-security-context-3 and -4 (flow style): nothing declared, then NET_ADMIN and SYS_TIME added', () => {
  assert.deepEqual(only('website/pods-security-context-3-flow-style.yaml').model.security, {});
  const { model } = only('website/pods-security-context-4-capabilities-flow-style.yaml');
  assert.deepEqual(model.capabilities, {
    add: ['NET_ADMIN', 'SYS_TIME'],
    drop: [],
    sources: [{ kind: 'declared', format: 'kubernetes', file: join(SINGLE, 'website/pods-security-context-4-capabilities-flow-style.yaml'), line: 13, path: 'spec.containers[0].securityContext.capabilities' }],
  });
});

test('pods-security-context-7: a shell command is its shell and the programs of its script', () => {
  const { model } = only('website/pods-security-context-7.yaml');
  assert.deepEqual(model.processes.map((p) => [p.path, p.argv, p.role]), [['sh', ['sh', '-c', 'sleep 1h'], 'main'], ['sleep', undefined, 'main']]);
});

test('seccomp pods: RuntimeDefault and Localhost profiles from the pod security context', () => {
  assert.equal(only('website/seccomp-default-pod.yaml').model.security.seccompProfile?.value, 'RuntimeDefault');
  assert.equal(only('website/seccomp-audit-pod.yaml').model.security.seccompProfile?.value, 'Localhost/profiles/audit.json');
  const fine = only('website/seccomp-fine-pod.yaml').model;
  assert.equal(fine.security.seccompProfile?.value, 'Localhost/profiles/fine-grained.json');
  // args without command: the image's entrypoint is not in the manifest, so no process is recorded.
  assert.deepEqual(fine.processes, []);
});

test('konnectivity server: host network, host ports (TN117 each), probe on a declared port, read-only host mounts', () => {
  const { model, result } = only('website/konnectivity-server-hostnetwork.yaml');
  assert.equal(model.id, 'k8s:kube-system/Pod/konnectivity-server/konnectivity-server-container');
  assert.equal(model.app, 'kube-system');
  assert.deepEqual(flags(model), { hostNetwork: true });
  assert.deepEqual(model.network.listen.map((l) => [l.port, l.name, l.hostPort, l.sources.length]), [
    [8132, 'agentport', 8132, 1], [8133, 'adminport', 8133, 1], [8134, 'healthport', 8134, 2],
  ]);
  assert.deepEqual(codes(result), ['TN117:44', 'TN117:47', 'TN117:50']);
  assert.deepEqual(processes(model), ['main:/proxy-server']);
  assert.equal(model.processes[0]?.argv?.length, 14, 'the command and its 13 args');
  assert.deepEqual(mounts(model), [
    '/etc/kubernetes/pki=hostPath:/etc/kubernetes/pki:ro',
    '/etc/kubernetes/konnectivity-server.conf=hostPath:/etc/kubernetes/konnectivity-server.conf:ro',
    '/etc/kubernetes/konnectivity-server=hostPath:/etc/kubernetes/konnectivity-server',
  ]);
});

test('konnectivity agent (flow style): a projected token volume is read-only, the probe port is a listen entry', () => {
  const { model } = only('website/konnectivity-agent-daemonset-flow-style.yaml');
  assert.deepEqual(mounts(model), ['/var/run/secrets/tokens=projected:konnectivity-agent-token:ro']);
  assert.deepEqual(model.filesystem.writable, []);
  assert.deepEqual(model.network.listen.map((l) => [l.port, l.sources[0]?.path, l.sources[0]?.detail]), [
    [8134, 'spec.template.spec.containers[0].livenessProbe.httpGet.port', 'livenessProbe connects to this port'],
  ]);
  // An IP address in an argument is not a peer Tenet can name.
  assert.deepEqual(model.network.egress, []);
});

test('sysdig: privileged with the host namespaces and the Docker socket, its access key a literal secret', () => {
  const { model, result } = only('k8s-examples/sysdig-daemonset-privileged.yaml');
  assert.deepEqual(flags(model), { privileged: true, hostNetwork: true, hostPID: true });
  assert.deepEqual(mounts(model), [
    '/host/var/run/docker.sock=hostPath:/var/run/docker.sock',
    '/host/dev=hostPath:/dev',
    '/host/proc=hostPath:/proc:ro',
    '/host/boot=hostPath:/boot:ro',
    '/host/lib/modules=hostPath:/lib/modules:ro',
    '/host/usr=hostPath:/usr:ro',
  ]);
  assert.deepEqual(model.filesystem.writable.map((w) => w.path), ['/host/var/run/docker.sock', '/host/dev']);
  assert.deepEqual(codes(result), ['TN113:42', 'TN112:46']);
});

test('newrelic: host PID, IPC and network, a read-only Secret volume, the Docker socket at its own path', () => {
  const { model } = only('k8s-examples/newrelic-daemonset.yaml');
  assert.deepEqual(flags(model), { privileged: true, hostNetwork: true, hostPID: true, hostIPC: true });
  assert.deepEqual(mounts(model), [
    '/etc/kube-newrelic=secret:newrelic-config:ro',
    '/dev=hostPath:/dev',
    '/var/run/docker.sock=hostPath:/var/run/docker.sock',
    '/sys=hostPath:/sys',
    '/var/log=hostPath:/var/log',
  ]);
});

test('inspektor gadget: capabilities, read-only root, exec probes and hook as processes, host mounts', () => {
  const { model, result } = only('security-tools/inspektor-gadget-deploy.yaml');
  assert.equal(model.id, 'k8s:gadget/DaemonSet/gadget/gadget');
  assert.equal(model.filesystem.readOnlyRoot, true);
  assert.deepEqual(model.capabilities.add, ['SYS_ADMIN', 'SYSLOG', 'SYS_PTRACE', 'SYS_RESOURCE', 'IPC_LOCK', 'NET_RAW', 'NET_ADMIN', 'DAC_READ_SEARCH']);
  assert.deepEqual(model.capabilities.drop, ['ALL']);
  assert.deepEqual(flags(model), { hostNetwork: false, hostPID: false });
  assert.deepEqual(processes(model), ['main:/bin/gadgettracermanager', 'probe:/bin/gadgettracermanager', 'lifecycle:/cleanup']);
  // The three probes run the same command: one entry, three sources.
  assert.deepEqual(model.processes[1]?.sources.map((s) => s.detail), ['livenessProbe runs this', 'readinessProbe runs this', 'startupProbe runs this']);
  assert.ok(mounts(model).includes('/host/etc=hostPath:/etc'));
  assert.ok(mounts(model).includes('/run=hostPath:/run'));
  assert.ok(mounts(model).includes('/host/run=hostPath:/run:ro'));
  assert.ok(mounts(model).includes('/var/lib/ig=emptyDir:oci'), 'an emptyDir written as a bare key');
  assert.ok(mounts(model).includes('/etc/ig=configMap:gadget:ro'));
  assert.deepEqual(codes(result), ['TN113:175']);
});

test('fluentd: the log folder is a writable host path, the containers folder read-only', () => {
  const { model } = only('website/daemonset-fluentd-hostpath.yaml');
  assert.deepEqual(mounts(model), ['/var/log=hostPath:/var/log', '/var/lib/docker/containers=hostPath:/var/lib/docker/containers:ro']);
});

test('cassandra StatefulSet: claim-template volume, IPC_LOCK, exec probes and preStop as processes, named ports', () => {
  const { model } = only('k8s-examples/cassandra-statefulset.yaml');
  assert.equal(model.workload?.kind, 'StatefulSet');
  assert.deepEqual(mounts(model), ['/var/lib/cassandra=persistentVolumeClaim:cassandra-data']);
  assert.deepEqual(model.capabilities.add, ['IPC_LOCK']);
  assert.deepEqual(processes(model), ['probe:/bin/bash', 'probe:nodetool', 'probe:/ready-probe.sh', 'lifecycle:/bin/sh', 'lifecycle:nodetool']);
  assert.deepEqual(model.network.listen.map((l) => `${l.name}:${l.port}`), ['intra-node:7000', 'tls-intra-node:7001', 'jmx:7199', 'cql:9042']);
});

test('StatefulSet web behind a headless Service; the nginx Deployment; the NFS server and its claim', () => {
  const web = analyzeFiles(join(SINGLE, 'website/statefulset-web.yaml'));
  assert.deepEqual(web.supermodels.map((s) => s.nodes), [[{ id: 'default/web', kind: 'StatefulSet', models: ['k8s:default/StatefulSet/web/nginx'] }]]);
  assert.deepEqual(mounts(web.models[0]!), ['/usr/share/nginx/html=persistentVolumeClaim:www']);
  assert.deepEqual(only('website/deployment-nginx.yaml').model.network.listen.map((l) => [l.port, l.protocol]), [[80, 'tcp']]);
  const nfs = only('k8s-examples/nfs-server-deployment.yaml').model;
  assert.deepEqual(mounts(nfs), ['/exports=persistentVolumeClaim:nfs-pv-provisioning-demo']);
  assert.deepEqual(flags(nfs), { privileged: true });
});

test('bookinfo: Secret references are never literal values, args alone record no process, PSA contexts are read', () => {
  const mysql = analyzeFiles(join(K8S, 'bookinfo/bookinfo-mysql.yaml'));
  assert.deepEqual(mysql.findings, []);
  assert.deepEqual(mysql.models[0]?.processes, []);
  const psa = analyzeFiles(join(K8S, 'bookinfo/bookinfo-psa.yaml'));
  assert.equal(psa.models.length, 6);
  for (const m of psa.models) {
    assert.deepEqual(flags(m), { runAsNonRoot: true, allowPrivilegeEscalation: false });
    assert.deepEqual(m.capabilities.drop, ['ALL']);
  }
});

test('files without workloads (network policies, a PodSecurityPolicy, Istio objects) give nothing and no finding', () => {
  for (const file of [
    'single/website/networkpolicy.yaml', 'single/website/network-policy-default-deny-all-flow-style.yaml',
    'single/website/privileged-psp-flow-style.yaml', 'bookinfo/destination-rule-all.yaml', 'bookinfo/bookinfo-gateway.yaml',
  ]) {
    assert.deepEqual(analyzeFiles(join(K8S, file)), { models: [], supermodels: [], findings: [] }, file);
  }
});

test('the example shop: named targetPorts resolve through the selected pod\'s container ports', () => {
  const result = analyzeFiles(new URL('../../../examples/shop/k8s/shop.yaml', import.meta.url).pathname);
  const shop = result.supermodels.find((s) => s.app === 'shop');
  assert.deepEqual(shop?.edges.map((e) => [e.from, e.to, e.port, e.targetPort, e.protocol]), [
    ['shop/api', 'shop/cache', 6379, 6379, 'tcp'],
    ['shop/web', 'shop/api', 3000, 3000, 'tcp'],
  ]);
  const api = result.models.find((m) => m.id === 'k8s:shop/Deployment/api/api');
  assert.deepEqual(api?.network.egress.map((e) => [e.host, e.port]), [['cache', 6379], ['payments.example.net', 443]]);
  const web = result.models.find((m) => m.id === 'k8s:shop/Deployment/web/nginx');
  // The readiness probe names the port `http`, which is container port 8080.
  assert.deepEqual(web?.network.listen.map((l) => [l.port, l.sources.length]), [[8080, 2]]);
});

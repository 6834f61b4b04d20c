import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECKS } from '../../src/intent/checks/index.ts';
import { emptyModel, type IntentModel, type Source } from '../../src/model/index.ts';

const at = (line: number, path?: string): Source => ({ kind: 'declared', format: 'kubernetes', file: 'w.yaml', line, ...(path !== undefined && { path }) });

function pod(edit: (m: IntentModel) => void): IntentModel {
  const m = emptyModel('k8s:ns/Pod/p/c', { image: 'app:1.0', workload: { kind: 'Pod', namespace: 'ns', name: 'p', container: 'c', sources: [at(5)] }, app: 'ns' });
  edit(m);
  return m;
}

const run = (model: IntentModel) => CHECKS.flatMap((c) => c.check(model)).map((f) => `${f.code} ${f.location.line} ${f.message}`).sort();

test('a hardened container has no risky-intent finding', () => {
  assert.deepEqual(run(pod((m) => {
    m.security.user = { value: '1000', sources: [at(9)] };
    m.security.runAsNonRoot = { value: true, sources: [at(10)] };
    m.security.allowPrivilegeEscalation = { value: false, sources: [at(11)] };
    m.security.seccompProfile = { value: 'RuntimeDefault', sources: [at(14)] };
    m.filesystem.readOnlyRoot = true;
    m.capabilities = { add: ['NET_BIND_SERVICE'], drop: ['ALL'], sources: [at(12)] };
    m.filesystem.mounts.push({ path: '/tmp', type: 'emptyDir', readOnly: false, sources: [at(13)] });
  })), []);
});

test('each risky setting is reported at the line that declares it', () => {
  assert.deepEqual(run(pod((m) => {
    m.security.privileged = { value: true, sources: [at(20)] };
    m.security.hostNetwork = { value: true, sources: [at(21)] };
    m.security.hostPID = { value: true, sources: [at(22)] };
    m.security.hostIPC = { value: false, sources: [at(23)] };
    m.security.user = { value: '0', sources: [at(24)] };
    m.security.allowPrivilegeEscalation = { value: true, sources: [at(25)] };
    m.security.seccompProfile = { value: 'Unconfined', sources: [at(26)] };
    m.capabilities = { add: ['SYS_ADMIN', 'NET_BIND_SERVICE', 'WAKE_ALARM'], drop: [], sources: [at(27)] };
    m.filesystem.mounts.push(
      { path: '/var/run/docker.sock', type: 'hostPath', source: '/var/run/docker.sock', readOnly: false, sources: [at(28)] },
      { path: '/host/etc', type: 'hostPath', source: '/etc', readOnly: true, sources: [at(29)] },
      { path: '/data', type: 'hostPath', source: '/srv/data', readOnly: false, sources: [at(30)] },
    );
  })), [
    'TN101 20 container c of Pod ns/p runs privileged',
    'TN102 21 Pod ns/p shares the host network namespace',
    'TN103 22 Pod ns/p shares the host PID namespace',
    'TN105 24 container c of Pod ns/p runs as root (user 0)',
    'TN107 27 container c of Pod ns/p adds capability SYS_ADMIN',
    'TN108 27 container c of Pod ns/p adds capability WAKE_ALARM',
    'TN109 5 container c of Pod ns/p has a writable root filesystem',
    'TN110 28 container c of Pod ns/p mounts the container runtime socket /var/run/docker.sock (writable)',
    'TN111 29 container c of Pod ns/p mounts host path /etc at /host/etc (read-only)',
    'TN115 25 container c of Pod ns/p allows privilege escalation',
    'TN116 26 container c of Pod ns/p runs without seccomp',
  ]);
});

test('a Kubernetes container with no user settings may run as root; a Dockerfile is judged by its USER only', () => {
  assert.deepEqual(run(pod((m) => { m.filesystem.readOnlyRoot = true; })), [
    'TN105 5 container c of Pod ns/p may run as root: neither runAsUser nor runAsNonRoot is set',
    'TN115 5 container c of Pod ns/p leaves allowPrivilegeEscalation unset: Kubernetes lets its processes gain privileges (setuid); set it to false',
    'TN116 5 container c of Pod ns/p sets no seccomp profile: it runs Unconfined unless the kubelet\'s seccomp default is on; set RuntimeDefault',
  ], 'Kubernetes\' defaults where a field is absent');
  const dockerfile = emptyModel('dockerfile:Dockerfile', { workload: { kind: 'Dockerfile', name: 'Dockerfile', sources: [{ kind: 'declared', format: 'dockerfile', file: 'Dockerfile', line: 1 }] } });
  assert.deepEqual(run(dockerfile), []);
});

test('a pod\'s host namespaces are said once for the pod, whatever its number of containers', () => {
  const container = (name: string) => {
    const m = emptyModel(`k8s:ns/Pod/p/${name}`, { image: 'app:1.0', workload: { kind: 'Pod', namespace: 'ns', name: 'p', container: name, sources: [at(5)] }, app: 'ns' });
    m.security.hostPID = { value: true, sources: [at(7, 'spec.hostPID')] };
    return m;
  };
  const messages = new Set(['a', 'b', 'c'].flatMap((n) => CHECKS.flatMap((c) => c.check(container(n)))).filter((f) => f.code === 'TN103').map((f) => `${f.location.line} ${f.message}`));
  assert.deepEqual([...messages], ['7 Pod ns/p shares the host PID namespace'], 'one finding once the analysis drops repeats');
});

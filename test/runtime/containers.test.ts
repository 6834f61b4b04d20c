import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroup2Mount, containerInfo } from '../../src/runtime/index.ts';

test('a container\'s labels say its Kubernetes pod and namespace, or its compose project and service', () => {
  const pod = containerInfo({
    Id: 'abc', Name: '/k8s_web_pod', Image: 'sha256:1', Config: { Image: 'registry.local/shop/web:2', Labels: {
      'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.name': 'web-7d4', 'io.kubernetes.container.name': 'web',
    } }, State: { Pid: 42, Running: true, StartedAt: '2026-01-01T00:00:00Z' }, GraphDriver: { Name: 'overlay2', Data: { UpperDir: '/var/lib/docker/overlay2/x/diff' } },
  }, ['registry.local/shop/web@sha256:feed']);
  assert.deepEqual(pod, {
    id: 'abc', name: 'k8s_web_pod', image: 'registry.local/shop/web:2', imageId: 'sha256:1', imageDigest: 'sha256:feed',
    labels: { 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.name': 'web-7d4', 'io.kubernetes.container.name': 'web' },
    pid: 42, running: true, startedAt: '2026-01-01T00:00:00Z', upperDir: '/var/lib/docker/overlay2/x/diff',
    namespace: 'shop', app: 'shop', pod: 'web-7d4', service: 'web',
  });
  const compose = containerInfo({ Id: 'def', Name: '/shop-api-1', Image: 'sha256:2', Config: { Image: 'api@sha256:beef', Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'api' } } });
  assert.deepEqual([compose.app, compose.service, compose.imageDigest, compose.running, compose.upperDir], ['shop', 'api', 'sha256:beef', false, undefined]);
});

test('the cgroup v2 mount is found on unified and on hybrid hosts', () => {
  assert.equal(cgroup2Mount('41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n'), '/sys/fs/cgroup/unified');
  assert.equal(cgroup2Mount('30 24 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n'), '/sys/fs/cgroup');
  assert.equal(cgroup2Mount('30 24 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n'), undefined);
});

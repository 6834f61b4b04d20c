import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroup2Mount, containerInfo, workloadOf } from '../../src/runtime/index.ts';

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
  assert.equal(compose.seccomp, undefined, 'the runtime\'s default profile');
});

test('a container\'s seccomp setting is kept as the engine gives it: unconfined, or the profile\'s JSON', () => {
  const profile = '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}';
  const confined = containerInfo({ Id: 'a', Image: 'sha256:1', HostConfig: { SecurityOpt: ['no-new-privileges', `seccomp=${profile}`] } });
  assert.equal(confined.seccomp, profile);
  assert.equal(containerInfo({ Id: 'b', Image: 'sha256:1', HostConfig: { SecurityOpt: ['seccomp:unconfined'] } }).seccomp, 'unconfined');
  assert.equal(containerInfo({ Id: 'c', Image: 'sha256:1', HostConfig: { SecurityOpt: null, Privileged: true } }).privileged, true);
});

test('a container\'s networks, addresses and published ports, and the workload it is in its application\'s graph', () => {
  const info = containerInfo({
    Id: 'd', Name: '/shop-web-1', Image: 'sha256:1', Config: { Labels: { 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'web' } },
    NetworkSettings: {
      Networks: { shop_shop: { IPAddress: '172.20.0.2', Gateway: '172.20.0.1' }, none: { IPAddress: '' } },
      Ports: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '18080' }, { HostIp: '::', HostPort: '18080' }], '9000/udp': null },
    },
  });
  assert.deepEqual(info.networks, { shop_shop: { address: '172.20.0.2', gateway: '172.20.0.1' } });
  assert.deepEqual(info.published, [{ hostPort: 18080, port: 8080, protocol: 'tcp' }]);
  assert.deepEqual(workloadOf(info), { app: 'shop', node: 'shop/web' });
  const plain = containerInfo({ Id: 'e', Name: '/rogue', Image: 'sha256:2', NetworkSettings: { Networks: { bridge: { IPAddress: '172.17.0.2' }, shop_shop: { IPAddress: '172.20.0.9' } } } });
  assert.deepEqual(workloadOf(plain), { app: 'shop_shop', node: 'shop_shop/rogue' });
  assert.deepEqual(workloadOf(containerInfo({ Id: 'f', Name: '/lonely', Image: 'sha256:3' })), { app: 'bridge', node: 'bridge/lonely' });
});

test('the cgroup v2 mount is found on unified and on hybrid hosts', () => {
  assert.equal(cgroup2Mount('41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n'), '/sys/fs/cgroup/unified');
  assert.equal(cgroup2Mount('30 24 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n'), '/sys/fs/cgroup');
  assert.equal(cgroup2Mount('30 24 0:26 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n'), undefined);
});

test('listening sockets are read from /proc/PID/net tables: TCP in LISTEN, unconnected bound UDP, IPv4 and IPv6', async () => {
  const { parseProcNet } = await import('../../src/runtime/index.ts');
  const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const tcp = `${header}   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 128043 1 0 100 0 0 10 0
   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 128050 1 0 100 0 0 10 0\n`;
  assert.deepEqual(parseProcNet(tcp, 'tcp'), [{ protocol: 'tcp', address: '0.0.0.0', port: 80 }], 'an established connection is no listener');
  const tcp6 = `${header}   0: 00000000000000000000000001000000:18EB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 1 1 0 100 0 0 10 0\n`;
  assert.deepEqual(parseProcNet(tcp6, 'tcp'), [{ protocol: 'tcp', address: '::1', port: 6379 }]);
  const udp = `${header}  5: 0B00007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000 0 0 9 2 0 0
  6: 0200A8C0:A1B2 0100A8C0:0035 01 00000000:00000000 00:00000000 00000000 0 0 9 2 0 0\n`;
  assert.deepEqual(parseProcNet(udp, 'udp'), [{ protocol: 'udp', address: '127.0.0.11', port: 53 }]);
});

test('a process\'s cgroup from /proc/PID/cgroup on hybrid and unified hosts, whatever the kubelet\'s driver; the QoS class of its pod', async () => {
  const { cgroupPathOf, qosClassOf } = await import('../../src/runtime/index.ts');
  const id = 'a5b2585c3570ac601575bad6fb6fcf0c28ff8a16e256a4153967c6a5d2a99b34';
  // hybrid (v1 controllers and the unified hierarchy), cgroupfs driver, as the lab's containerd
  const hybrid = `12:pids:/kubepods/besteffort/pod9aee3e81/${id}\n11:memory:/kubepods/besteffort/pod9aee3e81/${id}\n1:name=systemd:/kubepods/besteffort/pod9aee3e81/${id}\n0::/kubepods/besteffort/pod9aee3e81/${id}\n`;
  assert.equal(cgroupPathOf(hybrid), `/kubepods/besteffort/pod9aee3e81/${id}`);
  // unified, systemd driver: containerd and CRI-O
  const containerd = `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0d3e_44b1.slice/cri-containerd-${id}.scope\n`;
  const crio = `0::/kubepods.slice/kubepods-pod7c1a_9f2e.slice/crio-${id}.scope\n`;
  assert.equal(cgroupPathOf(containerd), `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0d3e_44b1.slice/cri-containerd-${id}.scope`);
  assert.equal(cgroupPathOf(crio), `/kubepods.slice/kubepods-pod7c1a_9f2e.slice/crio-${id}.scope`);
  assert.equal(cgroupPathOf('12:pids:/docker/x\n1:name=systemd:/docker/x\n'), undefined, 'cgroup v1 only: no id the sensor reports');
  assert.equal(qosClassOf(cgroupPathOf(hybrid)!), 'BestEffort');
  assert.equal(qosClassOf(cgroupPathOf(containerd)!), 'Burstable');
  assert.equal(qosClassOf(cgroupPathOf(crio)!), 'Guaranteed');
  assert.equal(qosClassOf(`/kubepods/pod1/${id}`), 'Guaranteed');
  assert.equal(qosClassOf(`/system.slice/docker-${id}.scope`), undefined);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podWorkload } from '../../src/runtime/index.ts';

test('a pod\'s workload from its name and the kubelet\'s labels: Deployment, StatefulSet, DaemonSet, Job, CronJob, bare pod', () => {
  assert.deepEqual(podWorkload('frontend-5d8f7c9b4-x7k2p', { app: 'frontend', 'pod-template-hash': '5d8f7c9b4' }), { kind: 'Deployment', name: 'frontend' });
  assert.deepEqual(podWorkload('cart-api-7bd9c-2q4zm', { 'pod-template-hash': '7bd9c' }), { kind: 'Deployment', name: 'cart-api' }, 'a name with dashes of its own');
  assert.deepEqual(podWorkload('redis-cart-0', { 'statefulset.kubernetes.io/pod-name': 'redis-cart-0', 'controller-revision-hash': 'redis-cart-6f9b' }), { kind: 'StatefulSet', name: 'redis-cart' });
  assert.deepEqual(podWorkload('tenet-defender-9xk2w', { 'controller-revision-hash': '7c5d8', 'pod-template-generation': '1' }), { kind: 'DaemonSet', name: 'tenet-defender' });
  assert.deepEqual(podWorkload('migrate-r8w4q', { 'job-name': 'migrate', 'batch.kubernetes.io/job-name': 'migrate' }), { kind: 'Job', name: 'migrate' });
  assert.deepEqual(podWorkload('backup-28401234-v6hzn', { 'job-name': 'backup-28401234' }), { kind: 'CronJob', name: 'backup' });
  assert.deepEqual(podWorkload('debug', {}), { kind: 'Pod', name: 'debug' });
  assert.deepEqual(podWorkload('web-abcde', { 'controller-revision-hash': '1', 'pod-template-generation': '1' }), { kind: 'Pod', name: 'web-abcde' }, 'vowels: not a generated suffix');
  assert.deepEqual(podWorkload('frontend-5d8f7c9b4-x7k2p', {}), { kind: 'Pod', name: 'frontend-5d8f7c9b4-x7k2p' }, 'without its labels, a pod is its own workload');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modeOf, modesOf } from '../../src/enforce/index.ts';
import type { ModeSetting } from '../../src/model/index.ts';

const at = '2026-01-01T00:00:00Z';
const web = { image: 'registry.example/shop/web:1.4', imageId: 'sha256:3f2a9c1e0b7e4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a', namespace: 'shop', app: 'web' };

test('nothing set: every dimension alerts', () => {
  assert.deepEqual(Object.values(modesOf([], web)), Array(8).fill('alert'));
});

test('the narrowest scope naming the container wins, then the setting for the dimension', () => {
  const settings: ModeSetting[] = [
    { scope: { kind: 'all' }, mode: 'prevent', setAt: at },
    { scope: { kind: 'all' }, dimension: 'syscalls', mode: 'alert', setAt: at },
    { scope: { kind: 'namespace', value: 'shop' }, dimension: 'egress', mode: 'learn', setAt: at },
    { scope: { kind: 'image', value: 'registry.example/shop/web' }, dimension: 'processes', mode: 'block', setAt: at },
    { scope: { kind: 'app', value: 'other' }, mode: 'learn', setAt: at },
  ];
  assert.equal(modeOf(settings, web, 'processes'), 'block', 'image (by repository) and dimension');
  assert.equal(modeOf(settings, web, 'egress'), 'learn', 'namespace over all');
  assert.equal(modeOf(settings, web, 'syscalls'), 'alert', 'all, for the dimension');
  assert.equal(modeOf(settings, web, 'writable'), 'prevent', 'all');
  assert.equal(modeOf(settings, { ...web, namespace: 'other' }, 'egress'), 'prevent', 'another namespace');
  assert.equal(modeOf(settings, { app: 'other' }, 'dns'), 'learn');
});

test('an image is named by its reference, its repository or its id (with or without sha256:, at least 12 characters)', () => {
  const s = (value: string): ModeSetting[] => [{ scope: { kind: 'image', value }, mode: 'prevent', setAt: at }];
  for (const value of ['registry.example/shop/web:1.4', 'registry.example/shop/web', 'sha256:3f2a9c1e', '3f2a9c1e0b7e']) assert.equal(modeOf(s(value), web, 'processes'), 'prevent', value);
  for (const value of ['web', 'registry.example/shop/web:1.5', '3f2a', 'shop/web']) assert.equal(modeOf(s(value), web, 'processes'), 'alert', value);
});

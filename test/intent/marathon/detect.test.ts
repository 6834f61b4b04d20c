import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isMarathonDocument } from '../../../src/intent/marathon/index.ts';
import { MARATHON } from './load.ts';

const read = (path: string): unknown => JSON.parse(readFileSync(join(MARATHON, path), 'utf8'));

test('every app, group, pod and API answer fixture is recognised, and the JSON schemas are not', () => {
  for (const folder of ['apps', 'groups', 'pods', 'api-responses']) {
    for (const name of readdirSync(join(MARATHON, folder))) assert.equal(isMarathonDocument(read(`${folder}/${name}`)), true, `${folder}/${name}`);
  }
  assert.equal(isMarathonDocument(read('schema/AppDefinition.json')), false);
  assert.equal(isMarathonDocument(read('schema/Group.json')), false);
});

test('the shapes Marathon takes and answers with are recognised', () => {
  const app = { id: '/web', cmd: 'python3 -m http.server 8080' };
  const pod = { id: '/pod', containers: [{ name: 'c', resources: { cpus: 0.1, mem: 32 }, image: { kind: 'DOCKER', id: 'nginx' } }] };
  assert.equal(isMarathonDocument(app), true, 'an app');
  assert.equal(isMarathonDocument({ id: 'web', container: { docker: { image: 'nginx' } } }), true, 'an app with only a container');
  assert.equal(isMarathonDocument([app, { id: 'other', instances: 2 }]), true, 'a list of apps');
  assert.equal(isMarathonDocument({ apps: [app] }), true, 'a /v2/apps answer');
  assert.equal(isMarathonDocument({ app }), true, 'a /v2/apps/{id} answer');
  assert.equal(isMarathonDocument(pod), true, 'a pod');
  assert.equal(isMarathonDocument([pod]), true, 'a /v2/pods answer');
  assert.equal(isMarathonDocument({ id: '/prod', groups: [{ id: 'db', apps: [app] }] }), true, 'nested groups');
  assert.equal(isMarathonDocument({ id: '/empty', apps: [], groups: [] }), true, 'an empty group');
  assert.equal(isMarathonDocument({ id: '/', pods: [pod] }), true, 'a group of pods');
  assert.equal(isMarathonDocument([{ id: '/a', apps: [app] }]), true, 'a list of groups');
});

test('Kubernetes, Compose, JSON Schemas and look-alikes are not Marathon', () => {
  assert.equal(isMarathonDocument({ apiVersion: 'v1', kind: 'Pod', id: 'x', containers: [{ name: 'c', image: 'nginx', resources: {} }] }), false);
  assert.equal(isMarathonDocument({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} }), false);
  assert.equal(isMarathonDocument({ services: { web: { image: 'nginx' } }, id: 'x', cmd: 'y' }), false);
  assert.equal(isMarathonDocument({ $schema: 'http://json-schema.org/schema#', id: 'x', properties: { apps: {} }, apps: [] }), false);
  assert.equal(isMarathonDocument({ apps: [{ name: 'api', script: 'app.js', instances: 2 }] }), false, 'a PM2 ecosystem file');
  assert.equal(isMarathonDocument({ id: 'u1', name: 'Ann', groups: ['admins'] }), false, 'a user record');
  assert.equal(isMarathonDocument({ id: 'x', name: 'no app field' }), false);
  assert.equal(isMarathonDocument({ id: 42, cmd: 'sleep 1' }), false, 'an id that is not a path');
  assert.equal(isMarathonDocument({ id: 'lib', version: '1.0.0', dependencies: { yaml: '^2' } }), false, 'fields of an app, but not of its types');
  assert.equal(isMarathonDocument({ app: { name: 'x' } }), false);
  for (const value of [null, 1, 'text', [], [1, 2], {}, { apps: [] }, { groups: [] }]) assert.equal(isMarathonDocument(value), false, JSON.stringify(value));
});

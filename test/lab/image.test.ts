import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readImage } from '../../src/image/index.ts';
import { imageIntent } from '../../src/intent/index.ts';
import type { IntentModel } from '../../src/model/index.ts';
import { tenet } from '../run-cli.ts';
import { docker, inLab, LAB_IMAGES, startRegistry } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-image-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function modelOf(input: string): Promise<IntentModel> {
  return imageIntent(await readImage(input)).model;
}

interface Expected { id: string; sha256: string; package: string }

/** What the acceptance asks of the nginx image, whichever way it was read. */
function assertNginx(model: IntentModel, expected: Expected, how: string, id = expected.id): void {
  assert.equal(model.id, id, `${how}: id`);
  assert.equal(model.os?.id, 'debian', how);
  assert.equal(model.os?.version, '12', how);
  const nginx = model.inventory?.executables.find((e) => e.path === '/usr/sbin/nginx');
  assert.equal(nginx?.sha256, expected.sha256, `${how}: sha256 of /usr/sbin/nginx`);
  assert.equal(nginx?.package, expected.package, `${how}: the package dpkg -S names`);
  assert.equal(nginx?.format, 'elf', how);
  assert.deepEqual(model.inventory?.packages.filter((p) => p.name === expected.package || p.name === 'nginx-light').map((p) => p.name).sort(), [expected.package, 'nginx-light'].sort(), how);
  const listen80 = model.network.listen.find((l) => l.port === 80 && l.protocol === 'tcp');
  const kinds = new Set(listen80?.sources.map((s) => s.kind));
  assert.ok(kinds.has('image') && kinds.has('knowledge'), `${how}: port 80 from the image config and from knowledge`);
  const main = model.processes.find((p) => p.role === 'main');
  assert.equal(main?.path, '/usr/sbin/nginx', how);
  assert.equal(main?.sha256, expected.sha256, how);
  assert.equal(main?.interpreter, '/lib64/ld-linux-x86-64.so.2', how);
  assert.match(main?.sources[0]?.detail ?? '', /found by PATH \/usr\/sbin/, how);
}

describe('the Debian nginx image', () => {
  let expected: Expected;
  before(() => {
    if (process.getuid?.() !== 0) return;
    // The ground truth, as Docker and the image's own tools report it.
    const id = docker('image', 'inspect', '--format', '{{.Id}}', LAB_IMAGES.nginx);
    const sha256 = docker('run', '--rm', '--entrypoint', 'sha256sum', LAB_IMAGES.nginx, '/usr/sbin/nginx').split(/\s+/)[0]!;
    const owner = docker('run', '--rm', '--entrypoint', 'dpkg', LAB_IMAGES.nginx, '-S', '/usr/sbin/nginx').split(':')[0]!;
    expected = { id, sha256, package: owner };
  });

  test('from the Docker engine', async (t) => {
    if (!(await inLab(t))) return;
    assertNginx(await modelOf(`image:${LAB_IMAGES.nginx}`), expected, 'engine');
  });

  test('from a docker save tar, verified or not', async (t) => {
    if (!(await inLab(t))) return;
    const path = join(work, 'nginx.tar');
    docker('save', '-o', path, LAB_IMAGES.nginx);
    assertNginx(await modelOf(`docker-archive:${path}`), expected, 'docker-archive');
    assertNginx(imageIntent(await readImage(`docker-archive:${path}`, { verify: true })).model, expected, 'docker-archive verified');
  });

  test('from an OCI layout, folder and tar', async (t) => {
    if (!(await inLab(t))) return;
    // Docker's manifest and config kept as they are: the image ID stays the same.
    const layout = join(work, 'oci');
    await run('skopeo', ['copy', '--quiet', '--format', 'v2s2', `docker-daemon:${LAB_IMAGES.nginx}`, `oci:${layout}:bookworm`]);
    assertNginx(await modelOf(`oci:${layout}:bookworm`), expected, 'oci folder');
    const tarPath = join(work, 'oci.tar');
    await run('tar', ['-C', layout, '-cf', tarPath, '.']);
    assertNginx(await modelOf(`oci:${tarPath}`), expected, 'oci tar');
    // Converted to OCI media types (a new config, so a new image ID) with gzip layers: the same facts.
    const converted = join(work, 'oci-converted');
    await run('skopeo', ['copy', '--quiet', '--dest-compress', `docker-daemon:${LAB_IMAGES.nginx}`, `oci:${converted}:bookworm`]);
    const contents = await readImage(`oci:${converted}:bookworm`, { verify: true });
    assert.ok(contents.layers.every((l) => l.digest !== undefined && l.verified), 'compressed layers, checked against their digests');
    assertNginx(imageIntent(contents).model, expected, 'oci converted', contents.id);
  });

  test('from a registry on loopback', async (t) => {
    if (!(await inLab(t))) return;
    const registry = await startRegistry(work);
    t.after(registry.stop);
    const remote = `${registry.host}/lab/nginx:bookworm`;
    docker('tag', LAB_IMAGES.nginx, remote);
    t.after(() => docker('rmi', remote));
    docker('push', remote);
    const model = await modelOf(`registry:${remote}`);
    assertNginx(model, expected, 'registry');
  });

  test('joined to a Deployment that runs it, through the CLI', async (t) => {
    if (!(await inLab(t))) return;
    const manifest = join(work, 'deployment.yaml');
    writeFileSync(manifest, [
      'apiVersion: apps/v1', 'kind: Deployment', 'metadata: {name: web, namespace: shop}',
      'spec:', '  selector: {matchLabels: {app: web}}', '  template:', '    metadata: {labels: {app: web}}',
      '    spec:', '      containers:', `        - {name: nginx, image: "${LAB_IMAGES.nginx}", ports: [{containerPort: 80}]}`, '',
    ].join('\n'));
    const result = tenet(['analyze', manifest, `image:${LAB_IMAGES.nginx}`, '--format', 'json', '--fail-on', 'none']);
    assert.equal(result.status, 0, result.stderr);
    const { models } = JSON.parse(result.stdout) as { models: IntentModel[] };
    assert.equal(models.length, 1, 'the image joins the Deployment instead of standing alone');
    const web = models[0]!;
    assert.equal(web.workload?.name, 'web');
    assertNginx(web, expected, 'joined');
    assert.deepEqual([...new Set(web.network.listen.find((l) => l.port === 80)?.sources.map((s) => s.kind))].sort(), ['declared', 'image', 'knowledge']);
  });
});

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr}`))));
  });
}

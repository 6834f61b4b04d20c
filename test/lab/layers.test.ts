import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readImage } from '../../src/image/index.ts';
import { imageIntent } from '../../src/intent/index.ts';
import { docker, inLab, LAB_IMAGES, LAB_LABEL } from './lab.ts';

const work = mkdtempSync(join(tmpdir(), 'tenet-lab-layers-'));
after(() => rmSync(work, { recursive: true, force: true }));

const FIRST = '#!/bin/sh\necho first\n';
const SECOND = '#!/bin/sh\necho second\n';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test('later layers delete, replace and hide files: the inventory shows the image as a container sees it', async (t) => {
  if (!(await inLab(t))) return;
  writeFileSync(join(work, 'first.sh'), FIRST, { mode: 0o755 });
  writeFileSync(join(work, 'second.sh'), SECOND, { mode: 0o755 });
  writeFileSync(join(work, 'Dockerfile'), [
    `FROM ${LAB_IMAGES.busybox}`,
    'COPY first.sh /usr/local/bin/app',
    'COPY first.sh /usr/local/bin/gone',
    'RUN mkdir -p /opt/plugins && cp /usr/local/bin/app /opt/plugins/old && chmod 755 /opt/plugins/old',
    'COPY second.sh /usr/local/bin/app',
    'RUN rm /usr/local/bin/gone',
    'RUN rm -rf /opt/plugins && mkdir /opt/plugins && cp /usr/local/bin/app /opt/plugins/new',
    `LABEL ${LAB_LABEL}=layers-test`,
    'CMD ["app"]',
  ].join('\n'));
  const tag = 'tenet-lab/layers-test:1';
  docker('build', '-q', '-t', tag, work);
  t.after(() => docker('rmi', '-f', tag));

  const contents = await readImage(`image:${tag}`);
  const layerWith = (path: string) => contents.layers.findIndex((l) => l.entries.some((e) => e.path === path));
  const opaque = contents.layers.flatMap((l) => l.opaque);
  const whiteouts = contents.layers.flatMap((l) => l.whiteouts);
  assert.ok(whiteouts.includes('/usr/local/bin/gone'), `a whiteout for the deleted file: ${whiteouts.join(', ')}`);
  assert.ok(opaque.includes('/opt/plugins') || whiteouts.includes('/opt/plugins'), 'the re-made folder hides the old one');

  const { model } = imageIntent(contents);
  const executables = new Map(model.inventory!.executables.map((e) => [e.path, e]));
  assert.equal(executables.has('/usr/local/bin/gone'), false, 'deleted in a later layer');
  assert.equal(executables.has('/opt/plugins/old'), false, 'hidden by the re-made folder');
  assert.equal(executables.get('/opt/plugins/new')?.sha256, sha(SECOND));
  const app = executables.get('/usr/local/bin/app');
  assert.equal(app?.sha256, sha(SECOND), 'the replacing layer wins');
  const replacing = contents.layers.findLast((l) => l.entries.some((e) => e.path === '/usr/local/bin/app' && e.sha256 === sha(SECOND)));
  assert.notEqual(layerWith('/usr/local/bin/app'), contents.layers.indexOf(replacing!), 'first added in an earlier layer');
  assert.equal(app?.layer, replacing?.diffId, 'from the replacing layer');
  const main = model.processes.filter((p) => p.role === 'main').map((p) => [p.path, p.sha256]);
  assert.deepEqual(main, [['/usr/local/bin/app', sha(SECOND)], ['/bin/busybox', executables.get('/bin/busybox')?.sha256]],
    'CMD app, then its #!/bin/sh interpreter through the busybox link');
  assert.equal(executables.get('/bin/sh')?.target, '/bin/busybox');
});

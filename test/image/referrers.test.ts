// Intent manifests through the OCI distribution API, against a registry in this
// process that keeps referrers itself (as distribution 3, Harbor or Zot do) or
// does not (then the client keeps the referrers tag schema); test/lab/intent
// does the same against Debian's registry server.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { pullIntent, pushIntent } from '../../src/image/index.ts';
import { intentManifest } from '../../src/intent/index.ts';
import { emptyModel } from '../../src/model/index.ts';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** A registry of one repository, `app`, in memory; with `referrersApi`, it answers the referrers API and says so on pushes. */
function registry(referrersApi: boolean) {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, { type: string; body: Buffer }>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const body = Buffer.concat(chunks);
      const send = (status: number, data?: Buffer, headers: Record<string, string> = {}) => {
        res.writeHead(status, headers);
        res.end(req.method === 'HEAD' ? undefined : data);
      };
      let m: RegExpExecArray | null;
      if ((m = /^\/v2\/app\/blobs\/(sha256:\w+)$/.exec(url.pathname))) return blobs.has(m[1]!) ? send(200, blobs.get(m[1]!)) : send(404);
      if (url.pathname === '/v2/app/blobs/uploads/' && req.method === 'POST') return send(202, undefined, { location: '/v2/app/blobs/uploads/1?state=x' });
      if (url.pathname === '/v2/app/blobs/uploads/1' && req.method === 'PUT') {
        blobs.set(url.searchParams.get('digest')!, body);
        return send(201);
      }
      if ((m = /^\/v2\/app\/referrers\/(sha256:\w+)$/.exec(url.pathname)) && referrersApi) {
        const found = [...manifests.entries()].filter(([, v]) => (JSON.parse(v.body.toString()) as { subject?: { digest: string } }).subject?.digest === m![1])
          .map(([digest, v]) => ({ mediaType: v.type, digest, size: v.body.length, artifactType: (JSON.parse(v.body.toString()) as { artifactType: string }).artifactType }));
        return send(200, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: found })), { 'content-type': OCI_INDEX });
      }
      if ((m = /^\/v2\/app\/manifests\/(.+)$/.exec(url.pathname))) {
        if (req.method === 'PUT') {
          manifests.set(m[1]!, { type: req.headers['content-type']!, body });
          if (!m[1]!.startsWith('sha256:')) manifests.set(sha(body), { type: req.headers['content-type']!, body });
          const subject = (JSON.parse(body.toString()) as { subject?: { digest: string } }).subject?.digest;
          return send(201, undefined, referrersApi && subject !== undefined ? { 'oci-subject': subject } : {});
        }
        const found = manifests.get(m[1]!);
        return found === undefined ? send(404) : send(200, found.body, { 'content-type': found.type });
      }
      send(404, Buffer.from('404 page not found'));
    });
  });
  return { server, blobs, manifests };
}

const servers: Server[] = [];
after(() => servers.forEach((s) => s.close()));

/** A registry holding one image `app:1`; its reference, and the image's ID. */
async function withImage(referrersApi: boolean) {
  const r = registry(referrersApi);
  servers.push(r.server);
  await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  r.blobs.set(sha(config), config);
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [] }));
  r.manifests.set('1', { type: OCI_MANIFEST, body: manifest });
  r.manifests.set(sha(manifest), { type: OCI_MANIFEST, body: manifest });
  return { ...r, reference: `127.0.0.1:${(r.server.address() as AddressInfo).port}/app:1`, imageId: sha(config), manifestDigest: sha(manifest) };
}

for (const referrersApi of [true, false]) {
  test(`an intent manifest is attached and found again ${referrersApi ? 'through the referrers API' : 'through the referrers tag schema'}; the newest wins`, async () => {
    const { reference, imageId, manifestDigest, manifests } = await withImage(referrersApi);
    assert.equal(await pullIntent(reference), undefined);
    const first = intentManifest(emptyModel(imageId, { image: 'app:1' }), { createdAt: '2026-01-01T00:00:00.000Z' });
    const second = intentManifest({ ...emptyModel(imageId, { image: 'app:1' }), state: 'active' }, { createdAt: '2026-02-01T00:00:00.000Z' });
    const pushed = await pushIntent(reference, first);
    assert.equal(pushed.subject.digest, manifestDigest);
    await pushIntent(reference, second);
    assert.equal(manifests.has(manifestDigest.replace(':', '-')), !referrersApi, 'the fallback index only where the registry has no referrers API');
    const pulled = await pullIntent(reference);
    assert.deepEqual([pulled?.file.digest, pulled?.file.manifest.model.state], [second.digest, 'active']);
  });
}

test('an intent manifest for another image is not pushed; a blob that does not match its digest is refused', async () => {
  const { reference, imageId, blobs } = await withImage(false);
  const other = intentManifest(emptyModel(`sha256:${'e'.repeat(64)}`, { image: 'other' }), { createdAt: '2026-01-01T00:00:00.000Z' });
  await assert.rejects(pushIntent(reference, other), /the intent manifest is for image sha256:e+, the registry's image is sha256:/);
  const file = intentManifest(emptyModel(imageId, { image: 'app:1' }), { createdAt: '2026-01-01T00:00:00.000Z' });
  await pushIntent(reference, file);
  blobs.set(file.digest, Buffer.from(file.text.replace('"static"', '"active"')));
  await assert.rejects(pullIntent(reference), /the blob's content does not match its digest/);
});

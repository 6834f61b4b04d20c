import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { ImageContents } from '../model/index.ts';
import { assemble, checkDigest, MAX_JSON, resolveManifest, type BlobStore } from './assemble.ts';
import { ImageError } from './errors.ts';
import { indexLayerStream } from './layer.ts';
import { readAll, sha256Hex, type Bytes } from './stream.ts';

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryReference {
  host: string;
  repository: string;
  /** A tag or a `sha256:` digest. */
  reference: string;
}

/** `HOST[:PORT]/REPO[:TAG|@DIGEST]`; the first path segment is the registry host. */
export function parseRegistryReference(text: string): RegistryReference {
  const slash = text.indexOf('/');
  if (slash <= 0) throw new ImageError(`registry:${text}: expected HOST/REPOSITORY[:TAG|@DIGEST]`);
  const host = text.slice(0, slash);
  let rest = text.slice(slash + 1);
  let reference = 'latest';
  const at = rest.indexOf('@');
  if (at !== -1) {
    reference = checkDigest(rest.slice(at + 1), `registry:${text}`);
    rest = rest.slice(0, at);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      reference = rest.slice(colon + 1);
      rest = rest.slice(0, colon);
    }
  }
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/.test(rest)) {
    throw new ImageError(`registry:${text}: "${rest}" is not a repository name`);
  }
  return { host, repository: rest, reference };
}

/** Loopback registries speak plain HTTP (as Docker allows); every other one HTTPS. */
function baseUrl(host: string): string {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = name === 'localhost' || /^127\./.test(name) || name === '::1';
  return `${loopback ? 'http' : 'https'}://${host}/v2/`;
}

/** A request's options beyond its method and path. */
interface RequestOptions {
  accept?: string;
  body?: Uint8Array;
  contentType?: string;
  /** Statuses answered as they are rather than thrown (404 when looking for something that may not be there). */
  allow?: readonly number[];
}

/** A Registry HTTP API v2 client for one repository, with bearer tokens (anonymous, or for `TENET_REGISTRY_USER`). */
export class Registry {
  private token: string | undefined;
  private readonly base: string;
  readonly ref: RegistryReference;
  private readonly what: string;
  constructor(ref: RegistryReference, what: string) {
    this.ref = ref;
    this.base = baseUrl(ref.host);
    this.what = what;
  }

  get(path: string, accept?: string): Promise<Response> {
    return this.request('GET', path, accept === undefined ? {} : { accept });
  }

  /** `path` is relative to the repository (`manifests/…`, `blobs/…`), or a location the registry gave (an upload's). */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = /^https?:\/\//.test(path) || path.startsWith('/') ? new URL(path, this.base) : new URL(`${this.ref.repository}/${path}`, this.base);
    if (url.host !== new URL(this.base).host) throw new ImageError(`${this.what}: the registry sent us to another host, ${url.host}`);
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = {};
      if (options.accept !== undefined) headers.accept = options.accept;
      if (options.contentType !== undefined) headers['content-type'] = options.contentType;
      const credentials = basicCredentials();
      if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
      else if (credentials !== undefined) headers.authorization = `Basic ${credentials}`;
      let res: Response;
      // a registry that does not answer within a minute is given up; a large layer may take longer to arrive once it does
      const answer = new AbortController();
      const timer = setTimeout(() => answer.abort(new Error('no answer within 60 s')), 60_000);
      try {
        res = await fetch(url, { method, headers, redirect: 'follow', ...(options.body !== undefined && { body: options.body }), signal: answer.signal });
      } catch (e) {
        throw new ImageError(`${this.what}: cannot reach ${url.origin}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
      if (res.status === 401 && attempt === 0 && (await this.authenticate(res, method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'))) continue;
      if (!res.ok && !(options.allow ?? []).includes(res.status)) {
        const body = (await res.text()).slice(0, 300);
        throw new ImageError(`${this.what}: ${method} ${url.pathname}: HTTP ${res.status}${body ? `: ${body.trim()}` : ''}`);
      }
      return res;
    }
    throw new ImageError(`${this.what}: the registry refused the token it issued`);
  }

  /** Follows a `WWW-Authenticate: Bearer realm=…` challenge for a token. */
  private async authenticate(res: Response, actions: string): Promise<boolean> {
    await res.body?.cancel();
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (!/^Bearer /i.test(challenge)) return false;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (params.realm === undefined) return false;
    const url = new URL(params.realm);
    if (params.service !== undefined) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${this.ref.repository}:${actions}`);
    const credentials = basicCredentials();
    const answer = await fetch(url, { ...(credentials !== undefined && { headers: { authorization: `Basic ${credentials}` } }), signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    if (!answer?.ok) return false;
    const body = (await answer.json()) as { token?: string; access_token?: string };
    this.token = body.token ?? body.access_token;
    return this.token !== undefined;
  }
}

/** `TENET_REGISTRY_USER` and `TENET_REGISTRY_PASSWORD`, for registries that want them. */
function basicCredentials(): string | undefined {
  const user = process.env.TENET_REGISTRY_USER;
  if (user === undefined || user === '') return undefined;
  return Buffer.from(`${user}:${process.env.TENET_REGISTRY_PASSWORD ?? ''}`).toString('base64');
}

export function bodyOf(res: Response): Bytes {
  if (res.body === null) return Readable.from([]);
  return Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
}

/** An image from a registry; every blob is checked against its digest. */
export async function readRegistryImage(text: string, reference: string): Promise<ImageContents> {
  const ref = parseRegistryReference(text);
  const registry = new Registry(ref, reference);
  const manifestRes = await registry.get(`manifests/${ref.reference}`, MANIFEST_TYPES);
  const manifest = await readAll(bodyOf(manifestRes), MAX_JSON, `${reference}: manifest`);
  const manifestDigest = `sha256:${sha256Hex(manifest)}`;
  if (ref.reference.startsWith('sha256:') && ref.reference !== manifestDigest) {
    throw new ImageError(`${reference}: the manifest's content hashes to ${manifestDigest}`);
  }
  const store: BlobStore = {
    async json(digest) {
      const bytes = await readAll(bodyOf(await registry.get(`blobs/${digest}`)), MAX_JSON, `${reference}: blob ${digest}`);
      if (`sha256:${sha256Hex(bytes)}` !== digest) throw new ImageError(`${reference}: blob ${digest}'s content does not match its digest`);
      return bytes;
    },
    async layer(descriptor) {
      const index = await indexLayerStream(bodyOf(await registry.get(`blobs/${descriptor.digest}`)), `${reference}: ${descriptor.digest}`, { verify: true });
      if (descriptor.size !== undefined && index.size !== descriptor.size) {
        throw new ImageError(`${reference}: layer ${descriptor.digest}: the manifest says ${descriptor.size} bytes, the registry sent ${index.size}`);
      }
      return index;
    },
  };
  const repoDigest = `${ref.host}/${ref.repository}@${manifestDigest}`;
  return assemble(await resolveManifest(store, manifest, manifestDigest, { reference, transport: 'registry', repoDigests: [repoDigest] }));
}

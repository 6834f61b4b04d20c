import { request, type IncomingMessage } from 'node:http';

/** Where the Docker engine listens: DOCKER_HOST (`unix://…`) or the default socket. */
export function engineSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  if (host !== undefined && host !== '') {
    if (!host.startsWith('unix://')) throw new EngineError(`DOCKER_HOST ${host}: only unix:// sockets are supported`);
    return host.slice('unix://'.length);
  }
  return '/var/run/docker.sock';
}

/** The engine cannot be reached, or answered with an error. */
export class EngineError extends Error {
  override name = 'EngineError';
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/** The Engine API version Tenet speaks: Docker 20.10 and later. */
const API = '/v1.41';

/**
 * One GET (or another method) on the Engine API over its unix socket; resolves
 * to the response once its status is 2xx, so the body can be streamed.
 */
export function engineGet(path: string, socketPath = engineSocket(), method = 'GET'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `${API}${path}`, method, headers: { host: 'docker' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        resolve(res);
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let message = body.trim();
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? message;
        } catch {
          // not JSON: keep the text
        }
        reject(new EngineError(`Docker engine: ${message || `HTTP ${status}`}`, status));
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      reject(new EngineError(`cannot reach the Docker engine at ${socketPath}: ${e.code ?? e.message}`));
    });
    req.end();
  });
}

export async function engineJson<T>(path: string, socketPath?: string): Promise<T> {
  const res = await engineGet(path, socketPath);
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** Stops a container (SIGTERM, then SIGKILL after `graceSec`), as `docker stop` does. */
export async function stopContainer(id: string, graceSec = 1, socketPath?: string): Promise<void> {
  const res = await engineGet(`/containers/${encodeURIComponent(id)}/stop?t=${graceSec}`, socketPath, 'POST');
  res.resume();
}

/** The fields of `GET /images/{name}/json` that Tenet uses. */
export interface EngineImage {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  RootFS?: { Layers?: string[] };
}

export function inspectImage(name: string, socketPath?: string): Promise<EngineImage> {
  return engineJson<EngineImage>(`/images/${encodeURIComponent(name)}/json`, socketPath);
}

/** The image as `docker save` writes it, streamed. */
export function saveImage(name: string, socketPath?: string): Promise<IncomingMessage> {
  return engineGet(`/images/${encodeURIComponent(name)}/get`, socketPath);
}

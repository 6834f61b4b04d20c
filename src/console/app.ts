/**
 * The console's HTTP application: the REST API under /api/v1, described by its
 * OpenAPI document. Built by a function that never listens, so tests call it
 * in-process; `serveConsole` puts it on a socket.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Store, Role } from '../store/index.ts';
import { API_ERRORS, ApiError, type Env } from './api.ts';
import { allowed, LoginThrottle, secretHash, type Principal } from './auth.ts';
import { login } from './login.ts';
import { ROUTES, SESSION_COOKIE } from './routes/index.ts';

export interface ConsoleOptions {
  store: Store;
  version: string;
  /** Failed logins, per user and address (one per console replica). */
  throttle: LoginThrottle;
  /** Cookies only over TLS (default true; false for plain-HTTP tests). */
  secureCookies?: boolean;
  /** Origins besides the console's own that a browser may call the API from. */
  corsOrigins?: readonly string[];
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** The built web UI (index.html and assets/); default: the package's web/dist. */
  webRoot?: string;
  /** Where refused requests and errors are written, one object each. */
  log?: (entry: Record<string, unknown>) => void;
  now?: () => number;
}

export const API_PREFIX = '/api/v1';

function errorBody(code: keyof typeof API_ERRORS, message: string, details?: unknown) {
  return { error: { code, message, ...(details !== undefined && { details }) } };
}

/** Constant-time equality of two strings. */
function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The UI's own content only: no inline script, no other origin, never framed (inline styles: the graph library sets its canvas's). */
const UI_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const TYPES: Readonly<Record<string, string>> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2' };

/**
 * The web UI at / and its assets at /assets/NAME: the files the build made,
 * listed once at start, so no name from a request ever reaches the file
 * system. Without a build, / says how to make one.
 */
function serveWeb(app: OpenAPIHono<Env>, root: string): void {
  const index = join(root, 'index.html');
  const assets = new Map<string, { type: string; body: Buffer }>();
  if (existsSync(join(root, 'assets'))) {
    for (const name of readdirSync(join(root, 'assets'))) assets.set(name, { type: TYPES[extname(name)] ?? 'application/octet-stream', body: readFileSync(join(root, 'assets', name)) });
  }
  const page = existsSync(index) ? readFileSync(index) : undefined;
  app.get('/', (c) => {
    if (page === undefined) return c.text('The web UI is not built: run `npm run build:web` (npm ci does it).', 503);
    c.header('Content-Security-Policy', UI_POLICY);
    c.header('Cache-Control', 'no-cache');
    return c.body(new Uint8Array(page), 200, { 'Content-Type': 'text/html; charset=utf-8' });
  });
  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (asset === undefined) return c.notFound();
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    return c.body(new Uint8Array(asset.body), 200, { 'Content-Type': asset.type });
  });
}

export function consoleApp(given: Omit<ConsoleOptions, 'throttle'> & { throttle?: LoginThrottle }): OpenAPIHono<Env> {
  const options: ConsoleOptions = { ...given, throttle: given.throttle ?? new LoginThrottle(given.now) };
  const log = options.log ?? ((entry) => process.stderr.write(`${JSON.stringify(entry)}\n`));
  const now = () => options.now?.() ?? Date.now();

  const api = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        c.set('errorCode', 'ERR_BAD_REQUEST');
        const details = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
        return c.json(errorBody('ERR_BAD_REQUEST', `the request ${result.target} is not valid: ${details.map((d) => `${d.path || '(whole)'}: ${d.message}`).join('; ')}`, details), 400);
      }
      return undefined;
    },
  });

  /** Who the request's credentials are, if it has any; wrong credentials are refused here. */
  const authenticate: MiddlewareHandler<Env> = async (c, next) => {
    const authorization = c.req.header('authorization');
    const store = options.store;
    let principal: Principal | undefined;
    if (authorization !== undefined) {
      const [scheme, value = ''] = authorization.split(/\s+/, 2) as [string, string?];
      if (/^basic$/i.test(scheme)) {
        const decoded = Buffer.from(value, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon < 1) throw new ApiError('ERR_UNAUTHENTICATED', 'basic credentials must be user:password');
        const user = await login(c, decoded.slice(0, colon), decoded.slice(colon + 1));
        principal = { name: user.name, role: user.role, via: 'basic' };
      } else if (/^bearer$/i.test(scheme)) {
        const token = value.length > 0 && value.length <= 256 ? await store.tokenByHash(secretHash(value)) : undefined;
        if (token === undefined || (token.expiresAt !== undefined && Date.parse(token.expiresAt) <= now())) throw new ApiError('ERR_UNAUTHENTICATED', 'the token is unknown, revoked or expired');
        principal = {
          name: token.defender ?? token.user, role: token.role, via: 'token',
          ...(token.defender !== undefined && { defender: token.defender }), ...(token.enroll === true && { enroll: true }),
        };
      } else {
        throw new ApiError('ERR_UNAUTHENTICATED', `the ${scheme} scheme is not one the console takes (Basic or Bearer)`);
      }
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie !== undefined && cookie.length <= 256) {
        const id = secretHash(cookie);
        const session = await store.session(id, new Date(now()).toISOString());
        const user = session === undefined ? undefined : await store.user(session.user);
        if (session !== undefined && user !== undefined) {
          principal = { name: user.name, role: user.role, via: 'session', csrf: session.csrf };
          c.set('sessionId', id);
        }
      }
    }
    if (principal !== undefined) c.set('principal', principal);
    await next();
  };

  /** A route's guard: the role it needs, and for changes from a browser, the session's CSRF token and an origin of ours. */
  const guard = (role: Role | 'public' | 'enroll'): MiddlewareHandler<Env> => async (c, next) => {
    if (!SAFE_METHODS.has(c.req.method)) {
      const origin = c.req.header('origin');
      if (origin !== undefined && origin !== new URL(c.req.url).origin && !(options.corsOrigins ?? []).includes(origin)) {
        throw new ApiError('ERR_CSRF', `a change from another origin (${origin}) is refused`);
      }
    }
    if (role === 'public') return next();
    const principal = c.get('principal');
    if (principal === undefined) {
      // a browser's script asks without the dialog: no Basic challenge for it
      const challenge = c.req.header('x-requested-with') === undefined ? { 'WWW-Authenticate': 'Basic realm="tenet", charset="UTF-8"' } : undefined;
      throw new ApiError('ERR_UNAUTHENTICATED', 'credentials are needed: HTTP basic, a Bearer token, or a session', undefined, challenge);
    }
    if (role === 'enroll' ? principal.enroll !== true && !allowed(principal, 'admin') : !allowed(principal, role)) throw new ApiError('ERR_FORBIDDEN', `${principal.name} is ${principal.enroll === true ? 'an enrollment token' : principal.role}; this needs ${role}`);
    if (principal.via === 'session' && !SAFE_METHODS.has(c.req.method)) {
      const csrf = c.req.header('x-csrf-token');
      if (csrf === undefined || principal.csrf === undefined || !same(csrf, principal.csrf)) throw new ApiError('ERR_CSRF', 'a change from a browser session needs its X-CSRF-Token');
    }
    return next();
  };

  for (const r of ROUTES) {
    const middleware = [guard(r.role)];
    api.openapi({ ...r.route, middleware } as typeof r.route, ((c: Parameters<typeof r.handle>[0]) => r.handle(c)) as never);
  }
  api.openAPIRegistry.registerComponent('securitySchemes', 'basicAuth', { type: 'http', scheme: 'basic' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'an API token (tnt_…)' });
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE });
  const document = () => api.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'Tenet console API', version: options.version, description: 'Models, audits, incidents, application graphs, artifacts, modes, threat intelligence, defenders, users and tokens.' },
    servers: [{ url: API_PREFIX }],
  });
  api.get('/openapi.json', (c) => c.json(document()));

  const app = new OpenAPIHono<Env>();
  app.use('*', async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.set('options', options);
    c.set('store', options.store);
    let address = 'local';
    try {
      address = getConnInfo(c).remote.address ?? address;
    } catch {
      // no socket: an in-process request
    }
    c.set('address', address);
    c.header('X-Request-Id', requestId);
    await next();
    if (c.res.status >= 400) {
      const principal = c.get('principal');
      log({ time: new Date(now()).toISOString(), requestId, method: c.req.method, path: c.req.path, status: c.res.status, code: c.get('errorCode'), address, ...(principal !== undefined && { actor: principal.name }) });
    }
  });
  app.use('*', secureHeaders({ strictTransportSecurity: options.secureCookies === false ? false : 'max-age=31536000' }));
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    app.use(`${API_PREFIX}/*`, cors({ origin: [...options.corsOrigins], credentials: true, allowHeaders: ['Authorization', 'Content-Type', 'X-CSRF-Token', 'X-Requested-With'] }));
  }
  app.use(`${API_PREFIX}/*`, async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });
  app.use(`${API_PREFIX}/*`, bodyLimit({
    maxSize: options.bodyLimit ?? 1024 * 1024,
    onError: () => {
      throw new ApiError('ERR_TOO_LARGE', `the body is larger than ${options.bodyLimit ?? 1024 * 1024} bytes`);
    },
  }));
  app.use(`${API_PREFIX}/*`, authenticate);
  app.route(API_PREFIX, api);

  serveWeb(app, options.webRoot ?? fileURLToPath(new URL('../../web/dist/', import.meta.url)));

  app.notFound((c) => {
    c.set('errorCode', 'ERR_NOT_FOUND');
    return c.json(errorBody('ERR_NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404);
  });
  const onError = (err: Error, c: Parameters<Parameters<typeof app.onError>[0]>[1]) => {
    if (err instanceof ApiError) {
      c.set('errorCode', err.code);
      for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
      return c.json(errorBody(err.code, err.message, err.details), API_ERRORS[err.code].status);
    }
    if (err instanceof HTTPException && err.status === 400) {
      c.set('errorCode', 'ERR_BAD_JSON');
      return c.json(errorBody('ERR_BAD_JSON', 'the body is not valid JSON'), 400);
    }
    c.set('errorCode', 'ERR_INTERNAL');
    log({ time: new Date(now()).toISOString(), requestId: c.get('requestId'), error: err.stack ?? String(err) });
    return c.json(errorBody('ERR_INTERNAL', `an internal error; it is logged as request ${c.get('requestId')}`), 500);
  };
  app.onError(onError);
  api.onError(onError);
  return app;
}

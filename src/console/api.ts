// What every route of the console shares: errors with stable codes, its context, pages, and the change log.
import { z, type RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Store, Role } from '../store/index.ts';
import type { Principal } from './auth.ts';
import type { ConsoleOptions } from './app.ts';

/**
 * Every error the API answers, by stable code, with its HTTP status. The
 * meaning of each is documented in docs/errors.md; a test keeps the two in step.
 */
export const API_ERRORS = {
  ERR_BAD_REQUEST: { status: 400, text: 'The request does not have the shape the route takes (a parameter, a query value or a body field); `details` says which.' },
  ERR_BAD_JSON: { status: 400, text: 'The request body is not JSON.' },
  ERR_BAD_CURSOR: { status: 400, text: 'The `cursor` is not one a page of this listing gave.' },
  ERR_UNAUTHENTICATED: { status: 401, text: 'No credentials, or wrong ones: a user and password (HTTP basic), an API token (`Authorization: Bearer`), or a session cookie.' },
  ERR_FORBIDDEN: { status: 403, text: 'The credentials are good but their role may not do this (auditors read; operators change policy; admins manage users and tokens).' },
  ERR_CSRF: { status: 403, text: 'A change from a browser without the session\'s `X-CSRF-Token`, or from another origin.' },
  ERR_NOT_FOUND: { status: 404, text: 'No such route, or no such model, incident, application, user, token, feed or artifact kind.' },
  ERR_CONFLICT: { status: 409, text: 'The change contradicts what is stored (a user that exists; removing the last admin).' },
  ERR_TOO_LARGE: { status: 413, text: 'The request body is larger than the console accepts.' },
  ERR_UNPROCESSABLE: { status: 422, text: 'The request is well formed but cannot be done with what is stored (an artifact the model has nothing for).' },
  ERR_THROTTLED: { status: 429, text: 'Too many failed logins for this user or address: wait the `Retry-After` seconds.' },
  ERR_INTERNAL: { status: 500, text: 'A bug in the console: it is logged with the request id; please report it.' },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error the API answers as `{ error: { code, message, details? } }` with the code's status. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  constructor(code: ApiErrorCode, message: string, details?: unknown, headers: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.details = details;
    this.headers = headers;
  }
}

export const ErrorBody = z.object({
  error: z.object({ code: z.enum(Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]]), message: z.string(), details: z.unknown().optional() }),
}).openapi('Error');

/** What a route's handler has besides the request. */
export interface Env {
  Variables: {
    options: ConsoleOptions;
    store: Store;
    principal?: Principal;
    requestId: string;
    /** The client's address (per-address login throttling, the log). */
    address: string;
    /** The stored id of the request's browser session, if it came with one. */
    sessionId?: string;
    /** The code of the error answered, for the log. */
    errorCode?: ApiErrorCode;
  };
}

export type Ctx = Context<Env>;

/** A route: its OpenAPI description (the request is validated against it), who may call it, and what it does. */
export interface ApiRoute {
  route: RouteConfig;
  /** The least role that may call it; `public`: anyone; `enroll`: an enrollment token (or an admin). */
  role: Role | 'public' | 'enroll';
  handle(c: Ctx): Promise<Response>;
}

/** A route, its errors described from the role it needs. */
export function defineRoute(spec: ApiRoute): ApiRoute {
  const errors: Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorBody } } }> = {};
  const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorBody } } });
  errors[400] = error('The request is not valid (ERR_BAD_REQUEST, ERR_BAD_JSON, ERR_BAD_CURSOR)');
  if (spec.role !== 'public') {
    errors[401] = error('No credentials or wrong ones (ERR_UNAUTHENTICATED)');
    errors[403] = error('The role may not do this (ERR_FORBIDDEN, ERR_CSRF)');
  }
  return {
    ...spec,
    route: {
      ...spec.route,
      ...(spec.role !== 'public' && { security: [{ basicAuth: [] }, { bearerAuth: [] }, { sessionCookie: [] }] }),
      responses: { ...errors, ...spec.route.responses },
    },
  };
}

/** The validated input of a part of the request, typed by its schema. */
export function input<S extends z.ZodType>(c: Ctx, target: 'query' | 'param' | 'json', _schema: S): z.output<S> {
  return (c.req.valid as (t: string) => unknown)(target) as z.output<S>;
}

export const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });

/** A page of a listing: its items and, when there are more, the cursor of the next page. */
export const listOf = <S extends z.ZodType>(schema: S) => z.object({
  items: z.array(schema),
  next: z.string().optional().describe('give as `cursor` for the next page; absent on the last page'),
});

export const PageQuery = {
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('records a page (default 50, at most 1000)'),
  cursor: z.string().max(512).optional().describe('the `next` of the page before'),
};

/** A cursor as the API gives it: the store's key, opaque. */
export function encodeCursor(key: string | number | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** A store's page as the API answers it: the items, and the next page's cursor when there is one. */
export function pageBody<T, U = T>(page: { items: T[]; next?: string | number }, item?: (x: T) => U): { items: U[]; next?: string } {
  const next = encodeCursor(page.next);
  return { items: item === undefined ? (page.items as unknown as U[]) : page.items.map(item), ...(next !== undefined && { next }) };
}

export function decodeCursor<K extends 'string' | 'number'>(cursor: string | undefined, kind: K): (K extends 'string' ? string : number) | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof key === kind && (kind === 'string' || (Number.isSafeInteger(key) && (key as number) > 0))) return key as K extends 'string' ? string : number;
  } catch {
    // answered below
  }
  throw new ApiError('ERR_BAD_CURSOR', 'the cursor is not one this listing gave');
}

/** Keeps a change in the change log: who did it, what, to what. */
export async function logChange(c: Ctx, action: string, target: string, detail?: unknown): Promise<void> {
  const principal = c.get('principal');
  await c.get('store').addChange({
    time: new Date(c.get('options').now?.() ?? Date.now()).toISOString(),
    actor: principal === undefined ? 'anonymous' : `${principal.via === 'token' ? 'token:' : ''}${principal.name}`,
    action,
    target,
    ...(detail !== undefined && { detail }),
  });
}

/** Text from outside (names, filters): printable, no control characters. */
export const Text = (max = 256) => z.string().min(1).max(max).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters');

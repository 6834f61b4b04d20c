// The browser's login: a session cookie (HttpOnly, SameSite=Strict) and the CSRF token its changes carry.
import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, setCookie } from 'hono/cookie';
import { defineRoute, input, json, logChange, Text } from '../api.ts';
import { newSecret, secretHash } from '../auth.ts';
import { login } from '../login.ts';

export const SESSION_COOKIE = 'tenet_session';
const SESSION_HOURS = 12;

const Me = z.object({ name: z.string(), role: z.string(), via: z.enum(['basic', 'token', 'session']), csrf: z.string().optional() }).openapi('Session');

const LoginBody = z.object({ name: Text(64), password: z.string().min(1).max(1024) });
const create = defineRoute({
  role: 'public',
  route: createRoute({
    method: 'post', path: '/session', tags: ['session'], summary: 'Logs in: sets the session cookie; changes must carry the returned csrf as X-CSRF-Token',
    request: { body: { required: true, content: { 'application/json': { schema: LoginBody } } } },
    responses: { 201: json(Me, 'Logged in'), 401: json(z.unknown(), 'Wrong name or password (ERR_UNAUTHENTICATED)'), 429: json(z.unknown(), 'Too many failures (ERR_THROTTLED)') },
  }),
  async handle(c) {
    const { name, password } = input(c, 'json', LoginBody);
    const user = await login(c, name, password);
    const secret = newSecret();
    const csrf = newSecret();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
    await c.get('store').putSession({ id: secretHash(secret), user: user.name, csrf, createdAt: now.toISOString(), expiresAt: expiresAt.toISOString() });
    setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, secure: c.get('options').secureCookies ?? true, sameSite: 'Strict', path: '/', expires: expiresAt });
    c.set('principal', { name: user.name, role: user.role, via: 'session' });
    await logChange(c, 'session.login', user.name);
    return c.json({ name: user.name, role: user.role, via: 'session' as const, csrf }, 201);
  },
});

const me = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/session', tags: ['session'], summary: 'Who the credentials are',
    responses: { 200: json(Me, 'The caller') },
  }),
  async handle(c) {
    const p = c.get('principal')!;
    return c.json({ name: p.name, role: p.role, via: p.via, ...(p.csrf !== undefined && { csrf: p.csrf }) });
  },
});

const remove = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'delete', path: '/session', tags: ['session'], summary: 'Logs out',
    responses: { 204: { description: 'Logged out' } },
  }),
  async handle(c) {
    const session = c.get('sessionId');
    if (session !== undefined) await c.get('store').removeSession(session);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.body(null, 204);
  },
});

export const SESSION_ROUTES = [create, me, remove];

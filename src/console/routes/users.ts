// Users and API tokens: admins manage them; a token is shown once, when made.
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { ApiToken, User } from '../../store/index.ts';
import { ApiError, defineRoute, input, json, logChange, Text } from '../api.ts';
import { hashPassword, newSecret, RANK, secretHash, TOKEN_PREFIX } from '../auth.ts';

const UserRole = z.enum(['admin', 'operator', 'auditor']);
const UserView = z.object({ name: z.string(), role: UserRole, createdAt: z.string() }).openapi('User');
const view = (u: User) => ({ name: u.name, role: u.role, createdAt: u.createdAt });
const UserName = Text(64).regex(/^[A-Za-z0-9._@-]+$/, 'letters, digits and . _ @ -');
const Password = z.string().min(12).max(1024).describe('at least 12 characters');

const list = defineRoute({
  role: 'admin',
  route: createRoute({
    method: 'get', path: '/users', tags: ['users'], summary: 'The console\'s users',
    responses: { 200: json(z.object({ items: z.array(UserView) }), 'The users, by name') },
  }),
  async handle(c) {
    return c.json({ items: (await c.get('store').users()).map(view) });
  },
});

const CreateBody = z.object({ name: UserName, role: UserRole, password: Password });
const create = defineRoute({
  role: 'admin',
  route: createRoute({
    method: 'post', path: '/users', tags: ['users'], summary: 'Adds a user',
    request: { body: { required: true, content: { 'application/json': { schema: CreateBody } } } },
    responses: { 201: json(UserView, 'The user'), 409: json(z.unknown(), 'The name is taken (ERR_CONFLICT)') },
  }),
  async handle(c) {
    const body = input(c, 'json', CreateBody);
    const store = c.get('store');
    if ((await store.user(body.name)) !== undefined) throw new ApiError('ERR_CONFLICT', `there is a user ${body.name} already`);
    const user: User = { name: body.name, role: body.role, passwordHash: await hashPassword(body.password), createdAt: new Date().toISOString() };
    await store.putUser(user);
    await logChange(c, 'user.create', user.name, { role: user.role });
    return c.json(view(user), 201);
  },
});

const Name = z.object({ name: UserName });
const remove = defineRoute({
  role: 'admin',
  route: createRoute({
    method: 'delete', path: '/users/{name}', tags: ['users'], summary: 'Removes a user, their tokens and their sessions',
    request: { params: Name },
    responses: { 204: { description: 'Removed' }, 404: json(z.unknown(), 'No such user (ERR_NOT_FOUND)'), 409: json(z.unknown(), 'The last admin (ERR_CONFLICT)') },
  }),
  async handle(c) {
    const { name } = input(c, 'param', Name);
    const store = c.get('store');
    const users = await store.users();
    const user = users.find((u) => u.name === name);
    if (user === undefined) throw new ApiError('ERR_NOT_FOUND', `no user ${name}`);
    if (user.role === 'admin' && users.filter((u) => u.role === 'admin').length === 1) throw new ApiError('ERR_CONFLICT', 'the last admin cannot be removed');
    await store.removeUser(name);
    await logChange(c, 'user.remove', name);
    return c.body(null, 204);
  },
});

const TokenView = z.object({
  id: z.string(), name: z.string(), user: z.string(), role: z.enum(['admin', 'operator', 'auditor', 'defender']), createdAt: z.string(),
  expiresAt: z.string().optional(), defender: z.string().optional(), enroll: z.boolean().optional(),
}).openapi('Token');
const tokenView = ({ hash: _hash, ...token }: ApiToken) => token;

const tokens = defineRoute({
  role: 'admin',
  route: createRoute({
    method: 'get', path: '/tokens', tags: ['tokens'], summary: 'API tokens (never their secrets)',
    responses: { 200: json(z.object({ items: z.array(TokenView) }), 'The tokens') },
  }),
  async handle(c) {
    return c.json({ items: (await c.get('store').tokens()).map(tokenView) });
  },
});

const TokenBody = z.object({
  name: Text(128),
  role: UserRole.optional().describe('at most the user\'s role (default: it)'),
  user: UserName.optional().describe('whom it acts for (default: the caller)'),
  expiresInSec: z.number().int().min(60).max(5 * 365 * 86400).optional(),
  enroll: z.boolean().optional().describe('a token defenders enroll with, and nothing else'),
});

const createToken = defineRoute({
  role: 'admin',
  route: createRoute({
    method: 'post', path: '/tokens', tags: ['tokens'], summary: 'Makes an API token: its secret is in this answer only',
    request: { body: { required: true, content: { 'application/json': { schema: TokenBody } } } },
    responses: { 201: json(TokenView.extend({ token: z.string().describe('the secret: `Authorization: Bearer TOKEN`') }), 'The token'), 404: json(z.unknown(), 'No such user (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const body = input(c, 'json', TokenBody);
    const store = c.get('store');
    const userName = body.user ?? c.get('principal')!.name;
    const user = await store.user(userName);
    if (user === undefined) throw new ApiError('ERR_NOT_FOUND', `no user ${userName}`);
    const role = body.enroll === true ? 'defender' : body.role ?? user.role;
    if (role !== 'defender' && RANK[role] > RANK[user.role]) throw new ApiError('ERR_FORBIDDEN', `${user.name} is ${user.role}: a token cannot be more`);
    const secret = newSecret(TOKEN_PREFIX);
    const now = new Date();
    const token: ApiToken = {
      id: randomUUID(), name: body.name, user: user.name, role, hash: secretHash(secret), createdAt: now.toISOString(),
      ...(body.expiresInSec !== undefined && { expiresAt: new Date(now.getTime() + body.expiresInSec * 1000).toISOString() }),
      ...(body.enroll === true && { enroll: true }),
    };
    await store.putToken(token);
    await logChange(c, 'token.create', token.id, { name: token.name, user: token.user, role: token.role });
    return c.json({ ...tokenView(token), token: secret }, 201);
  },
});

const TokenId = z.object({ id: Text(64) });
const revoke = defineRoute({
  role: 'admin',
  route: createRoute({
    method: 'delete', path: '/tokens/{id}', tags: ['tokens'], summary: 'Revokes a token',
    request: { params: TokenId },
    responses: { 204: { description: 'Revoked' }, 404: json(z.unknown(), 'No such token (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const { id } = input(c, 'param', TokenId);
    if (!(await c.get('store').removeToken(id))) throw new ApiError('ERR_NOT_FOUND', `no token ${id}`);
    await logChange(c, 'token.revoke', id);
    return c.body(null, 204);
  },
});

export const USER_ROUTES = [list, create, remove, tokens, createToken, revoke];

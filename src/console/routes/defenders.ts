// Defenders: enrolled with an enrollment token, listed with what they last said.
import { randomUUID } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { ApiToken, DefenderRecord } from '../../store/index.ts';
import { defineRoute, input, json, logChange, Text } from '../api.ts';
import { newSecret, secretHash, TOKEN_PREFIX } from '../auth.ts';

const Defender = z.object({
  id: z.string(), name: z.string(), hostname: z.string(), version: z.string(), enrolledAt: z.string(), lastSeen: z.string(),
  connected: z.boolean().optional(), replica: z.string().optional().describe('the console replica it is connected to'),
  lastCommand: z.number().optional(), pending: z.number().optional().describe('records in its outbox'), dropped: z.number().optional().describe('records its outbox dropped past its bound'),
  status: z.unknown().optional(),
}).openapi('Defender');

const list = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/defenders', tags: ['defenders'], summary: 'The defenders enrolled, whether each is connected, and what it last said',
    responses: { 200: json(z.object({ items: z.array(Defender) }), 'The defenders') },
  }),
  async handle(c) {
    return c.json({ items: await c.get('store').defenders() });
  },
});

const EnrollBody = z.object({ name: Text(128), hostname: Text(255), version: Text(64) });
const enroll = defineRoute({
  role: 'enroll',
  route: createRoute({
    method: 'post', path: '/defenders/enroll', tags: ['defenders'], summary: 'Enrolls a defender (with an enrollment token): its id, and the token it connects with (shown once)',
    request: { body: { required: true, content: { 'application/json': { schema: EnrollBody } } } },
    responses: { 201: json(z.object({ id: z.string(), token: z.string() }), 'Enrolled') },
  }),
  async handle(c) {
    const body = input(c, 'json', EnrollBody);
    const now = new Date().toISOString();
    const defender: DefenderRecord = { id: randomUUID(), name: body.name, hostname: body.hostname, version: body.version, enrolledAt: now, lastSeen: now, connected: false };
    const secret = newSecret(TOKEN_PREFIX);
    const principal = c.get('principal')!;
    const token: ApiToken = { id: randomUUID(), name: `defender ${body.name}`, user: principal.name, role: 'defender', hash: secretHash(secret), createdAt: now, defender: defender.id };
    await c.get('store').putDefender(defender);
    await c.get('store').putToken(token);
    await logChange(c, 'defender.enroll', defender.id, { name: defender.name, hostname: defender.hostname });
    return c.json({ id: defender.id, token: secret }, 201);
  },
});

export const DEFENDER_ROUTES = [list, enroll];

// The console itself: health, and the log of every change.
import { createRoute, z } from '@hono/zod-openapi';
import { decodeCursor, defineRoute, input, json, listOf, pageBody, PageQuery } from '../api.ts';

const health = defineRoute({
  role: 'public',
  route: createRoute({
    method: 'get', path: '/health', tags: ['console'], summary: 'Whether the console and its store answer',
    responses: { 200: json(z.object({ status: z.literal('ok'), version: z.string(), schema: z.number() }), 'Healthy') },
  }),
  async handle(c) {
    return c.json({ status: 'ok' as const, version: c.get('options').version, schema: await c.get('store').schemaVersion() });
  },
});

const Change = z.object({ time: z.string(), actor: z.string(), action: z.string(), target: z.string(), detail: z.unknown().optional() }).openapi('Change');
const ChangeQuery = z.object(PageQuery);
const changes = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/changes', tags: ['console'], summary: 'Every change made through the console, newest first',
    request: { query: ChangeQuery },
    responses: { 200: json(listOf(Change), 'A page of changes') },
  }),
  async handle(c) {
    const q = input(c, 'query', ChangeQuery);
    const before = decodeCursor(q.cursor, 'number');
    const page = await c.get('store').changes({ ...(before !== undefined && { before }), ...(q.limit !== undefined && { limit: q.limit }) });
    return c.json(pageBody(page));
  },
});

export const CONSOLE_ROUTES = [health, changes];

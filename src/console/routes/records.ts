// What the defenders saw: audits, incidents and events, newest first.
import { createRoute, z } from '@hono/zod-openapi';
import { Audit, Incident, RuntimeEvent, Severity } from '../../model/index.ts';
import type { Store, RecordQuery } from '../../store/index.ts';
import { ApiError, decodeCursor, defineRoute, input, json, listOf, pageBody, PageQuery, Text } from '../api.ts';

const Time = z.iso.datetime({ offset: true }).describe('an ISO time');

/** The filters every record listing has, and its page. */
const Common = { since: Time.optional().describe('only records at or after this time'), until: Time.optional().describe('only records before this time'), container: Text().optional(), ...PageQuery };

/** The query as the store takes it: values given, times in UTC, the cursor decoded. */
function recordQuery(q: Record<string, unknown> & { cursor?: string | undefined }): RecordQuery {
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(q)) {
    if (value === undefined || key === 'cursor') continue;
    query[key] = key === 'since' || key === 'until' ? new Date(value as string).toISOString() : value;
  }
  const before = decodeCursor(q.cursor, 'number');
  return { ...(query as RecordQuery), ...(before !== undefined && { before }) };
}

/** A listing of one kind of record: its path, the filters it adds, its schema, and the store query that reads it. */
function listing<Q extends z.ZodRawShape>(spec: {
  path: string; tag: string; summary: string; filters: Q; item: z.ZodType;
  read: (store: Store, query: RecordQuery) => Promise<{ items: unknown[]; next?: number }>;
}) {
  const Query = z.object({ ...Common, ...spec.filters });
  return defineRoute({
    role: 'auditor',
    route: createRoute({
      method: 'get', path: spec.path, tags: [spec.tag], summary: spec.summary,
      request: { query: Query },
      responses: { 200: json(listOf(spec.item), `A page of ${spec.tag}`) },
    }),
    async handle(c) {
      return c.json(pageBody(await spec.read(c.get('store'), recordQuery(input(c, 'query', Query) as Record<string, unknown> & { cursor?: string }))));
    },
  });
}

const audits = listing({
  path: '/audits', tag: 'audits', summary: 'Audits, newest first, filtered by time, container, model, rule and severity', item: Audit,
  filters: { model: Text(300).optional(), rule: Text(64).optional(), severity: Severity.optional() },
  read: (store, query) => store.queryAudits(query),
});

const incidents = listing({
  path: '/incidents', tag: 'incidents', summary: 'Incidents, the newest opened first, filtered by time, container, pattern and severity', item: Incident,
  filters: { pattern: Text(64).optional(), severity: Severity.optional() },
  read: (store, query) => store.queryIncidents(query),
});

const events = listing({
  path: '/events', tag: 'events', summary: 'Runtime events the defenders reported, newest first', item: RuntimeEvent,
  filters: { kind: Text(32).optional() },
  read: (store, query) => store.queryEvents(query),
});

const IncidentId = z.object({ id: Text(300) });
const incident = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/incidents/{id}', tags: ['incidents'], summary: 'One incident with its timeline',
    request: { params: IncidentId },
    responses: { 200: json(Incident, 'The incident'), 404: json(z.unknown(), 'No such incident (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const { id } = input(c, 'param', IncidentId);
    const found = await c.get('store').incident(id);
    if (found === undefined) throw new ApiError('ERR_NOT_FOUND', `no incident ${id}`);
    return c.json(found);
  },
});

export const RECORD_ROUTES = [audits, incidents, incident, events];

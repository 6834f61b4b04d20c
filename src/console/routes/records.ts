// What the defenders saw: audits, incidents and events, newest first.
import { createRoute, z } from '@hono/zod-openapi';
import { Audit, Incident, RuntimeEvent, Severity } from '../../model/index.ts';
import type { RecordQuery } from '../../store/index.ts';
import { ApiError, decodeCursor, defineRoute, encodeCursor, input, json, listOf, PageQuery, Text } from '../api.ts';

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

const AuditQuery = z.object({ ...Common, model: Text(300).optional(), rule: Text(64).optional(), severity: Severity.optional() });
const audits = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/audits', tags: ['audits'], summary: 'Audits, newest first, filtered by time, container, model, rule and severity',
    request: { query: AuditQuery },
    responses: { 200: json(listOf(Audit), 'A page of audits') },
  }),
  async handle(c) {
    const page = await c.get('store').queryAudits(recordQuery(input(c, 'query', AuditQuery)));
    const next = encodeCursor(page.next);
    return c.json({ items: page.items, ...(next !== undefined && { next }) });
  },
});

const IncidentQuery = z.object({ ...Common, pattern: Text(64).optional(), severity: Severity.optional() });
const incidents = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/incidents', tags: ['incidents'], summary: 'Incidents, the newest opened first, filtered by time, container, pattern and severity',
    request: { query: IncidentQuery },
    responses: { 200: json(listOf(Incident), 'A page of incidents') },
  }),
  async handle(c) {
    const page = await c.get('store').queryIncidents(recordQuery(input(c, 'query', IncidentQuery)));
    const next = encodeCursor(page.next);
    return c.json({ items: page.items, ...(next !== undefined && { next }) });
  },
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

const EventQuery = z.object({ ...Common, kind: Text(32).optional() });
const events = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/events', tags: ['events'], summary: 'Runtime events the defenders reported, newest first',
    request: { query: EventQuery },
    responses: { 200: json(listOf(RuntimeEvent), 'A page of events') },
  }),
  async handle(c) {
    const page = await c.get('store').queryEvents(recordQuery(input(c, 'query', EventQuery)));
    const next = encodeCursor(page.next);
    return c.json({ items: page.items, ...(next !== undefined && { next }) });
  },
});

export const RECORD_ROUTES = [audits, incidents, incident, events];

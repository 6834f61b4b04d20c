// Threat-intelligence feeds: loaded from a text or a URL, listed, removed; defenders take them up.
import { createRoute, z } from '@hono/zod-openapi';
import { FeedError, feedName, loadFeed } from '../../defender/index.ts';
import { parseFeed } from '../../intel/index.ts';
import { ApiError, defineRoute, input, json, logChange, Text } from '../api.ts';

const Feed = z.object({
  name: z.string(), source: z.string(), format: z.string(), loadedAt: z.string(), everySec: z.number().optional(), count: z.number().int(), notes: z.array(z.string()),
}).openapi('Feed');

const list = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/intel/feeds', tags: ['intel'], summary: 'The feeds loaded',
    responses: { 200: json(z.object({ items: z.array(Feed) }), 'The feeds, by name') },
  }),
  async handle(c) {
    return c.json({ items: await c.get('store').feeds() });
  },
});

const LoadBody = z.union([
  z.object({ name: Text(128), content: z.string().min(1).describe('the feed itself, in any format Tenet reads') }),
  z.object({ name: Text(128).optional(), url: z.url({ protocol: /^https?$/ }).max(2048), everySec: z.number().int().min(60).max(7 * 86400).optional().describe('load it again this often') }),
]);

const load = defineRoute({
  role: 'operator',
  route: createRoute({
    method: 'post', path: '/intel/feeds', tags: ['intel'], summary: 'Loads a feed from its text or from a URL; it replaces the feed of the same name',
    request: { body: { required: true, content: { 'application/json': { schema: LoadBody } } } },
    responses: { 201: json(Feed, 'The feed, as loaded'), 422: json(z.unknown(), 'Not a feed Tenet can use (ERR_UNPROCESSABLE)') },
  }),
  async handle(c) {
    const body = input(c, 'json', LoadBody);
    let feed;
    if ('content' in body) {
      const parsed = parseFeed(body.content, body.name);
      if ('rejected' in parsed) throw new ApiError('ERR_UNPROCESSABLE', `${body.name}: ${parsed.rejected}`);
      feed = { name: body.name, source: 'api', format: parsed.format, loadedAt: new Date().toISOString(), notes: parsed.notes, indicators: parsed.indicators };
    } else {
      try {
        feed = await loadFeed(body.url, { name: body.name ?? feedName(body.url), ...(body.everySec !== undefined && { everySec: body.everySec }) });
      } catch (e) {
        if (e instanceof FeedError) throw new ApiError('ERR_UNPROCESSABLE', e.message);
        throw e;
      }
    }
    await c.get('store').putFeed(feed);
    await logChange(c, 'feed.load', feed.name, { source: feed.source, indicators: feed.indicators.length });
    const { indicators, ...summary } = feed;
    return c.json({ ...summary, count: indicators.length }, 201);
  },
});

const Name = z.object({ name: Text(128) });
const remove = defineRoute({
  role: 'operator',
  route: createRoute({
    method: 'delete', path: '/intel/feeds/{name}', tags: ['intel'], summary: 'Removes a feed',
    request: { params: Name },
    responses: { 204: { description: 'Removed' }, 404: json(z.unknown(), 'No such feed (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const { name } = input(c, 'param', Name);
    if (!(await c.get('store').removeFeed(name))) throw new ApiError('ERR_NOT_FOUND', `no feed ${name}`);
    await logChange(c, 'feed.remove', name);
    return c.body(null, 204);
  },
});

export const INTEL_ROUTES = [list, load, remove];

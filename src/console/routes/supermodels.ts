// The applications' graphs (the radar): declared and learned edges, and what went outside.
import { createRoute, z } from '@hono/zod-openapi';
import { Supermodel } from '../../model/index.ts';
import { ApiError, defineRoute, input, json, Text } from '../api.ts';

const list = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/supermodels', tags: ['supermodels'], summary: 'Every application\'s graph',
    responses: { 200: json(z.object({ items: z.array(Supermodel) }), 'The graphs, by application') },
  }),
  async handle(c) {
    return c.json({ items: await c.get('store').supermodels() });
  },
});

const App = z.object({ app: Text() });
const one = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/supermodels/{app}', tags: ['supermodels'], summary: 'One application\'s graph',
    request: { params: App },
    responses: { 200: json(Supermodel, 'The graph'), 404: json(z.unknown(), 'No such application (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const { app } = input(c, 'param', App);
    const found = (await c.get('store').supermodels()).find((s) => s.app === app);
    if (found === undefined) throw new ApiError('ERR_NOT_FOUND', `no application ${app}`);
    return c.json(found);
  },
});

export const SUPERMODEL_ROUTES = [list, one];

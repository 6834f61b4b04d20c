// Modes per scope and dimension: learn, alert, prevent or block. Defenders take them up.
import { createRoute, z } from '@hono/zod-openapi';
import { Mode, ModelDimension, ModeScope, ModeSetting } from '../../model/index.ts';
import { ApiError, defineRoute, input, json, logChange } from '../api.ts';

/** A setting's scope and dimension as the change log names it: `image:nginx/processes`. */
const target = (s: Pick<ModeSetting, 'scope' | 'dimension'>) => `${s.scope.kind}${'value' in s.scope ? `:${s.scope.value}` : ''}${s.dimension !== undefined ? `/${s.dimension}` : ''}`;

const list = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/modes', tags: ['modes'], summary: 'Every mode setting',
    responses: { 200: json(z.object({ items: z.array(ModeSetting) }), 'The settings: the narrowest scope wins, then the dimension\'s own') },
  }),
  async handle(c) {
    return c.json({ items: await c.get('store').modes() });
  },
});

const SetBody = z.object({ scope: ModeScope, dimension: ModelDimension.optional(), mode: Mode });
const set = defineRoute({
  role: 'operator',
  route: createRoute({
    method: 'put', path: '/modes', tags: ['modes'], summary: 'Sets the mode of a scope (and dimension); it replaces the setting of the same scope and dimension',
    request: { body: { required: true, content: { 'application/json': { schema: SetBody } } } },
    responses: { 200: json(ModeSetting, 'The setting, as kept') },
  }),
  async handle(c) {
    const body = input(c, 'json', SetBody);
    const setting: ModeSetting = { ...body, setAt: new Date().toISOString() };
    await c.get('store').putMode(setting);
    await logChange(c, 'mode.set', target(setting), { mode: setting.mode });
    return c.json(setting);
  },
});

const UnsetBody = z.object({ scope: ModeScope, dimension: ModelDimension.optional() });
const unset = defineRoute({
  role: 'operator',
  route: createRoute({
    method: 'delete', path: '/modes', tags: ['modes'], summary: 'Removes the setting of a scope (and dimension)',
    request: { body: { required: true, content: { 'application/json': { schema: UnsetBody } } } },
    responses: { 204: { description: 'Removed' }, 404: json(z.unknown(), 'No such setting (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const body = input(c, 'json', UnsetBody);
    if (!(await c.get('store').removeMode(body))) throw new ApiError('ERR_NOT_FOUND', 'no setting of that scope and dimension');
    await logChange(c, 'mode.unset', target(body));
    return c.body(null, 204);
  },
});

export const MODE_ROUTES = [list, set, unset];

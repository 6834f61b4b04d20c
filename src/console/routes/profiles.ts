// Models as profiles: the allow-list of each image digest, as users of container firewalls know them.
import { createRoute, z } from '@hono/zod-openapi';
import { ARTIFACTS, renderArtifact } from '../../enforce/index.ts';
import { IntentModel, ModelState } from '../../model/index.ts';
import { ApiError, decodeCursor, defineRoute, input, json, listOf, logChange, pageBody, PageQuery, Text, type Ctx } from '../api.ts';

/** A model as the API lists it: `_id` is the image digest (the model's id), and its main program is its entrypoint. */
export const Profile = IntentModel.extend({
  _id: z.string().describe('the image digest (the model\'s id)'),
  entrypoint: z.object({ path: z.string(), argv: z.array(z.string()).optional() }).optional().describe('the program the container runs as its main process'),
}).openapi('Profile');
export type Profile = z.infer<typeof Profile>;

export function profileOf(model: IntentModel): Profile {
  const main = model.processes.find((p) => p.role === 'main');
  return { _id: model.id, ...model, ...(main !== undefined && { entrypoint: { path: main.path, ...(main.argv !== undefined && { argv: main.argv }) } }) };
}

const Id = z.object({ id: Text(300).describe('the model\'s id: an image digest (sha256:…) or a workload reference') });

async function modelOr404(c: Ctx, id: string): Promise<IntentModel> {
  const model = await c.get('store').model(id);
  if (model === undefined) throw new ApiError('ERR_NOT_FOUND', `no model ${id}`);
  return model;
}

const ListQuery = z.object({
  image: Text().optional().describe('an image reference, or a repository (every tag and digest of it)'),
  namespace: Text().optional(),
  state: ModelState.optional(),
  ...PageQuery,
});

const list = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/profiles/container', tags: ['profiles'], summary: 'Models, by id, filtered by image, namespace and state',
    request: { query: ListQuery },
    responses: { 200: json(listOf(Profile), 'A page of models') },
  }),
  async handle(c) {
    const q = input(c, 'query', ListQuery);
    const after = decodeCursor(q.cursor, 'string');
    const page = await c.get('store').queryModels({
      ...(q.image !== undefined && { image: q.image }), ...(q.namespace !== undefined && { namespace: q.namespace }), ...(q.state !== undefined && { state: q.state }),
      ...(after !== undefined && { after }), ...(q.limit !== undefined && { limit: q.limit }),
    });
    return c.json(pageBody(page, profileOf));
  },
});

const one = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/profiles/container/{id}', tags: ['profiles'], summary: 'One model, every entry with its sources',
    request: { params: Id },
    responses: { 200: json(Profile, 'The model'), 404: json(z.unknown(), 'No such model (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    return c.json(profileOf(await modelOr404(c, input(c, 'param', Id).id)));
  },
});

const relearn = defineRoute({
  role: 'operator',
  route: createRoute({
    method: 'post', path: '/profiles/container/{id}/relearn', tags: ['profiles'], summary: 'Learn the model again from now (its defenders take it up)',
    request: { params: Id },
    responses: { 202: json(z.object({ model: z.string(), action: z.literal('relearn') }), 'Asked of the defenders'), 404: json(z.unknown(), 'No such model (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const model = await modelOr404(c, input(c, 'param', Id).id);
    await c.get('store').enqueueCommand({ action: 'relearn', model: model.id });
    await logChange(c, 'profile.relearn', model.id);
    return c.json({ model: model.id, action: 'relearn' as const }, 202);
  },
});

const ExtendBody = z.object({ seconds: z.number().int().min(1).max(30 * 86400).describe('how much longer to learn') });

const extend = defineRoute({
  role: 'operator',
  route: createRoute({
    method: 'post', path: '/profiles/container/{id}/extend', tags: ['profiles'], summary: 'Learn the model for longer (an active model learns again)',
    request: { params: Id, body: { required: true, content: { 'application/json': { schema: ExtendBody } } } },
    responses: { 202: json(z.object({ model: z.string(), action: z.literal('extend'), seconds: z.number() }), 'Asked of the defenders'), 404: json(z.unknown(), 'No such model (ERR_NOT_FOUND)') },
  }),
  async handle(c) {
    const model = await modelOr404(c, input(c, 'param', Id).id);
    const { seconds } = input(c, 'json', ExtendBody);
    await c.get('store').enqueueCommand({ action: 'extend', model: model.id, seconds });
    await logChange(c, 'profile.extend', model.id, { seconds });
    return c.json({ model: model.id, action: 'extend' as const, seconds }, 202);
  },
});

const ArtifactParams = Id.extend({ kind: z.string().max(64).describe(`one of ${Object.keys(ARTIFACTS).join(', ')}`) });

const artifact = defineRoute({
  role: 'auditor',
  route: createRoute({
    method: 'get', path: '/profiles/container/{id}/artifacts/{kind}', tags: ['profiles', 'artifacts'], summary: 'An artifact made from the model (seccomp, nftables, apparmor, …), as a file',
    request: { params: ArtifactParams },
    responses: {
      200: { description: 'The artifact; what it cannot say is in the `Tenet-Notes` header', content: { 'text/plain': { schema: z.string() } } },
      404: json(z.unknown(), 'No such model or artifact kind (ERR_NOT_FOUND)'),
      422: json(z.unknown(), 'The model has nothing the artifact is made from (ERR_UNPROCESSABLE)'),
    },
  }),
  async handle(c) {
    const { id, kind } = input(c, 'param', ArtifactParams);
    // an own-property lookup in a fixed table: no name reaches a path
    const chosen = Object.hasOwn(ARTIFACTS, kind) ? ARTIFACTS[kind]! : undefined;
    if (chosen === undefined) throw new ApiError('ERR_NOT_FOUND', `no artifact kind ${JSON.stringify(kind)}: ${Object.keys(ARTIFACTS).join(', ')}`);
    const model = await modelOr404(c, id);
    if (chosen.syscalls === true && model.syscalls.allow.length === 0) throw new ApiError('ERR_UNPROCESSABLE', `the model ${model.id} has no syscalls to make ${kind} from`);
    const supermodels = chosen.graph === true ? (await c.get('store').supermodels()).filter((s) => s.nodes.some((n) => n.models.includes(model.id))) : [];
    const rendered = renderArtifact(kind, { models: [model], supermodels, namespace: model.workload?.namespace });
    c.header('Content-Type', kind === 'seccomp' ? 'application/json' : 'text/plain; charset=utf-8');
    if (rendered.notes.length > 0) c.header('Tenet-Notes', encodeURIComponent(rendered.notes.join('\n')));
    return c.body(rendered.text, 200);
  },
});

export const PROFILE_ROUTES = [list, one, relearn, extend, artifact];

// Models: each image's allow-list, its learning progress, and every entry with the evidence for it.
import type { IntentModel, Source } from '../../../src/model/index.ts';
import { call, type Listing } from '../api.ts';
import { ago, badge, el, short, table } from '../dom.ts';
import type { View, ViewContext } from './index.ts';

type Profile = IntentModel & { _id: string; entrypoint?: { path: string; argv?: string[] } };

/** Where an entry comes from, in a few words: a file and line, an instruction, an image layer, what was learned. */
export function sourceText(s: Source): string {
  if (s.kind === 'learned') return `learned${s.count !== undefined ? ` ×${s.count}` : ''}${s.lastSeen !== undefined ? `, last ${ago(s.lastSeen)}` : ''}${s.containers !== undefined ? ` in ${s.containers.length} container${s.containers.length === 1 ? '' : 's'}` : ''}`;
  const where = s.file !== undefined ? `${s.file}${s.line !== undefined ? `:${s.line}` : ''}` : undefined;
  return [s.kind, where, s.instruction ?? s.path, s.layer !== undefined ? `layer ${short(s.layer, 19)}` : undefined, s.detail].filter((x) => x !== undefined).join(' · ');
}

function sources(list: readonly Source[]): HTMLElement {
  return el('ul', { class: 'sources' }, list.map((s) => el('li', { class: `source source-${s.kind}` }, sourceText(s))));
}

function progress(m: IntentModel): HTMLElement {
  if (m.state !== 'learning' || m.learning === undefined || m.learning.windowSec === 0) return badge(m.state);
  const done = Math.min(1, m.learning.observedSec / m.learning.windowSec);
  return el('span', { class: 'progress', title: `${Math.round(m.remainingLearningDurationSec ?? 0)} s to learn` },
    el('span', { class: 'bar' }, el('span', { class: 'fill', style: `width:${Math.round(done * 100)}%` })), ` ${Math.round(done * 100)}%`);
}

/** Whether learning converged, what ended it, and what still moves (and why) while it learns. */
function convergence(m: IntentModel): HTMLElement | null {
  const c = m.learning?.convergence;
  if (c === undefined) return null;
  const ended = c.by === 'convergence' ? 'converged' : c.by === 'window' ? 'window over' : c.converged ? 'converged' : 'still moving';
  return el('div', { 'data-testid': 'convergence' }, el('span', { class: 'label' }, 'Learning'), ended,
    m.state === 'learning' && c.waiting.length > 0 ? el('ul', { class: 'waiting' }, c.waiting.map((w) => el('li', {}, el('code', {}, w.dimension ?? 'model'), ` ${w.why}`))) : null);
}

const counts = (m: IntentModel) => `${m.processes.length} programs · ${m.network.listen.length} ports · ${m.network.egress.length} peers · ${m.syscalls.allow.length} syscalls`;

async function list({ go }: ViewContext): Promise<Node> {
  const state = el('select', { 'data-testid': 'model-state' }, ['', 'static', 'learning', 'active', 'archived'].map((s) => el('option', { value: s }, s === '' ? 'every state' : s)));
  const image = el('input', { placeholder: 'image or repository', 'data-testid': 'model-image' });
  const body = el('div');
  let cursor: string | undefined;
  const load = async (more = false) => {
    const query = new URLSearchParams({ limit: '50' });
    if (state.value !== '') query.set('state', state.value);
    if (image.value !== '') query.set('image', image.value);
    if (more && cursor !== undefined) query.set('cursor', cursor);
    const page = await call<Listing<Profile>>('GET', `/profiles/container?${query}`);
    cursor = page.next;
    const rows = table(page.items, [
      ['Image', (m) => el('span', { class: 'strong' }, m.image ?? m.workload?.name ?? short(m._id))],
      ['Model', (m) => el('code', {}, short(m._id))],
      ['State', progress],
      ['Entrypoint', (m) => (m.entrypoint !== undefined ? el('code', {}, [m.entrypoint.path, ...(m.entrypoint.argv?.slice(1) ?? [])].join(' ')) : '—')],
      ['Allows', counts],
    ], { empty: 'No models yet: a defender learns one for each image it sees run.', onRow: (m) => go(`#/models/${encodeURIComponent(m._id)}`), testId: 'models' });
    if (more) body.append(rows);
    else body.replaceChildren(rows);
    more_.hidden = cursor === undefined;
  };
  const more_ = el('button', { class: 'secondary', hidden: true, onclick: () => void load(true) }, 'More');
  state.addEventListener('change', () => void load());
  image.addEventListener('change', () => void load());
  await load();
  return el('section', {}, el('header', { class: 'page' }, el('h1', {}, 'Models'), el('div', { class: 'filters' }, state, image)), body, more_);
}

async function detail(id: string, { me }: ViewContext): Promise<Node> {
  const m = await call<Profile>('GET', `/profiles/container/${encodeURIComponent(id)}`);
  const entries = <T>(title: string, items: readonly T[], text: (x: T) => string, src: (x: T) => readonly Source[]) => el('div', { class: 'card' },
    el('h2', {}, title, el('span', { class: 'count' }, String(items.length))),
    items.length === 0 ? el('p', { class: 'empty' }, 'None allowed.') : el('dl', { class: 'entries' }, items.map((x) => [el('dt', {}, el('code', {}, text(x))), el('dd', {}, sources(src(x)))])));
  const actions = me.role === 'auditor' ? [] : [
    el('button', { class: 'secondary', 'data-testid': 'relearn', onclick: async () => {
      await call('POST', `/profiles/container/${encodeURIComponent(m._id)}/relearn`);
      actionNote.textContent = 'Asked the defenders to learn it again.';
    } }, 'Relearn'),
  ];
  const actionNote = el('span', { class: 'muted' });
  const artifacts = ['seccomp', 'apparmor', 'nftables', 'kubearmor', 'tracingpolicy', 'falco', 'securitycontext'];
  return el('section', {},
    el('header', { class: 'page' }, el('h1', {}, m.image ?? short(m._id, 40)), el('div', { class: 'actions' }, actions, actionNote)),
    el('div', { class: 'summary card' },
      el('div', {}, el('span', { class: 'label' }, 'Model'), el('code', {}, m._id)),
      el('div', {}, el('span', { class: 'label' }, 'State'), progress(m)),
      convergence(m),
      m.os !== undefined ? el('div', {}, el('span', { class: 'label' }, 'OS'), `${m.os.name ?? m.os.id} ${m.os.version ?? ''}`) : null,
      m.workload !== undefined ? el('div', {}, el('span', { class: 'label' }, 'Workload'), `${m.workload.kind} ${m.workload.namespace !== undefined ? `${m.workload.namespace}/` : ''}${m.workload.name}`) : null,
      el('div', {}, el('span', { class: 'label' }, 'Artifacts'), el('div', { class: 'chips' }, artifacts.map((k) => el('a', { class: 'chip', href: `/api/v1/profiles/container/${encodeURIComponent(m._id)}/artifacts/${k}`, target: '_blank' }, k))))),
    el('div', { class: 'columns', 'data-testid': 'model-entries' },
      entries('Programs', m.processes, (p) => p.path, (p) => p.sources),
      entries('Listening ports', m.network.listen, (l) => `${l.port}/${l.protocol}`, (l) => l.sources),
      entries('Peers', m.network.egress, (e) => `${e.host}:${e.port}/${e.protocol}`, (e) => e.sources),
      entries('DNS names', m.network.dns, (d) => d.name, (d) => d.sources),
      entries('Writable paths', m.filesystem.writable, (w) => w.path, (w) => w.sources),
      entries('Capabilities added', m.capabilities.add, (c) => c, () => m.capabilities.sources),
      el('div', { class: 'card' }, el('h2', {}, 'Syscalls', el('span', { class: 'count' }, String(m.syscalls.allow.length))),
        el('p', { class: 'syscalls' }, m.syscalls.allow.join(' ')), sources(m.syscalls.sources))));
}

export const modelsView: View = {
  name: 'models',
  title: 'Models',
  render: (context) => (context.arg !== undefined ? detail(context.arg, context) : list(context)),
};

// Incidents: audits told as one story, with their timeline.
import type { Incident } from '../../../src/model/index.ts';
import { call, type Listing } from '../api.ts';
import { ago, badge, el, table } from '../dom.ts';
import type { View, ViewContext } from './index.ts';

async function detail(id: string): Promise<Node> {
  const i = await call<Incident>('GET', `/incidents/${encodeURIComponent(id)}`);
  return el('section', {},
    el('header', { class: 'page' }, el('h1', {}, badge(i.severity), ' ', i.title)),
    el('div', { class: 'summary card' },
      el('div', {}, el('span', { class: 'label' }, 'Pattern'), el('code', {}, i.pattern)),
      el('div', {}, el('span', { class: 'label' }, 'Container'), i.container.name ?? i.container.id),
      i.container.image !== undefined ? el('div', {}, el('span', { class: 'label' }, 'Image'), el('code', {}, i.container.image)) : null,
      el('div', {}, el('span', { class: 'label' }, 'Audits'), String(i.count)),
      el('div', {}, el('span', { class: 'label' }, 'From'), `${i.firstSeen} to ${i.lastSeen}`),
      i.techniques !== undefined ? el('div', { 'data-testid': 'techniques' }, el('span', { class: 'label' }, 'ATT&CK'),
        ...i.techniques.map((t) => el('a', { href: `https://attack.mitre.org/techniques/${t.id.replace('.', '/')}/`, target: '_blank', rel: 'noopener' }, `${t.id} ${t.name}`, ' '))) : null,
      i.model !== undefined ? el('div', {}, el('span', { class: 'label' }, 'Model'), el('a', { href: `#/models/${encodeURIComponent(i.model)}` }, i.model.slice(0, 19))) : null,
      i.lacked !== undefined ? el('div', {}, el('span', { class: 'label' }, 'Lacked'), i.lacked.map((l) => `${l.dimension}: ${l.entry}`).join(', ')) : null),
    el('div', { class: 'card' }, el('h2', {}, 'Timeline'),
      el('ol', { class: 'timeline', 'data-testid': 'timeline' }, i.timeline.map((t) => el('li', {},
        el('span', { class: 'time' }, new Date(t.time).toLocaleTimeString()),
        badge(t.severity), ' ', el('a', { href: `#/audits/${t.audit}` }, t.message),
        t.count > 1 ? el('span', { class: 'count' }, `×${t.count}`) : null,
        t.summary !== undefined ? el('span', { class: 'summary', title: (t.values ?? []).join(', ') }, ` ${t.summary}`) : null)))));
}

async function list({ go }: ViewContext): Promise<Node> {
  const page = await call<Listing<Incident>>('GET', '/incidents?limit=200');
  return el('section', {},
    el('header', { class: 'page' }, el('h1', {}, 'Incidents')),
    table(page.items, [
      ['Severity', (i) => badge(i.severity)],
      ['Incident', (i) => el('span', { class: 'strong' }, i.title)],
      ['Container', (i) => i.container.name ?? i.container.id.slice(0, 12)],
      ['Image', (i) => i.container.image ?? ''],
      ['Audits', (i) => String(i.count)],
      ['Last', (i) => ago(i.lastSeen)],
    ], { empty: 'No incidents.', onRow: (i) => go(`#/incidents/${encodeURIComponent(i.id)}`), testId: 'incidents' }));
}

export const incidentsView: View = {
  name: 'incidents',
  title: 'Incidents',
  render: (context) => (context.arg !== undefined ? detail(context.arg) : list(context)),
};

// Audits: what happened outside a model or was known-bad, with the process tree, the evidence and the entry it lacked.
import type { Audit } from '../../../src/model/index.ts';
import { call, type Listing } from '../api.ts';
import { ago, badge, el, table } from '../dom.ts';
import type { View } from './index.ts';

/** The process and its parent as the event tells them. */
export function processTree(a: Audit): HTMLElement {
  const p = a.event.process;
  if (p === undefined) return el('p', { class: 'muted' }, 'No process in the evidence.');
  return el('ol', { class: 'tree' },
    p.parent !== undefined ? el('li', {}, el('code', {}, p.parent.path ?? p.parent.name ?? '?'), p.parent.pid !== undefined ? el('span', { class: 'muted' }, ` pid ${p.parent.pid}`) : null) : null,
    el('li', { class: 'leaf' }, el('code', {}, p.argv?.join(' ') ?? p.path ?? p.name ?? '?'), p.pid !== undefined ? el('span', { class: 'muted' }, ` pid ${p.pid}`) : null));
}

export const auditsView: View = {
  name: 'audits',
  title: 'Audits',
  async render({ arg, go }) {
    const page = await call<Listing<Audit>>('GET', '/audits?limit=200');
    const chosen = arg === undefined ? undefined : page.items.find((a) => a.id === arg);
    return el('section', {},
      el('header', { class: 'page' }, el('h1', {}, 'Audits')),
      chosen !== undefined ? el('div', { class: 'card detail', 'data-testid': 'audit-detail' },
        el('h2', {}, badge(chosen.severity), ' ', chosen.message),
        el('p', { class: 'muted' }, `${chosen.rule}${chosen.technique !== undefined ? ` · ${chosen.technique.id} ${chosen.technique.name}` : ''} · ${chosen.time}`),
        chosen.lacked !== undefined ? el('p', {}, 'The model lacked ', el('code', {}, `${chosen.lacked.dimension}: ${chosen.lacked.entry}`)) : null,
        chosen.action !== undefined ? el('p', {}, badge(chosen.action.taken, 'action'), ' ', chosen.action.detail ?? '') : null,
        el('h3', {}, 'Process'), processTree(chosen),
        el('h3', {}, 'Evidence'), el('pre', {}, JSON.stringify(chosen.event, null, 2)))
        : arg !== undefined ? el('p', { class: 'muted' }, `Audit ${arg} is not among the latest 200.`) : null,
      table(page.items, [
        ['Severity', (a) => badge(a.severity)],
        ['What', (a) => a.message],
        ['Rule', (a) => el('code', {}, a.rule)],
        ['Container', (a) => a.container.name ?? a.container.id.slice(0, 12)],
        ['When', (a) => ago(a.time)],
      ], { empty: 'No audits: nothing has left its model.', onRow: (a) => go(`#/audits/${a.id}`), testId: 'audits' }));
  },
};

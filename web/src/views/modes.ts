// Modes per scope and dimension: who is learning, alerting, preventing or blocking.
import type { ModeSetting } from '../../../src/model/index.ts';
import { ApiError, call } from '../api.ts';
import { badge, el, table } from '../dom.ts';
import type { View } from './index.ts';

const DIMENSIONS = ['', 'processes', 'listen', 'egress', 'dns', 'writable', 'reads', 'syscalls', 'capabilities'];
const scopeText = (m: ModeSetting) => (m.scope.kind === 'all' ? 'everything' : `${m.scope.kind} ${m.scope.value}`);

export const modesView: View = {
  name: 'modes',
  title: 'Modes',
  async render({ me, go }) {
    const { items } = await call<{ items: ModeSetting[] }>('GET', '/modes');
    const error = el('p', { class: 'error', role: 'alert', hidden: true });
    const kind = el('select', { 'data-testid': 'mode-scope' }, ['all', 'namespace', 'app', 'image'].map((k) => el('option', { value: k }, k)));
    const value = el('input', { placeholder: 'nginx, shop, sha256:…', 'data-testid': 'mode-value' });
    const dimension = el('select', { 'data-testid': 'mode-dimension' }, DIMENSIONS.map((d) => el('option', { value: d }, d === '' ? 'every dimension' : d)));
    const mode = el('select', { 'data-testid': 'mode-mode' }, ['learn', 'alert', 'prevent', 'block'].map((m) => el('option', { value: m }, m)));
    const form = el('form', { class: 'inline-form', onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        await call('PUT', '/modes', { scope: kind.value === 'all' ? { kind: 'all' } : { kind: kind.value, value: value.value }, ...(dimension.value !== '' && { dimension: dimension.value }), mode: mode.value });
        go(`#/modes/${Date.now()}`);
      } catch (x) {
        error.textContent = x instanceof ApiError ? x.message : String(x);
        error.hidden = false;
      }
    } }, kind, value, dimension, mode, el('button', { type: 'submit', class: 'primary', 'data-testid': 'mode-set' }, 'Set'));
    return el('section', {},
      el('header', { class: 'page' }, el('h1', {}, 'Modes')),
      el('p', { class: 'muted' }, 'The narrowest scope wins, then a dimension\'s own setting; without one, alert.'),
      table(items, [
        ['Scope', (m) => el('span', { class: 'strong' }, scopeText(m))],
        ['Dimension', (m) => m.dimension ?? 'every'],
        ['Mode', (m) => badge(m.mode, `mode-${m.mode}`)],
        ['Set', (m) => new Date(m.setAt).toLocaleString()],
        ...(me.role === 'auditor' ? [] : [['', (m: ModeSetting) => el('button', { class: 'link-button', onclick: async () => {
          await call('DELETE', '/modes', { scope: m.scope, ...(m.dimension !== undefined && { dimension: m.dimension }) });
          go(`#/modes/${Date.now()}`);
        } }, 'remove')] as [string, (m: ModeSetting) => Node]]),
      ], { empty: 'No settings: everything alerts.', testId: 'modes' }),
      me.role === 'auditor' ? el('p', { class: 'muted' }, 'Auditors read; an operator changes modes.') : el('div', { class: 'card' }, el('h2', {}, 'Set a mode'), form, error));
  },
};

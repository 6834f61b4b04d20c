// Threat-intelligence feeds: what is loaded, and loading one.
import { ApiError, call } from '../api.ts';
import { el, table } from '../dom.ts';
import type { View } from './index.ts';

interface Feed { name: string; source: string; format: string; loadedAt: string; everySec?: number; count: number; notes: string[] }

export const intelView: View = {
  name: 'intel',
  title: 'Threat intel',
  async render({ me, go }) {
    const { items } = await call<{ items: Feed[] }>('GET', '/intel/feeds');
    const error = el('p', { class: 'error', role: 'alert', hidden: true });
    const name = el('input', { placeholder: 'name', required: true, 'data-testid': 'feed-name' });
    const url = el('input', { placeholder: 'https://… (or paste the feed below)', 'data-testid': 'feed-url' });
    const content = el('textarea', { rows: 5, placeholder: 'FireHOL, Spamhaus DROP, Feodo CSV, IPsum, STIX 2.1, a plain list…', 'data-testid': 'feed-content' });
    const form = el('form', { class: 'stack-form', onsubmit: async (e: Event) => {
      e.preventDefault();
      try {
        await call('POST', '/intel/feeds', content.value.trim() !== '' ? { name: name.value, content: content.value } : { name: name.value, url: url.value });
        go(`#/intel/${Date.now()}`);
      } catch (x) {
        error.textContent = x instanceof ApiError ? x.message : String(x);
        error.hidden = false;
      }
    } }, name, url, content, el('button', { type: 'submit', class: 'primary', 'data-testid': 'feed-load' }, 'Load'));
    return el('section', {},
      el('header', { class: 'page' }, el('h1', {}, 'Threat intel')),
      table(items, [
        ['Feed', (f) => el('span', { class: 'strong' }, f.name)],
        ['Indicators', (f) => f.count.toLocaleString()],
        ['Format', (f) => f.format],
        ['Loaded', (f) => new Date(f.loadedAt).toLocaleString()],
        ['From', (f) => el('code', {}, f.source)],
      ], { empty: 'No feeds: every connection and DNS name is scored against the feeds loaded.', testId: 'feeds' }),
      me.role === 'auditor' ? null : el('div', { class: 'card' }, el('h2', {}, 'Load a feed'), form, error));
  },
};

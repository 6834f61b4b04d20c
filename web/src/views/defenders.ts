// Defenders: one per node, whether each is connected, and what it still has to send.
import { call } from '../api.ts';
import { ago, badge, el, table } from '../dom.ts';
import type { View } from './index.ts';

interface Defender { id: string; name: string; hostname: string; version: string; lastSeen: string; connected?: boolean; replica?: string; pending?: number; dropped?: number }

export const defendersView: View = {
  name: 'defenders',
  title: 'Defenders',
  async render() {
    const { items } = await call<{ items: Defender[] }>('GET', '/defenders');
    return el('section', {},
      el('header', { class: 'page' }, el('h1', {}, 'Defenders')),
      table(items, [
        ['Defender', (d) => el('span', { class: 'strong' }, d.name)],
        ['Host', (d) => d.hostname],
        ['', (d) => badge(d.connected === true ? 'connected' : 'away', d.connected === true ? 'ok' : 'away')],
        ['Last heard', (d) => ago(d.lastSeen)],
        ['Outbox', (d) => `${(d.pending ?? 0).toLocaleString()} waiting${(d.dropped ?? 0) > 0 ? `, ${d.dropped!.toLocaleString()} dropped` : ''}`],
        ['Version', (d) => d.version],
      ], { empty: 'No defender enrolled: make an enrollment token (POST /api/v1/tokens with "enroll": true), then tenet defender --console URL --enroll-token TOKEN.', testId: 'defenders' }));
  },
};

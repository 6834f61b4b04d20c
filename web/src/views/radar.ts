// The radar: each application's graph, its workloads and who talks to whom, flows coloured by what the graph says of them.
import cytoscape from 'cytoscape';
import type { Supermodel } from '../../../src/model/index.ts';
import { call } from '../api.ts';
import { ago, badge, el, table } from '../dom.ts';
import type { View } from './index.ts';

/** The colour of each edge state, and what it means (the legend). */
export const EDGE_STATES = {
  both: ['#2f855a', 'declared and seen'],
  learned: ['#3182ce', 'learned, not declared'],
  declared: ['#a0aec0', 'declared, never seen'],
  anomalous: ['#dd6b20', 'seen outside the graph'],
  blocked: ['#c53030', 'outside the graph, dropped'],
} as const;

const OUTSIDE = { 'other-app': '#805ad5', host: '#718096', private: '#d69e2e', internet: '#e53e3e' } as const;

function graph(container: HTMLElement, s: Supermodel): cytoscape.Core {
  const elements: cytoscape.ElementDefinition[] = [
    ...s.nodes.map((n) => ({ data: { id: n.id, label: n.id.slice(n.id.indexOf('/') + 1), exposed: (n.exposed?.length ?? 0) > 0 ? 'yes' : 'no' } })),
    ...s.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.from, target: e.to, label: `${e.port}`, color: EDGE_STATES[e.state ?? 'declared'][0], state: e.state ?? 'declared' } })),
  ];
  const outside = new Map<string, { label: string; color: string }>();
  for (const [i, o] of (s.outside ?? []).entries()) {
    const id = `out:${o.class === 'other-app' ? o.node ?? o.address : o.name ?? o.address}`;
    if (!outside.has(id)) outside.set(id, { label: o.name ?? o.node ?? o.address, color: (o.intel?.length ?? 0) > 0 ? '#9b2c2c' : OUTSIDE[o.class] });
    elements.push({ data: { id: `o${i}`, source: o.from, target: id, label: `${o.port}`, color: outside.get(id)!.color, state: o.class } });
  }
  for (const [id, o] of outside) elements.push({ data: { id, label: o.label, outside: 'yes', color: o.color } });
  return cytoscape({
    container,
    elements,
    // clients above the services they call; never zoomed in past life size
    layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.3, padding: 30, nodeDimensionsIncludeLabels: true, animate: false },
    maxZoom: 1.2,
    minZoom: 0.3,
    wheelSensitivity: 0.3,
    style: [
      { selector: 'node', style: { label: 'data(label)', 'background-color': '#2b6cb0', color: '#1a202c', 'font-size': 13, 'font-weight': 600, 'text-valign': 'bottom', 'text-margin-y': 6, width: 30, height: 30 } },
      { selector: 'node[exposed = "yes"]', style: { 'border-width': 4, 'border-color': '#f6ad55' } },
      { selector: 'node[outside = "yes"]', style: { shape: 'round-rectangle', 'background-color': 'data(color)', width: 24, height: 24, 'font-weight': 400 } },
      { selector: 'edge', style: { width: 2.5, 'line-color': 'data(color)', 'target-arrow-color': 'data(color)', 'target-arrow-shape': 'triangle', 'curve-style': 'bezier', label: 'data(label)', 'font-size': 10, color: '#4a5568', 'text-background-color': '#fff', 'text-background-opacity': 0.8 } },
      { selector: 'edge[state = "declared"]', style: { 'line-style': 'dashed' } },
    ],
  });
}

export const radarView: View = {
  name: 'radar',
  title: 'Radar',
  async render({ arg, go }) {
    const { items } = await call<{ items: Supermodel[] }>('GET', '/supermodels');
    if (items.length === 0) return el('section', {}, el('header', { class: 'page' }, el('h1', {}, 'Radar')), el('p', { class: 'empty' }, 'No application graph yet: a defender learns one as containers of an application talk.'));
    const s = items.find((x) => x.app === arg) ?? items[0]!;
    const picker = el('select', { 'data-testid': 'radar-app', onchange: (e: Event) => go(`#/radar/${encodeURIComponent((e.target as HTMLSelectElement).value)}`) },
      items.map((x) => el('option', { value: x.app, selected: x.app === s.app }, x.app)));
    const canvas = el('div', { class: 'radar', 'data-testid': 'radar', 'data-nodes': s.nodes.length, 'data-edges': s.edges.length });
    const legend = el('ul', { class: 'legend' },
      Object.entries(EDGE_STATES).map(([state, [color, text]]) => el('li', {}, el('span', { class: 'swatch', style: `background:${color}` }), `${state}: ${text}`)),
      el('li', {}, el('span', { class: 'ring' }), 'reachable from outside'),
      el('li', {}, el('span', { class: 'square' }), 'outside the application (dark red: listed by a feed)'));
    const section = el('section', {},
      el('header', { class: 'page' }, el('h1', {}, 'Radar'), el('div', { class: 'filters' }, picker)),
      el('div', { class: 'card' }, canvas, legend),
      el('div', { class: 'card' }, el('h2', {}, 'Flows'),
        table(s.edges, [
          ['From', (e) => e.from], ['To', (e) => e.to], ['Port', (e) => `${e.port}/${e.protocol}`],
          ['State', (e) => badge(e.state ?? 'declared', `edge-${e.state ?? 'declared'}`)], ['Seen', (e) => (e.count !== undefined ? `${e.count}×, last ${ago(e.lastSeen)}` : '—')],
        ], { empty: 'No flows.' }),
        (s.outside?.length ?? 0) > 0 ? [el('h2', { class: 'spaced' }, 'Outside the application'), table(s.outside!, [
          ['From', (o) => o.from], ['To', (o) => `${o.name ?? o.node ?? o.address}:${o.port}`], ['What', (o) => badge(o.class, 'outside')],
          ['Intel', (o) => (o.intel ?? []).map((p) => p.feed).join(', ') || '—'], ['Seen', (o) => `${o.count}×, last ${ago(o.lastSeen)}`],
        ])] : null));
    // drawn once the canvas is in the page and has its size
    requestAnimationFrame(() => {
      const cy = graph(canvas, s);
      canvas.dataset.drawn = String(cy.nodes().length);
    });
    return section;
  },
};

// DOM made from data, never from HTML strings: whatever the API returns is text, not markup.

type Child = Node | string | number | false | null | undefined | readonly Child[];
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** An element with attributes (`on…` are listeners, `class`, `data-…`) and children (text is escaped by construction). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') node.addEventListener(name.slice(2).toLowerCase(), value);
    // through the CSSOM: a Content-Security-Policy without 'unsafe-inline' allows it
    else if (name === 'style') node.style.cssText = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.appendChild(typeof child === 'object' ? (child as Node) : document.createTextNode(String(child)));
  }
}

/** Replaces a node's children. */
export function mount(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** How long ago an ISO time was, in words. */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (iso === undefined) return '—';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(s)) return iso;
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export const short = (id: string, n = 19) => (id.length > n ? `${id.slice(0, n)}…` : id);

export function badge(text: string, kind: string = text): HTMLElement {
  return el('span', { class: `badge badge-${kind}` }, text);
}

/** A table of rows: headings, and a cell maker per column. */
export function table<T>(rows: readonly T[], columns: ReadonlyArray<[string, (row: T) => Child]>, options: { empty?: string; onRow?: (row: T) => void; testId?: string } = {}): HTMLElement {
  if (rows.length === 0) return el('p', { class: 'empty' }, options.empty ?? 'Nothing yet.');
  return el('table', { class: 'grid', 'data-testid': options.testId },
    el('thead', {}, el('tr', {}, columns.map(([h]) => el('th', {}, h)))),
    el('tbody', {}, rows.map((row) => el('tr', { class: options.onRow ? 'link' : undefined, onclick: options.onRow ? () => options.onRow!(row) : undefined }, columns.map(([, cell]) => el('td', {}, cell(row)))))));
}

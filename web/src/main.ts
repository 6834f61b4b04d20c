// The console's web UI: a page per view, chosen by the URL's hash; every view reads the API.
import './style.css';
import { ApiError, logout, whoAmI, type Me } from './api.ts';
import { el, mount } from './dom.ts';
import { VIEWS, type View } from './views/index.ts';
import { loginView } from './views/login.ts';

const app = document.getElementById('app')!;
let me: Me | undefined;

/** The view of a hash (`#/models/sha256:…` → the models view with `sha256:…`). */
function route(): { view: View; arg: string | undefined } {
  const [, name = 'models', ...rest] = decodeURIComponent(location.hash.slice(1)).split('/');
  const view = VIEWS.find((v) => v.name === name) ?? VIEWS[0]!;
  return { view, arg: rest.length > 0 ? rest.join('/') : undefined };
}

async function render(): Promise<void> {
  me ??= await whoAmI();
  if (me === undefined) {
    mount(app, loginView((who) => {
      me = who;
      void render();
    }));
    return;
  }
  const { view, arg } = route();
  const content = el('main', { class: 'content', 'data-view': view.name });
  mount(app,
    el('nav', { class: 'sidebar' },
      el('div', { class: 'brand' }, el('span', { class: 'logo' }, '◆'), ' Tenet'),
      VIEWS.map((v) => el('a', { href: `#/${v.name}`, class: v === view ? 'active' : undefined, 'data-testid': `nav-${v.name}` }, v.title)),
      el('div', { class: 'who' },
        el('div', {}, me.name, el('span', { class: 'role' }, me.role)),
        el('button', { class: 'link-button', 'data-testid': 'logout', onclick: async () => {
          await logout();
          me = undefined;
          location.hash = '';
          void render();
        } }, 'Log out'))),
    content);
  mount(content, el('p', { class: 'loading' }, 'Loading…'));
  try {
    mount(content, await view.render({ me, arg, go: (hash) => (location.hash = hash) }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      me = undefined;
      void render();
      return;
    }
    mount(content, el('div', { class: 'error', role: 'alert' }, e instanceof Error ? e.message : String(e)));
  }
}

window.addEventListener('hashchange', () => void render());
void render();

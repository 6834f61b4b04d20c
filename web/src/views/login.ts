import { ApiError, login, type Me } from '../api.ts';
import { el } from '../dom.ts';

export function loginView(done: (me: Me) => void): HTMLElement {
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const name = el('input', { name: 'name', autocomplete: 'username', required: true, 'data-testid': 'login-name' });
  const password = el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
  const form = el('form', { class: 'login', onsubmit: async (event: Event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      done(await login(name.value, password.value));
    } catch (e) {
      error.textContent = e instanceof ApiError && e.code === 'ERR_THROTTLED' ? 'Too many failed logins: wait a moment.' : e instanceof ApiError && e.status === 401 ? 'Wrong user name or password.' : String(e);
      error.hidden = false;
    }
  } },
  el('div', { class: 'brand big' }, el('span', { class: 'logo' }, '◆'), ' Tenet'),
  el('p', { class: 'muted' }, 'Intent-based container security'),
  el('label', {}, 'User', name),
  el('label', {}, 'Password', password),
  error,
  el('button', { type: 'submit', class: 'primary', 'data-testid': 'login-submit' }, 'Log in'));
  return el('div', { class: 'login-page' }, form);
}

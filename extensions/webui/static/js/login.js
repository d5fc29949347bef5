// Sign-in: with scopes required, a token (an operator, agent or OAuth access token) opens a
// browser session: an HttpOnly cookie the page never sees, and a CSRF token it keeps in memory.
import { session, signIn } from './api.js';
import { errorBox, field, fill, h } from './ui.js';

export function show(main, _route, shell) {
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'login', novalidate: true },
    field('Access token', token, 'An operator token, an agent token (ordn_…) or an OAuth access token. It stays on the server; this browser keeps only a session cookie.'),
    h('button', { type: 'submit' }, 'Sign in'), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(status);
    if (!token.value.trim()) {
      fill(status, errorBox({ message: 'Enter a token.' }));
      token.focus();
      return;
    }
    try {
      await signIn(token.value.trim());
      token.value = '';
      shell.refresh();
      if (location.hash === '' || location.hash === '#/login') location.hash = '#/';
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (error) {
      fill(status, errorBox(error.status === 401 ? { message: 'That token is not valid.' } : error));
      token.focus();
    }
  });
  fill(main, h('h1', { tabindex: '-1' }, 'Sign in'),
    h('p', {}, 'This server requires credentials.'), form);
  if (!session.current) token.focus();
}

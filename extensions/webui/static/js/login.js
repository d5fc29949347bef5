// Sign-in: with scopes required, a token (an operator, agent or OAuth access token) opens a
// browser session: an HttpOnly cookie the page never sees, and a CSRF token it keeps in memory.
// When the server signs in through an OAuth authorization server, "Sign in with …" goes there
// instead (the server is the client: the token never reaches this page), and comes back here with
// a `signin_error` code when it did not work out.
import { loadSession, session, signIn } from './api.js';
import { errorBox, field, fill, h } from './ui.js';

// What each code the server may send back means. Only these texts are shown: the code itself is
// never put on the page, so a crafted link can make the page say nothing but these.
const failures = {
  unavailable: 'The authorization server cannot be used right now. Try again in a moment, or sign in with a token.',
  busy: 'Too many sign-ins are in progress on this server. Try again in a minute.',
  state: 'That sign-in had expired or was already used. Start again.',
  binding: 'That sign-in was not started in this browser, so it was refused. Start again from here.',
  issuer: 'The answer came from an unexpected authorization server and was refused.',
  denied: 'The authorization server declined the sign-in.',
  exchange: 'The sign-in could not be finished: the authorization server did not issue a token. Start again.',
  token: 'The authorization server issued a token this server does not accept (its audience, issuer or scopes do not fit).',
};
const serverErrors = ['invalid_request', 'unauthorized_client', 'access_denied', 'unsupported_response_type', 'invalid_scope',
  'server_error', 'temporarily_unavailable', 'invalid_target'];

/** The message for the `signin_error` this page was opened with (removed from the address), or null. */
function takeSignInFailure() {
  const query = new URLSearchParams(location.search);
  const code = query.get('signin_error');
  if (code === null) return null;
  history.replaceState(null, '', location.pathname + location.hash);
  const [kind, serverError] = code.split(':');
  const message = Object.hasOwn(failures, kind) ? failures[kind] : 'The sign-in did not complete. Start again.';
  return kind === 'denied' && serverErrors.includes(serverError) ? `${message.slice(0, -1)} (${serverError}).` : message;
}

function oauthButton() {
  if (!session.oauth) return null;
  const start = `${session.oauth.start}?${new URLSearchParams({ return: location.pathname + location.hash })}`;
  return h('p', {}, h('a', { class: 'button', id: 'oauth-sign-in', href: start }, `Sign in with ${session.oauth.name}`));
}

export async function show(main, _route, shell) {
  // After a sign-out the page has not asked yet how this server signs in.
  if (session.oauth === undefined) await loadSession().catch(() => {});
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const status = h('div', { 'aria-live': 'polite' });
  const failure = takeSignInFailure();
  if (failure) fill(status, errorBox({ message: failure }));
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
  const oauth = oauthButton();
  fill(main, h('h1', { tabindex: '-1' }, 'Sign in'),
    h('p', {}, 'This server requires credentials.'), oauth, oauth ? h('p', {}, 'Or paste a token:') : null, form);
  if (!session.current && !oauth) token.focus();
}

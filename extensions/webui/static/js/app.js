// The shell: finds out who is signed in, shows the page the hash names, and keeps the
// navigation to what the viewer may use.
import { can, loadSession, onSignedOut, session, signOut } from './api.js';
import { errorBox, fill, h } from './ui.js';

const pages = {
  overview: () => import('./overview.js'),
  tasks: () => import('./tasks.js'),
  taskForm: () => import('./task-form.js'),
  runs: () => import('./runs.js'),
  approvals: () => import('./approvals.js'),
  extensions: () => import('./extensions.js'),
  tools: () => import('./tools.js'),
  events: () => import('./events.js'),
  login: () => import('./login.js'),
};

// What each page of the navigation needs.
const navigationScopes = {
  overview: 'tasks:read', tasks: 'tasks:read', runs: 'tasks:read', approvals: 'tasks:read',
  extensions: 'extensions:read', tools: 'extensions:read', events: 'events:publish',
};

/** The page and its parameters for a hash such as `#/tasks/abc/edit?x=1`. */
function route(hash) {
  const path = (hash.replace(/^#/, '').split('?')[0] || '/').replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'overview', nav: 'overview' };
  const [first, second, third] = parts;
  if (first === 'tasks' && second === 'new') return { page: 'taskForm', nav: 'tasks' };
  if (first === 'tasks' && second && third === 'edit') return { page: 'taskForm', nav: 'tasks', id: second };
  if (first === 'tasks' && second) return { page: 'tasks', nav: 'tasks', id: second };
  if (first === 'runs' && second) return { page: 'runs', nav: 'runs', id: second };
  if (first === 'tools' && second) return { page: 'tools', nav: 'tools', id: second };
  if (pages[first]) return { page: first, nav: first };
  return { page: 'missing', nav: null };
}

let cleanup = null;
let showing = 0;
let shownOnce = false;

async function show() {
  const main = document.getElementById('main');
  const serial = ++showing;
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  const target = session.current ? route(location.hash) : { page: 'login', nav: null };
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === target.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (target.page === 'missing') {
    fill(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'No page has this address. ', h('a', { href: '#/' }, 'Go to the overview.')));
    return;
  }
  try {
    const module = await pages[target.page]();
    if (serial !== showing) return;
    const result = await module.show(main, target, { refresh: renderShell });
    if (serial !== showing) {
      if (typeof result === 'function') result();
      return;
    }
    cleanup = typeof result === 'function' ? result : null;
    // When the page's content is on screen (bench/webui.py reads it).
    performance.mark('ordinaut:content', { detail: target.page });
  } catch (error) {
    if (serial === showing) fill(main, h('h1', { tabindex: '-1' }, 'Something went wrong'), errorBox(error));
  }
  // Land keyboard and screen-reader users on the new page's heading (not on the first load).
  const title = main.querySelector('h1');
  if (title && shownOnce && !main.contains(document.activeElement)) title.focus({ preventScroll: true });
  shownOnce = true;
  if (title) document.title = `${title.textContent} · Ordinaut`;
}

function renderShell() {
  const who = document.getElementById('who');
  const nav = document.querySelector('.top nav');
  nav.hidden = !session.current;
  for (const link of document.querySelectorAll('#nav a')) {
    link.parentElement.hidden = !can(navigationScopes[link.dataset.page]);
  }
  if (!session.current) {
    fill(who);
  } else {
    const canSignOut = Boolean(session.current.csrf_token);
    fill(who, h('span', { title: session.current.subject }, `Signed in as ${session.current.name}`),
      canSignOut ? h('button', {
        type: 'button', class: 'secondary', id: 'sign-out', onclick: async () => {
          await signOut().catch(() => {});
          renderShell();
          location.hash = '#/';
          show();
        },
      }, 'Sign out') : null);
  }
}

onSignedOut(() => {
  renderShell();
  show();
});

async function start() {
  try {
    await loadSession();
  } catch (error) {
    fill(document.getElementById('main'), h('h1', {}, 'The server does not answer'), errorBox(error));
    return;
  }
  renderShell();
  window.addEventListener('hashchange', show);
  show();
}

start();

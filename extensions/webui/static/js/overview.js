// The overview: the figures of GET /stats, refreshed when the change stream says something
// moved. Each figure links to the list behind it; cards keep their size as figures change.
import { get, onChange } from './api.js';
import { duration, errorBox, fill, h, heading, time } from './ui.js';

const cards = [
  { key: 'due', label: 'Due, not started', href: '#/tasks?status=active', value: (s) => s.due.count,
    sub: (s) => (s.due.oldest_age_seconds === null ? 'nothing waiting' : `oldest waited ${duration(s.due.oldest_age_seconds * 1000)}`) },
  { key: 'running', label: 'Running', href: '#/runs?status=running', value: (s) => s.running },
  { key: 'waiting', label: 'Waiting for approval', href: '#/approvals', value: (s) => s.waiting_approval },
  { key: 'dead', label: 'Dead letters', href: '#/runs?status=dead', value: (s) => s.dead_letters },
  { key: 'failures', label: 'Failures, last hour', href: () => `#/runs?status=failed&since=${encodeURIComponent(new Date(Date.now() - 3600e3).toISOString())}`,
    value: (s) => s.failures_last_hour },
  { key: 'workers', label: 'Workers alive', href: '#/extensions', value: (s) => s.workers.alive,
    sub: (s) => `${s.workers.busy} busy · leader ${s.leader ?? 'none'}` },
  { key: 'extensions', label: 'Extensions in error', href: '#/extensions?state=error', value: (s) => s.extensions_in_error.count,
    sub: (s) => s.extensions_in_error.ids.join(', ') },
];

export async function show(main) {
  const figures = {};
  const grid = h('div', { class: 'cards' }, cards.map((card) => {
    const figure = h('span', { class: 'figure' }, '…');
    const sub = h('span', { class: 'sub' });
    figures[card.key] = { figure, sub };
    const link = h('a', { class: 'card', href: typeof card.href === 'function' ? card.href() : card.href, 'data-card': card.key },
      figure, h('span', { class: 'label' }, card.label), sub);
    if (typeof card.href === 'function') link.addEventListener('focus', () => { link.href = card.href(); });
    return link;
  }));
  const updated = h('p', { class: 'status-line', 'aria-live': 'off' });
  const problem = h('div');
  fill(main, heading('Overview'), problem, grid, updated);

  let pending = null;
  async function refresh() {
    try {
      const stats = await get('/stats');
      for (const card of cards) {
        figures[card.key].figure.textContent = String(card.value(stats));
        figures[card.key].sub.textContent = card.sub ? card.sub(stats) : '';
      }
      fill(updated, 'Updated ', time(stats.generated_at));
      fill(problem);
    } catch (error) {
      fill(problem, errorBox(error));
    }
  }
  await refresh();
  // Changes come in bursts (a run starts, its steps finish): refresh at most twice a second.
  const stop = onChange(() => {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh(); }, 500);
  });
  // Ages grow without any change; a slow poll keeps them honest.
  const timer = setInterval(refresh, 15000);
  return () => { stop(); clearInterval(timer); clearTimeout(pending); };
}

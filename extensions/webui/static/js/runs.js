// Runs: the filtered, paginated list, and one run's page with its steps as a timeline (input,
// output, error, attempts, duration) that follows the change stream while the run goes on.
import { can, get, onChange, post, withQuery } from './api.js';
import { actionButton, badge, duration, errorBox, field, fill, h, heading, json, routeQuery, select, table, time } from './ui.js';
import { approvalForm } from './approvals.js';

const STATUSES = ['running', 'succeeded', 'failed', 'dead', 'waiting', 'canceled'];

export function runColumns({ task = true } = {}) {
  return [
    { label: 'Run', cell: (run) => h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, run.id.slice(0, 8)) },
    task ? { label: 'Task', cell: (run) => h('a', { href: `#/tasks/${encodeURIComponent(run.task_id)}` }, run.task_id.slice(0, 8)) } : null,
    { label: 'Status', cell: (run) => badge(run.status) },
    { label: 'Trigger', cell: (run) => run.trigger },
    { label: 'Attempt', cell: (run) => String(run.attempt), num: true },
    { label: 'Started', cell: (run) => time(run.started_at || run.created_at) },
    { label: 'Took', cell: (run) => (run.started_at && run.finished_at ? duration(new Date(run.finished_at) - new Date(run.started_at)) : '—'), num: true },
  ].filter(Boolean);
}

export function show(main, route) {
  return route.id ? showRun(main, route.id) : showList(main);
}

async function showList(main) {
  const query = routeQuery();
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    field('Status', select('status', [['', 'any'], ...STATUSES.map((status) => [status, status])], query.get('status') || '')),
    field('Task id', h('input', { name: 'task_id', value: query.get('task_id') || '', autocomplete: 'off', spellcheck: 'false' })),
    field('Since', h('input', { name: 'since', value: query.get('since') || '', placeholder: '2026-12-07T05:00:00Z', autocomplete: 'off' })),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Filter')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = withQuery('#/runs', Object.fromEntries(new FormData(filters).entries()));
  });
  const results = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  // New runs are announced here, not inserted above what is being read: the list never jumps.
  const fresh = h('p', { class: 'status-line', 'aria-live': 'polite' });
  fill(main, heading('Runs'), filters, fresh, results);
  const params = Object.fromEntries(['status', 'task_id', 'since', 'until', 'cursor'].map((key) => [key, query.get(key)]));
  try {
    const page = await get(withQuery('/runs', { ...params, limit: 50 }));
    const { cursor, ...first } = params;
    fill(results,
      page.items.length ? table(runColumns(), page.items) : h('p', {}, 'No run matches.'),
      h('nav', { class: 'pager', 'aria-label': 'Pages' },
        cursor ? h('a', { href: withQuery('#/runs', first) }, 'First page') : null,
        page.next_cursor ? h('a', { href: withQuery('#/runs', { ...params, cursor: page.next_cursor }), rel: 'next' }, 'Next page') : null,
        h('span', { class: 'muted' }, `${page.items.length} shown`)));
  } catch (error) {
    fill(results, errorBox(error));
  }
  let started = 0;
  return onChange((type) => {
    if (type !== 'run.started' || params.cursor) return;
    started += 1;
    fill(fresh, `${started} new run${started === 1 ? '' : 's'} since this list was loaded. `,
      h('a', { href: location.hash, onclick: (event) => { event.preventDefault(); show(main, {}); } }, 'Show them'));
  });
}

async function showRun(main, id) {
  const title = heading(`Run ${id.slice(0, 8)}`);
  const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
  const properties = h('dl', { class: 'props' });
  const actions = h('div', { class: 'actions' });
  const approval = h('div');
  const steps = h('ol', { class: 'timeline', id: 'steps', 'aria-live': 'polite' });
  const result = h('div');
  const opened = new Set();

  function render(run) {
    fill(properties,
      h('dt', {}, 'Status'), h('dd', { id: 'run-status' }, badge(run.status)),
      h('dt', {}, 'Task'), h('dd', {}, h('a', { href: `#/tasks/${encodeURIComponent(run.task_id)}` }, run.task_id)),
      h('dt', {}, 'Trigger'), h('dd', {}, run.trigger),
      h('dt', {}, 'Attempt'), h('dd', {}, String(run.attempt)),
      h('dt', {}, 'Created'), h('dd', {}, time(run.created_at)),
      h('dt', {}, 'Started'), h('dd', {}, time(run.started_at)),
      h('dt', {}, 'Finished'), h('dd', {}, time(run.finished_at)),
      run.lease_owner ? [h('dt', {}, 'Worker'), h('dd', {}, run.lease_owner)] : null,
      run.error ? [h('dt', {}, 'Error'), h('dd', { class: 's-failed' }, run.error)] : null);
    const live = run.status === 'running' || run.status === 'waiting';
    fill(actions, live && can('runs:write') ? actionButton('Cancel run', async () => {
      render(await post(`/runs/${encodeURIComponent(id)}/cancel`));
      return 'Canceled.';
    }, status, { class: 'danger', id: 'cancel-run' }) : null);
    fill(approval, run.status === 'waiting' && run.approval && !run.approval.answered_at && can('runs:approve')
      ? h('section', { 'aria-labelledby': 'h-approval' }, h('h2', { id: 'h-approval' }, 'Waiting for approval'),
        h('p', {}, run.approval.prompt), approvalForm(run, () => reload()))
      : null);
    const list = run.output?.steps || [];
    fill(steps, list.length ? list.map((step, index) => stepItem(step, index, opened)) : h('li', { class: 'muted' }, live ? 'No step has finished yet.' : 'No steps recorded.'));
    fill(result, run.output && 'result' in run.output ? json(run.output.result) : h('p', { class: 'muted' }, '—'));
  }

  async function reload() {
    try {
      render(await get(`/runs/${encodeURIComponent(id)}`));
    } catch (error) {
      fill(status, errorBox(error));
    }
  }

  const run = await get(`/runs/${encodeURIComponent(id)}`);
  fill(main, title, actions, status, properties, approval,
    h('section', { 'aria-labelledby': 'h-steps' }, h('h2', { id: 'h-steps' }, 'Steps'), steps),
    h('section', { 'aria-labelledby': 'h-result' }, h('h2', { id: 'h-result' }, 'Result'), result));
  render(run);
  return onChange((_type, data) => {
    if (data.run_id === id || data.id === id) reload();
  });
}

function stepItem(step, index, opened) {
  const key = step.id ?? String(index);
  const details = h('details', { open: opened.has(key) },
    h('summary', {}, h('strong', {}, step.id ?? `step ${index + 1}`), ' ', h('code', {}, step.uses ?? ''), ' ', badge(step.status),
      h('span', { class: 'muted' }, ` · ${duration(step.duration_ms)} · ${step.attempts ?? 1} attempt${(step.attempts ?? 1) === 1 ? '' : 's'}`)),
    h('h3', {}, 'Input'), json(step.input ?? null),
    step.error ? [h('h3', {}, 'Error'), h('pre', { class: 's-failed' }, typeof step.error === 'string' ? step.error : JSON.stringify(step.error, null, 2))] : null,
    h('h3', {}, 'Output'), json(step.output ?? null));
  // Live reloads rebuild the list; a step someone opened stays open.
  details.addEventListener('toggle', () => (details.open ? opened.add(key) : opened.delete(key)));
  return h('li', { 'data-step': key }, details);
}

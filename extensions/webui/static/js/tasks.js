// Tasks: the filtered, paginated list, and one task's page (schedule, next runs, pipeline,
// run history that follows the change stream, audit log, and the actions the viewer may take).
import { can, get, onChange, post, withQuery } from './api.js';
import { actionButton, badge, errorBox, field, fill, h, heading, json, routeQuery, select, table, time } from './ui.js';
import { runColumns } from './runs.js';

const PAGE = 50;

export function show(main, route) {
  return route.id ? showTask(main, route.id) : showList(main);
}

async function showList(main) {
  const query = routeQuery();
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter tasks' },
    field('Status', select('status', [['', 'any'], ['active', 'active'], ['paused', 'paused'], ['canceled', 'canceled']], query.get('status') || '')),
    field('Schedule', select('schedule_kind', [['', 'any'], ['cron', 'cron'], ['rrule', 'RRULE'], ['once', 'once'], ['event', 'event'], ['condition', 'condition']], query.get('schedule_kind') || '')),
    field('Created by', h('input', { name: 'created_by', value: query.get('created_by') || '', autocomplete: 'off' })),
    field('Search', h('input', { name: 'q', type: 'search', value: query.get('q') || '', autocomplete: 'off' })),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Filter')));
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(filters).entries());
    location.hash = withQuery('#/tasks', data);
  });
  const results = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, heading('Tasks'),
    can('tasks:write') ? h('div', { class: 'actions' }, h('a', { class: 'button', href: '#/tasks/new' }, 'New task')) : null,
    filters, results);

  const params = Object.fromEntries(['status', 'schedule_kind', 'created_by', 'q', 'cursor'].map((key) => [key, query.get(key)]));
  try {
    const page = await get(withQuery('/tasks', { ...params, limit: PAGE }));
    const columns = [
      { label: 'Title', cell: (task) => h('a', { href: `#/tasks/${encodeURIComponent(task.id)}` }, task.title) },
      { label: 'Status', cell: (task) => badge(task.status) },
      { label: 'Schedule', cell: (task) => h('span', {}, task.schedule_kind, task.schedule_expr ? h('code', {}, ' ', task.schedule_expr) : null) },
      { label: 'Next run', cell: (task) => time(task.next_run_at) },
      { label: 'Created by', cell: (task) => task.created_by },
    ];
    const { cursor, ...first } = params;
    fill(results,
      page.items.length ? table(columns, page.items) : h('p', {}, 'No task matches.'),
      h('nav', { class: 'pager', 'aria-label': 'Pages' },
        cursor ? h('a', { href: withQuery('#/tasks', first) }, 'First page') : null,
        page.next_cursor ? h('a', { href: withQuery('#/tasks', { ...params, cursor: page.next_cursor }), rel: 'next' }, 'Next page') : null,
        h('span', { class: 'muted' }, `${page.items.length} shown`)));
  } catch (error) {
    fill(results, errorBox(error));
  }
}

async function showTask(main, id) {
  const task = await get(`/tasks/${encodeURIComponent(id)}`);
  const status = h('div', { 'aria-live': 'polite', class: 'status-line' });
  const properties = h('dl', { class: 'props' });
  const title = heading(task.title);
  const actions = h('div', { class: 'actions' });
  const nextRuns = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const runs = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const audit = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));

  function render(current) {
    fill(title, current.title);
    fill(properties,
      h('dt', {}, 'Status'), h('dd', { id: 'task-status' }, badge(current.status)),
      current.paused_reason === 'failures' ? [h('dt', {}, 'Paused because'), h('dd', { id: 'paused-reason' },
        `${current.consecutive_failures} failed run(s) in a row (last: `,
        h('a', { href: `#/runs/${encodeURIComponent(current.stopped_by_run_id)}` }, 'this run'), '); resume it once the cause is fixed')] : null,
      h('dt', {}, 'Schedule'), h('dd', {}, current.schedule_kind, current.schedule_expr ? h('code', {}, ' ', current.schedule_expr) : null),
      h('dt', {}, 'Time zone'), h('dd', {}, current.timezone),
      h('dt', {}, 'Next run'), h('dd', {}, time(current.next_run_at)),
      current.snoozed_until ? [h('dt', {}, 'Snoozed until'), h('dd', {}, time(current.snoozed_until))] : null,
      h('dt', {}, 'Created by'), h('dd', {}, current.created_by),
      h('dt', {}, 'Created'), h('dd', {}, time(current.created_at)),
      h('dt', {}, 'Priority'), h('dd', {}, String(current.priority)),
      h('dt', {}, 'Retries'), h('dd', {}, `${current.max_retries} (${current.backoff_strategy})`),
      h('dt', {}, 'Failed runs in a row'), h('dd', { id: 'consecutive-failures' }, current.max_consecutive_failures == null
        ? `${current.consecutive_failures} (pauses at the server's default, if any)` : `${current.consecutive_failures} of ${current.max_consecutive_failures}`),
      current.description ? [h('dt', {}, 'Description'), h('dd', {}, current.description)] : null);
    if (!can('tasks:write')) return fill(actions);
    const act = (verb, body) => async () => {
      const updated = await post(`/tasks/${encodeURIComponent(id)}/${verb}`, body);
      await reload(updated?.id ? updated : null);
      loadAudit();
      return `Done: ${verb.replace('_', ' ')}.`;
    };
    const snoozeMinutes = h('input', { type: 'number', min: '1', max: '10080', value: '60', name: 'snooze', class: 'short' });
    fill(actions,
      current.status === 'active' ? actionButton('Pause', act('pause'), status, { id: 'pause' }) : null,
      current.status === 'paused' ? actionButton('Resume', act('resume'), status, { id: 'resume' }) : null,
      current.status !== 'canceled' ? actionButton('Run now', act('run_now'), status, { id: 'run-now' }) : null,
      current.status !== 'canceled' ? field('Snooze (minutes)', snoozeMinutes) : null,
      current.status !== 'canceled' ? actionButton('Snooze', () => act('snooze', { seconds: Math.round(Number(snoozeMinutes.value) * 60) })(), status, { class: 'secondary' }) : null,
      current.status !== 'canceled' ? h('a', { class: 'button secondary', href: `#/tasks/${encodeURIComponent(id)}/edit` }, 'Edit') : null,
      current.status !== 'canceled' ? actionButton('Cancel task', async () => {
        if (!window.confirm('Cancel this task? It will not run again.')) return '';
        return act('cancel')();
      }, status, { class: 'danger' }) : null);
  }

  async function reload(updated) {
    render(updated || await get(`/tasks/${encodeURIComponent(id)}`));
  }

  async function loadRuns() {
    try {
      const page = await get(withQuery('/runs', { task_id: id, limit: 20 }));
      fill(runs, page.items.length ? table(runColumns({ task: false }), page.items) : h('p', { id: 'no-runs' }, 'No run yet.'),
        page.next_cursor ? h('p', {}, h('a', { href: withQuery('#/runs', { task_id: id }) }, 'All runs of this task')) : null);
    } catch (error) {
      fill(runs, errorBox(error));
    }
  }

  async function loadPreview(current) {
    if (!['cron', 'rrule'].includes(current.schedule_kind) || current.status === 'canceled') {
      fill(nextRuns, h('p', { class: 'muted' }, current.schedule_kind === 'once' ? 'Runs once, at the next run time above.' : 'Started by events, not by the clock.'));
      return;
    }
    try {
      const preview = await post('/schedules/preview', { schedule_kind: current.schedule_kind, schedule_expr: current.schedule_expr, timezone: current.timezone, count: 5 });
      fill(nextRuns, occurrenceList(preview));
    } catch (error) {
      fill(nextRuns, errorBox(error));
    }
  }

  async function loadAudit() {
    try {
      const entries = await get(withQuery(`/tasks/${encodeURIComponent(id)}/audit`, { limit: 50 }));
      fill(audit, entries.items.length ? table([
        { label: 'When', cell: (entry) => time(entry.at) },
        { label: 'Who', cell: (entry) => entry.actor },
        { label: 'What', cell: (entry) => entry.action },
        { label: 'Run', cell: (entry) => (entry.run_id ? h('a', { href: `#/runs/${encodeURIComponent(entry.run_id)}` }, entry.run_id.slice(0, 8)) : '') },
      ], entries.items) : h('p', {}, 'Nothing recorded.'));
    } catch (error) {
      fill(audit, errorBox(error));
    }
  }

  fill(main, title, actions, status, properties,
    h('div', { class: 'grid2' },
      h('section', { 'aria-labelledby': 'h-next' }, h('h2', { id: 'h-next' }, 'Next runs'), nextRuns),
      h('section', { 'aria-labelledby': 'h-pipeline' }, h('h2', { id: 'h-pipeline' }, 'Pipeline'), json(task.payload))),
    h('section', { 'aria-labelledby': 'h-audit' }, h('h2', { id: 'h-audit' }, 'Audit log'), audit),
    // Last on the page: the one section that grows live, so nothing above it moves.
    h('section', { 'aria-labelledby': 'h-runs' }, h('h2', { id: 'h-runs' }, 'Run history'), runs));
  render(task);
  loadPreview(task);
  loadAudit();
  await loadRuns();

  let pending = null;
  return onChange((type, data) => {
    if (data.task_id !== id && data.id !== id) return;
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      await loadRuns();
      if (type.startsWith('task.')) await reload();
    }, 200);
  });
}

/** The next occurrences of a schedule, local times with UTC on hover and DST shifts marked. */
export function occurrenceList(preview) {
  if (!preview.occurrences.length) return h('p', {}, 'No further occurrence: the schedule has ended.');
  return h('ol', { class: 'occurrences' }, preview.occurrences.map((occurrence) => h('li', {},
    time(occurrence.utc), h('span', { class: 'muted' }, ` · ${occurrence.local} in ${preview.timezone}`),
    occurrence.dst_shift === 'moved' ? h('strong', {}, ' · moved: that wall-clock time does not exist on this day (DST)') : null,
    occurrence.dst_shift === 'offset_changed' ? h('strong', {}, ' · the zone changed its UTC offset (DST)') : null)));
}

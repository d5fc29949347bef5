// Extensions: every extension the host discovered (GET /ext/status) with its state, kind, grants
// requested and granted, tools, the error and the phase it happened in, its subprocess (restarts,
// the tail of its stderr), its background tasks and subscriptions; and discovery's problems.
import { get, onChange } from './api.js';
import { badge, errorBox, fill, h, heading, json, routeQuery } from './ui.js';

export async function show(main) {
  const only = routeQuery().get('state');
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, heading('Extensions'), body);

  async function load() {
    try {
      const status = await get('/ext/status');
      // Those in error first: they are what someone opening this page is looking for.
      const entries = Object.entries(status.extensions).filter(([, entry]) => !only || entry.state === only)
        .sort(([, a], [, b]) => Number(b.state === 'error') - Number(a.state === 'error'));
      const problems = status.discovery.problems;
      fill(body,
        h('p', { class: 'muted' }, Object.entries(status.totals).map(([key, value]) => `${key} ${value}`).join(' · '),
          only ? [' · showing ', only, ' only (', h('a', { href: '#/extensions' }, 'show all'), ')'] : null),
        entries.map(([id, entry]) => extension(id, entry)),
        h('section', { 'aria-labelledby': 'h-problems' }, h('h2', { id: 'h-problems' }, 'Discovery problems'),
          problems.length ? h('ul', {}, problems.map((problem) => h('li', {}, h('code', {}, problem.origin), ': ', problem.message)))
            : h('p', {}, 'None.')));
    } catch (error) {
      fill(body, errorBox(error));
    }
  }
  await load();
  return onChange((type) => { if (type === 'extension.state') load(); });
}

function extension(id, entry) {
  const granted = new Set(entry.capabilities.granted);
  const process = entry.process;
  return h('section', { class: 'extension', 'data-extension': id, 'aria-labelledby': `x-${id}` },
    h('h2', { id: `x-${id}` }, entry.info?.name ?? id, ' ', badge(entry.state)),
    h('dl', { class: 'props' },
      h('dt', {}, 'Id'), h('dd', {}, h('code', {}, id), entry.info?.version ? ` · ${entry.info.version}` : ''),
      h('dt', {}, 'Kind'), h('dd', {}, `${entry.kind} (${entry.source})`),
      entry.info?.description ? [h('dt', {}, 'About'), h('dd', {}, entry.info.description)] : null,
      h('dt', {}, 'Grants'), h('dd', {}, entry.capabilities.requested.length
        ? entry.capabilities.requested.map((capability, index) => [index ? ', ' : '', granted.has(capability)
          ? h('span', {}, capability) : h('span', { class: 's-failed', title: 'requested, not granted' }, `${capability} (not granted)`)])
        : 'none requested'),
      h('dt', {}, 'Tools'), h('dd', {}, entry.tools.length ? entry.tools.map((tool, index) => [index ? ', ' : '', h('a', { href: `#/tools/${encodeURIComponent(tool)}` }, tool)]) : 'none'),
      h('dt', {}, 'Requests'), h('dd', {}, `${entry.metrics.requests} (${entry.metrics.errors} failed)`),
      entry.error ? [h('dt', {}, 'Error'), h('dd', { class: 's-error extension-error' },
        entry.error.phase ? h('strong', {}, `in ${entry.error.phase}: `) : null, entry.error.message ?? JSON.stringify(entry.error))] : null,
      process ? [h('dt', {}, 'Process'), h('dd', {}, processSummary(process))] : null,
      entry.background_tasks ? [h('dt', {}, 'Background tasks'), h('dd', {}, h('ul', {}, entry.background_tasks.map((task) =>
        h('li', {}, h('code', {}, task.name ?? task.id ?? '?'), ' ', badge(task.state ?? task.status ?? '?'),
          task.restarts !== undefined ? ` · ${task.restarts} restarts` : '', task.last_error ? ` · ${task.last_error}` : ''))))] : null,
      entry.subscriptions ? [h('dt', {}, 'Subscriptions'), h('dd', {}, h('ul', {}, entry.subscriptions.map((item) =>
        h('li', {}, h('code', {}, item.pattern), ` · ${item.delivered} delivered, ${item.failed} failed, ${item.dropped} dropped`))))] : null));
}

function processSummary(process) {
  const tail = process.stderr_tail ?? process.stderr;
  const known = new Set(['stderr_tail', 'stderr']);
  const rest = Object.fromEntries(Object.entries(process).filter(([key]) => !known.has(key)));
  return h('div', {},
    h('p', {}, Object.entries(rest).filter(([, value]) => typeof value !== 'object').map(([key, value]) => `${key.replace(/_/g, ' ')} ${value}`).join(' · ')),
    tail && (Array.isArray(tail) ? tail.length : String(tail).length)
      ? h('details', {}, h('summary', {}, 'stderr (last lines)'), h('pre', {}, Array.isArray(tail) ? tail.join('\n') : String(tail)))
      : null,
    Object.values(rest).some((value) => value && typeof value === 'object')
      ? json(Object.fromEntries(Object.entries(rest).filter(([, value]) => value && typeof value === 'object'))) : null);
}

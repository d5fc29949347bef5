// The approvals inbox: runs waiting at an approval step, what they would continue with, and a
// form to approve or reject with a comment.
import { can, get, onChange, post, withQuery } from './api.js';
import { errorBox, field, fill, h, heading, time } from './ui.js';

/** Approve and reject buttons with a comment box, for a waiting run. */
export function approvalForm(run, done) {
  const comment = h('textarea', { name: 'comment', rows: '2' });
  const status = h('div', { 'aria-live': 'polite' });
  const answer = (approved) => async (event) => {
    event.preventDefault();
    for (const button of form.querySelectorAll('button')) button.disabled = true;
    try {
      await post(`/runs/${encodeURIComponent(run.id)}/approve`, { approved, comment: comment.value || null });
      fill(status, h('span', { class: 'notice', role: 'status' }, approved ? 'Approved.' : 'Rejected.'));
      done?.();
    } catch (error) {
      fill(status, errorBox(error));
      for (const button of form.querySelectorAll('button')) button.disabled = false;
    }
  };
  const form = h('form', { 'aria-label': `Answer run ${run.id.slice(0, 8)}` },
    field('Comment', comment),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', onclick: answer(true), 'data-answer': 'approve' }, 'Approve'),
      h('button', { type: 'button', class: 'danger', onclick: answer(false), 'data-answer': 'reject' }, 'Reject')),
    status);
  return form;
}

export async function show(main) {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, heading('Approvals'), list);

  async function load() {
    try {
      const page = await get(withQuery('/runs', { status: 'waiting', limit: 100 }));
      // A list item may leave the approval out; the run itself has it.
      const runs = await Promise.all(page.items.map((run) => (run.approval ? run : get(`/runs/${encodeURIComponent(run.id)}`))));
      const waiting = runs.filter((run) => run.approval && !run.approval.answered_at);
      if (!waiting.length) return fill(list, h('p', { id: 'inbox-empty' }, 'Nothing is waiting for approval.'));
      const tasks = new Map();
      await Promise.all([...new Set(waiting.map((run) => run.task_id))].map(async (taskId) => {
        try { tasks.set(taskId, await get(`/tasks/${encodeURIComponent(taskId)}`)); } catch { /* shown by id */ }
      }));
      fill(list, waiting.map((run) => {
        const task = tasks.get(run.task_id);
        const steps = task?.payload?.pipeline || [];
        const at = steps.findIndex((step) => step.id === run.approval.step);
        const rest = at >= 0 ? steps.slice(at + 1) : [];
        return h('article', { class: 'card', 'data-run': run.id, 'aria-labelledby': `a-${run.id}` },
          h('h2', { id: `a-${run.id}` }, task ? task.title : run.task_id, ' ', h('span', { class: 'muted' }, `· run ${run.id.slice(0, 8)}`)),
          h('p', {}, run.approval.prompt),
          h('p', { class: 'muted' }, 'Waiting since ', time(run.approval.requested_at || run.started_at), ' · ',
            h('a', { href: `#/runs/${encodeURIComponent(run.id)}` }, 'the run')),
          rest.length ? h('p', {}, 'If approved it continues with: ', rest.map((step, index) => [index ? ', ' : '', h('code', {}, step.id ?? step.uses), ` (${step.uses})`])) : h('p', { class: 'muted' }, 'Nothing follows this step.'),
          can('runs:approve') ? approvalForm(run, load) : h('p', { class: 'muted' }, 'Answering needs scope runs:approve.'));
      }));
    } catch (error) {
      fill(list, errorBox(error));
    }
  }
  await load();
  // A comment being written is not thrown away by a reload: the list refreshes once it is left.
  let stale = false;
  list.addEventListener('focusout', () => {
    if (stale) {
      stale = false;
      setTimeout(() => { if (!list.contains(document.activeElement)) load(); }, 0);
    }
  });
  return onChange((type) => {
    if (!type.startsWith('approval.') && type !== 'reset') return;
    if (list.contains(document.activeElement)) stale = true;
    else load();
  });
}

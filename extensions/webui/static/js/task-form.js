// Creating and editing a task. While the form is typed in, the server validates the body exactly
// as creating it would (POST /tasks/validate) and previews the schedule (POST /schedules/preview):
// errors appear next to the field they are about, with the JSON pointer into the body.
import { ApiError, get, post, request } from './api.js';
import { debounce, errorBox, field, fill, h, heading, select } from './ui.js';
import { occurrenceList } from './tasks.js';

const EXAMPLE_PAYLOAD = { pipeline: [{ id: 'hello', uses: 'echo', with: { text: 'Hello from ${params.name}' } }], params: { name: 'Ordinaut' } };

export async function show(main, route) {
  const existing = route.id ? await get(`/tasks/${encodeURIComponent(route.id)}`) : null;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const inputs = {
    title: h('input', { name: 'title', required: true, maxlength: '200', value: existing?.title ?? '', autocomplete: 'off' }),
    description: h('input', { name: 'description', value: existing?.description ?? '', autocomplete: 'off' }),
    schedule_kind: select('schedule_kind', [['cron', 'cron'], ['rrule', 'RRULE'], ['once', 'once (a time)'], ['event', 'event (a topic pattern)'], ['condition', 'condition']], existing?.schedule_kind ?? 'cron'),
    schedule_expr: h('input', { name: 'schedule_expr', value: existing?.schedule_expr ?? '0 9 * * 1-5', autocomplete: 'off', spellcheck: 'false' }),
    timezone: h('input', { name: 'timezone', value: existing?.timezone ?? zone, autocomplete: 'off', spellcheck: 'false' }),
    payload: h('textarea', { name: 'payload', rows: '12', spellcheck: 'false' }),
    priority: h('input', { name: 'priority', type: 'number', min: '1', max: '9', value: String(existing?.priority ?? 5) }),
    max_retries: h('input', { name: 'max_retries', type: 'number', min: '0', max: '100', value: String(existing?.max_retries ?? 3) }),
    max_consecutive_failures: h('input', { name: 'max_consecutive_failures', type: 'number', min: '1', max: '10000', value: existing?.max_consecutive_failures == null ? '' : String(existing.max_consecutive_failures) }),
  };
  inputs.payload.value = JSON.stringify(existing?.payload ?? EXAMPLE_PAYLOAD, null, 2);
  const problems = {
    schedule: h('ul', { class: 'errors', id: 'schedule-errors', 'aria-live': 'polite' }),
    payload: h('ul', { class: 'errors', id: 'payload-errors', 'aria-live': 'polite' }),
    other: h('ul', { class: 'errors', id: 'other-errors', 'aria-live': 'polite' }),
  };
  inputs.schedule_expr.setAttribute('aria-errormessage', 'schedule-errors');
  inputs.payload.setAttribute('aria-errormessage', 'payload-errors');
  const preview = h('div', { id: 'schedule-preview', 'aria-live': 'polite' });
  const status = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, existing ? 'Save' : 'Create task');

  const form = h('form', { novalidate: true, 'aria-describedby': 'other-errors' },
    field('Title', inputs.title),
    field('Description', inputs.description),
    h('fieldset', {}, h('legend', {}, 'Schedule'),
      h('div', { class: 'grid2' },
        field('Kind', inputs.schedule_kind),
        field('Time zone', inputs.timezone, 'An IANA zone such as Europe/Paris.')),
      field('Expression', inputs.schedule_expr, 'cron: "0 9 * * 1-5"; RRULE: "FREQ=WEEKLY;BYDAY=MO"; once: "2030-01-01T09:00:00Z"; event: a topic pattern.'),
      problems.schedule,
      h('h2', { id: 'h-preview' }, 'Next occurrences'), preview),
    field('Payload (JSON: pipeline and params)', inputs.payload, 'Each step: {"id", "uses": a tool, "with": arguments}. Checked against the tools\' schemas as you type.'),
    problems.payload,
    h('div', { class: 'grid2' }, field('Priority (1–9)', inputs.priority), field('Retries', inputs.max_retries)),
    field('Pause after this many failed runs in a row', inputs.max_consecutive_failures, 'Runs that failed after their retries. Empty: the server\'s default (never, unless the operator set one).'),
    problems.other,
    h('div', { class: 'actions' }, submit, h('a', { href: existing ? `#/tasks/${encodeURIComponent(existing.id)}` : '#/tasks' }, 'Back')),
    status);

  /** The body the form stands for, or the place where the payload's JSON breaks. */
  function body() {
    let payload;
    try {
      payload = JSON.parse(inputs.payload.value);
    } catch (error) {
      return { parseError: error.message };
    }
    const value = {
      title: inputs.title.value, schedule_kind: inputs.schedule_kind.value, schedule_expr: inputs.schedule_expr.value,
      timezone: inputs.timezone.value, payload, priority: Number(inputs.priority.value), max_retries: Number(inputs.max_retries.value),
    };
    if (inputs.description.value) value.description = inputs.description.value;
    if (inputs.max_consecutive_failures.value !== '') value.max_consecutive_failures = Number(inputs.max_consecutive_failures.value);
    else if (existing?.max_consecutive_failures != null) value.max_consecutive_failures = null;
    return { value };
  }

  function show(list, errors) {
    fill(list, errors.map((error) => h('li', {}, error.path ? h('code', {}, error.path) : null, error.path ? ': ' : null, error.message)));
  }

  let serial = 0;
  async function check() {
    const mine = ++serial;
    const { value, parseError } = body();
    if (parseError) {
      show(problems.payload, [{ path: '/payload', message: `not valid JSON: ${parseError}` }]);
      inputs.payload.setAttribute('aria-invalid', 'true');
      return;
    }
    let result;
    try {
      result = await post('/tasks/validate', value);
    } catch (error) {
      if (mine === serial) show(problems.other, [{ path: '', message: error.message }]);
      return;
    }
    if (mine !== serial) return;
    const schedule = result.errors.filter((error) => /^\/(schedule_expr|schedule_kind|timezone|dtstart)/.test(error.path));
    const payload = result.errors.filter((error) => error.path.startsWith('/payload'));
    const other = result.errors.filter((error) => !schedule.includes(error) && !payload.includes(error));
    show(problems.schedule, schedule);
    show(problems.payload, payload);
    show(problems.other, other);
    inputs.schedule_expr.setAttribute('aria-invalid', String(schedule.length > 0));
    inputs.payload.setAttribute('aria-invalid', String(payload.length > 0));
    if (schedule.length === 0 && ['cron', 'rrule', 'once'].includes(value.schedule_kind)) {
      try {
        const occurrences = await post('/schedules/preview', {
          schedule_kind: value.schedule_kind, schedule_expr: value.schedule_expr, timezone: value.timezone, count: 5,
        });
        if (mine === serial) fill(preview, occurrenceList(occurrences));
      } catch (error) {
        if (mine === serial) fill(preview, errorBox(error));
      }
    } else if (mine === serial) {
      fill(preview, h('p', { class: 'muted' }, schedule.length ? 'Fix the schedule to see its occurrences.' : 'Started by events, not by the clock.'));
    }
  }
  const checkSoon = debounce(check, 300);
  form.addEventListener('input', checkSoon);
  form.addEventListener('change', checkSoon);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(status);
    const { value, parseError } = body();
    if (parseError) {
      fill(status, errorBox({ message: `The payload is not valid JSON: ${parseError}` }));
      inputs.payload.focus();
      return;
    }
    submit.disabled = true;
    try {
      const saved = existing
        ? await request('PATCH', `/tasks/${encodeURIComponent(existing.id)}`, value)
        : await post('/tasks', value);
      location.hash = `#/tasks/${encodeURIComponent(saved.id)}`;
    } catch (error) {
      fill(status, errorBox(error));
      if (error instanceof ApiError) check();
    } finally {
      submit.disabled = false;
    }
  });

  fill(main, heading(existing ? `Edit ${existing.title}` : 'New task'), form);
  check();
}

// Small DOM helpers shared by the pages: elements, times, badges, errors, forms.

/** An element: `h('a', {href: '#/', class: 'x', onclick: fn}, 'text', child, [more])`. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name === 'value') element.value = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the contents of `element`. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A time in the viewer's zone, with UTC on hover. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return h('span', {}, iso);
  return h('time', { datetime: date.toISOString(), title: `${date.toISOString().replace('.000Z', 'Z')} UTC` }, localFormat.format(date));
}

/** "3.2 s", "840 ms", "2 min 5 s". */
export function duration(milliseconds) {
  if (milliseconds === undefined || milliseconds === null) return '—';
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function badge(status) {
  return h('span', { class: `badge s-${status}` }, status ?? '—');
}

export function json(value) {
  return h('pre', {}, JSON.stringify(value, null, 2));
}

/** A refusal from the server, as people read it. */
export function errorBox(error) {
  const field = error?.details?.field;
  return h('div', { class: 'error', role: 'alert' }, error?.message || String(error), field ? h('span', {}, ' (', h('code', {}, field), ')') : null);
}

let fieldSerial = 0;

/** A labelled control: `field('Title', input, 'hint')`; gives the control an id if it has none. */
export function field(label, control, hint) {
  if (!control.id) control.id = `f${++fieldSerial}`;
  const children = [h('label', { for: control.id }, label), control];
  if (hint) {
    const hintElement = h('span', { class: 'hint', id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintElement.id);
    children.push(hintElement);
  }
  return h('div', { class: 'field' }, children);
}

export function select(name, options, value) {
  return h('select', { name }, options.map(([optionValue, text]) => h('option', { value: optionValue, selected: optionValue === value }, text)));
}

/** A table; on narrow screens each row becomes a block with its column names. */
export function table(columns, rows, caption) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
    caption ? h('caption', { class: 'muted' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((column) => h('th', { scope: 'col', class: column.num ? 'num' : null }, column.label)))),
    h('tbody', {}, rows.map((row) => tableRow(columns, row)))));
}

export function tableRow(columns, row) {
  return h('tr', {}, columns.map((column) => h('td', { 'data-label': column.label, class: column.num ? 'num' : null }, column.cell(row))));
}

/** The query of the current hash route (`#/tasks?status=active`). */
export function routeQuery() {
  const hash = location.hash || '#/';
  const index = hash.indexOf('?');
  return new URLSearchParams(index >= 0 ? hash.slice(index + 1) : '');
}

/** A page heading that takes focus when a page is shown, so that keyboard and screen-reader users land on it. */
export function heading(text) {
  return h('h1', { tabindex: '-1' }, text);
}

/** Runs `action` on a button press with the button disabled meanwhile; failures land in `status`. */
export function actionButton(text, action, status, attributes = {}) {
  const button = h('button', { type: 'button', ...attributes }, text);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const message = await action();
      if (status) fill(status, message ? h('span', { class: 'notice', role: 'status' }, message) : '');
    } catch (error) {
      if (status) fill(status, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** Calls `fn` at most once per `wait` milliseconds of quiet. */
export function debounce(fn, wait) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), wait);
  };
}

// Events: a live tail of the event bus for a topic pattern (GET /events/tail, server-sent events)
// and a form that publishes one (POST /events). The tail has a fixed height and scrolls inside:
// arriving events never move the rest of the page.
import { can, post, withQuery } from './api.js';
import { errorBox, field, fill, h, heading, time } from './ui.js';

const KEPT = 200;

export function show(main) {
  const pattern = h('input', { name: 'pattern', value: '*', autocomplete: 'off', spellcheck: 'false' });
  const follow = h('form', { class: 'filters', 'aria-label': 'Follow events' },
    field('Topic pattern', pattern, 'A glob over event names (orders.*, ? for one character), or over whole stream names when it holds a colon (ext:events_demo:*:*).'),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Follow')));
  const state = h('p', { class: 'status-line', 'aria-live': 'polite' });
  const items = h('ol', { id: 'tail' });
  const box = h('div', { class: 'tail', tabindex: '0', role: 'log', 'aria-label': 'Events as they arrive' }, items);

  const topic = h('input', { name: 'topic', required: true, autocomplete: 'off', spellcheck: 'false' });
  const payload = h('textarea', { name: 'payload', rows: '4', spellcheck: 'false' });
  payload.value = '{}';
  const published = h('div', { 'aria-live': 'polite' });
  const publish = h('form', { 'aria-labelledby': 'h-publish', novalidate: true },
    field('Topic', topic, 'Letters, digits, . _ -'), field('Payload (JSON)', payload),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Publish')), published);
  publish.addEventListener('submit', async (event) => {
    event.preventDefault();
    let value;
    try {
      value = payload.value.trim() ? JSON.parse(payload.value) : null;
    } catch (error) {
      fill(published, errorBox({ message: `The payload is not valid JSON: ${error.message}` }));
      return;
    }
    try {
      const answer = await post('/events', { topic: topic.value, payload: value });
      fill(published, h('p', { class: 'notice', role: 'status' }, `Published ${answer.event_id}`,
        answer.triggered_task_ids.length ? `; started ${answer.triggered_task_ids.length} task(s)` : ''));
    } catch (error) {
      fill(published, errorBox(error));
    }
  });

  let source = null;
  function start() {
    if (source) source.close();
    fill(items);
    fill(state, `Following ${pattern.value}…`);
    source = new EventSource(withQuery('/events/tail', { pattern: pattern.value }));
    source.addEventListener('open', () => fill(state, `Following ${pattern.value}`));
    source.addEventListener('message', (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
      items.append(h('li', { 'data-topic': data.name },
        time(data.timestamp ? new Date(data.timestamp).toISOString() : null), ' ', h('code', {}, data.stream ?? data.name),
        h('pre', {}, JSON.stringify(data.payload))));
      while (items.children.length > KEPT) items.firstElementChild.remove();
      if (atBottom) box.scrollTop = box.scrollHeight;
    });
    source.addEventListener('error', () => fill(state, 'Disconnected; reconnecting…'));
  }
  follow.addEventListener('submit', (event) => {
    event.preventDefault();
    start();
  });

  fill(main, heading('Events'),
    h('section', { 'aria-labelledby': 'h-tail' }, h('h2', { id: 'h-tail' }, 'Live tail'), follow, state, box),
    can('events:publish') ? h('section', { 'aria-labelledby': 'h-publish' }, h('h2', { id: 'h-publish' }, 'Publish an event'), publish) : null);
  start();
  return () => source?.close();
}

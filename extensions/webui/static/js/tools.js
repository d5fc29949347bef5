// Tools: every tool with its schemas, and a form generated from a tool's inputSchema that calls
// it (over MCP, with the viewer's own credential) and renders the result's content: text,
// images, structured content.
import { callTool, get } from './api.js';
import { errorBox, field, fill, h, heading, json, select } from './ui.js';

export async function show(main, route) {
  const { tools } = await get('/tools');
  if (!route.id) {
    fill(main, heading('Tools'), h('p', { class: 'muted' }, `${tools.length} tools`),
      h('ul', { class: 'tool-list' }, tools.map((tool) => h('li', {},
        h('a', { href: `#/tools/${encodeURIComponent(tool.name)}` }, h('code', {}, tool.name)),
        tool.description ? h('span', { class: 'muted' }, ` — ${tool.description}`) : null))));
    return;
  }
  const tool = tools.find((item) => item.name === route.id);
  if (!tool) {
    fill(main, heading('Tool not found'), h('p', {}, `No tool is named ${route.id}. `, h('a', { href: '#/tools' }, 'All tools')));
    return;
  }
  const schema = tool.inputSchema ?? tool.input_schema ?? { type: 'object' };
  const controls = formControls(schema);
  const output = h('div', { id: 'tool-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Call');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'h-try' }, controls.elements, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    let args;
    try {
      args = controls.value();
    } catch (error) {
      fill(output, errorBox(error));
      return;
    }
    submit.disabled = true;
    fill(output, h('p', { class: 'muted' }, 'Calling…'));
    try {
      fill(output, renderResult(await callTool(tool.wire_name ?? tool.name, args)));
    } catch (error) {
      fill(output, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  fill(main, heading(tool.name), tool.description ? h('p', {}, tool.description) : null,
    h('section', { 'aria-labelledby': 'h-try' }, h('h2', { id: 'h-try' }, 'Try it'), form, output),
    h('section', { 'aria-labelledby': 'h-schemas' }, h('h2', { id: 'h-schemas' }, 'Schemas'),
      h('h3', {}, 'Input'), json(schema),
      tool.outputSchema ? [h('h3', {}, 'Output'), json(tool.outputSchema)] : null),
    h('p', {}, h('a', { href: '#/tools' }, 'All tools')));
}

/** Inputs for the top-level properties of an object schema; anything nested is edited as JSON. */
function formControls(schema) {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const readers = [];
  const elements = Object.entries(properties).map(([name, property]) => {
    const label = `${name}${required.has(name) ? ' (required)' : ''}`;
    const hint = [property.description, property.type ? `type ${[].concat(property.type).join(' or ')}` : null].filter(Boolean).join(' · ');
    let control;
    let read;
    if (Array.isArray(property.enum)) {
      control = select(name, [['', '—'], ...property.enum.map((value) => [JSON.stringify(value), String(value)])], property.default !== undefined ? JSON.stringify(property.default) : '');
      read = () => (control.value === '' ? undefined : JSON.parse(control.value));
    } else if (property.type === 'boolean') {
      control = select(name, [['', '—'], ['true', 'true'], ['false', 'false']], property.default !== undefined ? String(property.default) : '');
      read = () => (control.value === '' ? undefined : control.value === 'true');
    } else if (property.type === 'integer' || property.type === 'number') {
      control = h('input', { name, type: 'number', step: property.type === 'integer' ? '1' : 'any', value: property.default ?? '' });
      read = () => (control.value === '' ? undefined : Number(control.value));
    } else if (property.type === 'string') {
      control = h('input', { name, value: property.default ?? '', autocomplete: 'off' });
      read = () => (control.value === '' ? undefined : control.value);
    } else {
      control = h('textarea', { name, rows: '3', spellcheck: 'false', placeholder: 'JSON' });
      read = () => {
        if (control.value.trim() === '') return undefined;
        try { return JSON.parse(control.value); } catch (error) { throw new Error(`${name}: not valid JSON (${error.message})`); }
      };
    }
    readers.push([name, read]);
    return field(label, control, hint || null);
  });
  if (!elements.length && schema.type !== 'object') elements.push(h('p', { class: 'muted' }, 'This tool takes no arguments.'));
  return {
    elements,
    value() {
      const args = {};
      for (const [name, read] of readers) {
        const value = read();
        if (value !== undefined) args[name] = value;
      }
      return args;
    },
  };
}

/** A tool result: its content blocks (text, images, resources) and structured content. */
function renderResult(result) {
  const blocks = (result.content ?? []).map((block) => {
    if (block.type === 'text') return h('pre', { class: 'text-block' }, block.text);
    if (block.type === 'image' && /^image\/(png|jpeg|gif|webp)$/.test(block.mimeType ?? '')) {
      return h('img', { class: 'result', src: `data:${block.mimeType};base64,${block.data}`, alt: 'Image returned by the tool' });
    }
    return json(block);
  });
  return h('div', {},
    result.isError ? h('p', { class: 'error', role: 'alert' }, 'The tool reported an error.') : h('p', { class: 'notice', role: 'status' }, 'Result'),
    blocks,
    result.structuredContent !== undefined ? [h('h3', {}, 'Structured content'), json(result.structuredContent)] : null);
}

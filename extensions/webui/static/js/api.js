// Every request the pages make: the REST API and MCP on the same origin, with the session's
// cookie (sent by the browser) and its CSRF token on every request that changes something.

/** An answer the server refused; `details.field` names the offending field where it says. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || body?.error || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error || String(status);
    this.details = body?.details || {};
  }
}

/** Who is signed in: `{subject, name, method, scopes, csrf_token}`, or null before sign-in; and,
 * before sign-in, the server's other way in: `oauth` = `{start, name}` when it signs in through an
 * authorization server (undefined: not asked since the last sign-in). */
export const session = { current: null, oauth: undefined };

/** Whether the viewer may use an operation that needs `scope`. */
export function can(scope) {
  const scopes = session.current?.scopes || [];
  return scopes.includes('admin') || scopes.includes(scope);
}

/** The page's own listeners for "the session ended" (a 401 after sign-in). */
const signedOutListeners = new Set();
export function onSignedOut(listener) { signedOutListeners.add(listener); }

export async function request(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.current?.csrf_token) headers['X-CSRF-Token'] = session.current.csrf_token;
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { message: text }; }
  }
  if (!response.ok) {
    if (response.status === 401 && session.current) {
      session.current = null;
      session.oauth = undefined;
      signedOutListeners.forEach((listener) => listener());
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);

/** `path` with the query of `params`, leaving out empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, value);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** Asks who the viewer is; null when a sign-in is needed. */
export async function loadSession() {
  const answer = await request('GET', '/session');
  session.current = answer.signed_in === false ? null : answer;
  session.oauth = answer.signed_in === false ? answer.oauth || null : null;
  return session.current;
}

export async function signIn(token) {
  session.current = await request('POST', '/session', { token });
  return session.current;
}

export async function signOut() {
  try { await request('DELETE', '/session'); } finally {
    session.current = null;
    session.oauth = undefined;
  }
}

const MCP_META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} };
let rpcId = 0;

/** Calls an MCP tool over the stateless era of Streamable HTTP; resolves to the call's result. */
export async function callTool(name, args) {
  const headers = {
    Accept: 'application/json, text/event-stream', 'Content-Type': 'application/json',
    'MCP-Protocol-Version': '2026-07-28', 'Mcp-Method': 'tools/call', 'Mcp-Name': name,
  };
  if (session.current?.csrf_token) headers['X-CSRF-Token'] = session.current.csrf_token;
  const response = await fetch('/mcp', {
    method: 'POST', headers, credentials: 'same-origin',
    body: JSON.stringify({ jsonrpc: '2.0', id: ++rpcId, method: 'tools/call', params: { name, arguments: args, _meta: MCP_META } }),
  });
  const text = await response.text();
  let message;
  if ((response.headers.get('Content-Type') || '').startsWith('text/event-stream')) {
    const data = text.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).filter(Boolean);
    message = data.map((line) => JSON.parse(line)).find((item) => item.id !== undefined);
  } else {
    message = text ? JSON.parse(text) : null;
  }
  if (!message) throw new ApiError(response.status, { message: `no answer (HTTP ${response.status})` });
  if (message.error) throw new ApiError(response.status, { error: String(message.error.code), message: message.error.message, details: message.error.data });
  return message.result;
}

// One change stream for the whole page (`GET /changes`); the browser reconnects with
// Last-Event-ID by itself. Pages subscribe while they are shown.
const changeListeners = new Set();
let changes = null;

export function onChange(listener) {
  changeListeners.add(listener);
  if (!changes) {
    changes = new EventSource('/changes');
    const deliver = (event) => {
      let data = {};
      try { data = event.data ? JSON.parse(event.data) : {}; } catch { data = {}; }
      changeListeners.forEach((item) => item(event.type, data));
    };
    for (const name of ['task.created', 'task.updated', 'task.deleted', 'task.status', 'run.started', 'run.finished',
      'step.finished', 'approval.waiting', 'approval.answered', 'extension.state', 'reset']) {
      changes.addEventListener(name, deliver);
    }
  }
  return () => {
    changeListeners.delete(listener);
    if (changeListeners.size === 0 && changes) {
      changes.close();
      changes = null;
    }
  };
}

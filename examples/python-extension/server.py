#!/usr/bin/env python3
"""An Ordinaut subprocess extension in plain Python (standard library only).

It is an ordinary MCP server on stdio (any MCP client could use it) that also speaks Ordinaut's
host methods (protocol/host-protocol.md):

* tools ``add_note`` and ``list_notes`` (Ordinaut lists them as ``ext.py_notes.add_note`` …), a
  prompt ``summarize`` (``ext.py_notes.summarize``) and a resource ``notes://all`` (offered by Ordinaut
  as ``ext://py_notes/notes://all``);
* HTTP routes under ``/ext/py_notes/`` through ``ordinaut/http``: ``GET /notes``, ``POST /notes``;
* ``ordinaut/events/publish`` to announce each note; the manifest subscribes it to ``note.*``, whose
  events arrive as ``ordinaut/event`` requests (``ordinaut/events/subscribe`` adds patterns at run time).
"""
import json
import sys
import threading

notes = []
received = []
lock = threading.Lock()
write_lock = threading.Lock()
pending = {}
next_id = [0]
grants = set()

TOOLS = [
    {"name": "add_note", "description": "Stores a note and publishes event note.added.",
     "inputSchema": {"type": "object", "required": ["text"], "additionalProperties": False,
                     "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 10000}}}},
    {"name": "list_notes", "description": "Returns every note, and the events this extension has received.",
     "inputSchema": {"type": "object", "additionalProperties": False, "properties": {}}},
]


def send(message):
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with write_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def call_host(method, params, timeout=10):
    """Sends a request to the Ordinaut host and waits for its answer."""
    with lock:
        next_id[0] += 1
        request_id = "ext-%d" % next_id[0]
        done = threading.Event()
        pending[request_id] = [done, None]
    send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
    if not done.wait(timeout):
        raise RuntimeError("the host did not answer %s" % method)
    with lock:
        answer = pending.pop(request_id)[1]
    if "error" in answer:
        raise RuntimeError(answer["error"].get("message", "host error"))
    return answer["result"]


def add_note(text):
    with lock:
        notes.append(text)
        count = len(notes)
    event = None
    if "EVENTS_PUB" in grants:
        event = call_host("ordinaut/events/publish", {"name": "note.added", "payload": {"text": text, "count": count}})["event"]
    return {"count": count, "event_id": event["id"] if event else None}


def list_notes():
    with lock:
        return {"notes": list(notes), "received_events": list(received)}


def tool_result(value):
    return {"content": [{"type": "text", "text": json.dumps(value)}], "structuredContent": value}


def handle_http(params):
    method, path = params["method"], params["path"]
    if path == "/notes" and method == "GET":
        return {"status": 200, "json": list_notes()}
    if path == "/notes" and method == "POST":
        try:
            body = json.loads(params.get("body") or "null")
            text = body["text"]
            if not isinstance(text, str) or not text:
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return {"status": 400, "json": {"error": "invalid_body", "message": "send {\"text\": \"...\"}"}}
        return {"status": 201, "json": add_note(text)}
    return {"status": 404, "json": {"error": "not_found", "message": "no route %s %s" % (method, path)}}


def handle(message):
    method = message.get("method")
    params = message.get("params") or {}
    if method == "initialize":
        host = (params.get("capabilities", {}).get("experimental") or {}).get("ordinaut/host") or {}
        grants.update(host.get("grants", []))
        return {"protocolVersion": params.get("protocolVersion", "2025-11-25"),
                "capabilities": {"tools": {}, "prompts": {}, "resources": {}},
                "serverInfo": {"name": "py-notes", "version": "1.0.0"}}
    if method == "ping":
        return {}
    if method == "tools/list":
        return {"tools": TOOLS}
    if method == "tools/call":
        name, arguments = params.get("name"), params.get("arguments") or {}
        if name == "add_note":
            return tool_result(add_note(arguments["text"]))
        if name == "list_notes":
            return tool_result(list_notes())
        return {"content": [{"type": "text", "text": "unknown tool %s" % name}], "isError": True}
    if method == "prompts/list":
        return {"prompts": [{"name": "summarize", "description": "Asks for a summary of the notes.",
                             "arguments": [{"name": "style", "description": "e.g. terse", "required": False}]}]}
    if method == "prompts/get":
        style = (params.get("arguments") or {}).get("style", "plain")
        with lock:
            text = "Summarize these notes (%s): %s" % (style, "; ".join(notes) or "(none)")
        return {"messages": [{"role": "user", "content": {"type": "text", "text": text}}]}
    if method == "resources/list":
        return {"resources": [{"uri": "notes://all", "name": "All notes", "mimeType": "application/json"}]}
    if method == "resources/read":
        if params.get("uri") != "notes://all":
            raise LookupError(params.get("uri"))
        return {"contents": [{"uri": "notes://all", "mimeType": "application/json", "text": json.dumps(list_notes()["notes"])}]}
    if method == "ordinaut/http":
        return handle_http(params)
    if method == "ordinaut/event":
        with lock:
            received.append(params["event"])
        return {}
    raise LookupError(method)


def serve(message):
    try:
        result = handle(message)
        send({"jsonrpc": "2.0", "id": message["id"], "result": result})
    except LookupError:
        send({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "method not found"}})
    except Exception as error:  # a failed call is answered, never fatal
        send({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32603, "message": str(error)}})


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if "method" not in message:  # a response to one of our requests
            with lock:
                slot = pending.get(message.get("id"))
                if slot:
                    slot[1] = message
                    slot[0].set()
            continue
        if "id" in message:
            threading.Thread(target=serve, args=(message,), daemon=True).start()


if __name__ == "__main__":
    main()

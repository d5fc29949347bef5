"""Validation of every message Ordinaut sends against the revision's official JSON Schema."""
import json
import pathlib

import jsonschema

SHARED = pathlib.Path(__file__).resolve().parents[3] / "shared" / "mcp"

RESULT_TYPES = {
    "initialize": "InitializeResult",
    "server/discover": "DiscoverResult",
    "tools/list": "ListToolsResult",
    "tools/call": "CallToolResult",
    "resources/list": "ListResourcesResult",
    "resources/templates/list": "ListResourceTemplatesResult",
    "resources/read": "ReadResourceResult",
    "prompts/list": "ListPromptsResult",
    "prompts/get": "GetPromptResult",
    "completion/complete": "CompleteResult",
    "subscriptions/listen": "SubscriptionsListenResult",
}

_schemas: dict = {}


def available() -> bool:
    return (SHARED / "2025-11-25" / "schema.json").exists() and (SHARED / "2026-07-28" / "schema.json").exists()


def _validator(revision: str, definition: str):
    key = (revision, definition)
    if key not in _schemas:
        document = json.loads((SHARED / revision / "schema.json").read_text())
        schema = {"$schema": document.get("$schema"), "$defs": document["$defs"], "$ref": f"#/$defs/{definition}"}
        _schemas[key] = jsonschema.Draft202012Validator(schema)
    return _schemas[key]


def check(revision: str, message: dict, method: str | None) -> list[str]:
    """Every schema violation of one server message; `method` is the request it answers, if any."""
    if "method" in message:
        definition = "ServerRequest" if "id" in message else "ServerNotification"
        if definition == "ServerRequest" and revision == "2026-07-28":
            return ["a 2026-07-28 server must not send requests"]
    elif "error" in message:
        definition = "JSONRPCErrorResponse"
        if message.get("id", 0) is None:
            # JSON-RPC 2.0 requires "id": null when the id could not be read; the MCP schema only
            # allows leaving it out. Ordinaut follows JSON-RPC; everything else must still match.
            message = {k: v for k, v in message.items() if k != "id"}
    else:
        result = message.get("result", {})
        if revision == "2026-07-28" and result.get("resultType") == "input_required":
            definition = "InputRequiredResult"
        else:
            definition = RESULT_TYPES.get(method or "", "Result")
        errors = [f"{method}: {e.json_path}: {e.message}" for e in _validator(revision, definition).iter_errors(result)]
        errors += [f"{method}: envelope: {e.message}" for e in _validator(revision, "JSONRPCResultResponse").iter_errors(message)]
        if revision == "2026-07-28" and "resultType" not in result:
            errors.append(f"{method}: result has no resultType")
        return errors
    return [f"{message.get('method', 'error')}: {e.json_path}: {e.message}" for e in _validator(revision, definition).iter_errors(message)]


class Recorder:
    """Collects the messages of one conversation and validates them at the end."""

    def __init__(self) -> None:
        self.client: list[dict] = []
        self.server: list[dict] = []

    def from_client(self, message: dict) -> None:
        self.client.append(message)

    def from_server(self, message: dict) -> None:
        self.server.append(message)

    def violations(self) -> list[str]:
        methods = {}
        request_revisions = {}
        for message in self.client:
            if "id" in message and "method" in message:
                key = json.dumps(message["id"])
                methods[key] = message["method"]
                meta = (message.get("params") or {}).get("_meta") or {}
                request_revisions[key] = meta.get("io.modelcontextprotocol/protocolVersion")
        # A conversation that opened with initialize is in the negotiated session revision; one that
        # did not is stateless. Responses follow the revision their request declared.
        conversation = "2026-07-28"
        for message in self.server:
            if methods.get(json.dumps(message.get("id"))) == "initialize" and "result" in message:
                negotiated = message["result"].get("protocolVersion")
                conversation = "2025-11-25" if negotiated != "2026-07-28" else negotiated
        problems = []
        for message in self.server:
            key = json.dumps(message.get("id"))
            revision = request_revisions.get(key) if "method" not in message else None
            problems += check(revision if revision in ("2025-11-25", "2026-07-28") else conversation, message, methods.get(key))
        return problems

    def load_log(self, path: pathlib.Path) -> None:
        for line in path.read_text(encoding="utf-8").splitlines():
            tag, _, text = line.partition(" ")
            try:
                message = json.loads(text)
            except ValueError:
                continue
            (self.from_client if tag == "C" else self.from_server)(message)

"""A stand-in for stripe-mock, for tests on a machine with neither its binary nor Docker.

It does what the harness relies on stripe-mock for, the way stripe-mock does it: every
request's parameters are validated against the JSON Schema Stripe's OpenAPI spec gives
them (``tests/data/stripe_mock/endpoints.json``, spec 2023-08-16), a rejected one gets a
400 ``invalid_request_error`` naming the parameter, and an accepted one gets Stripe's
fixture of the object with the path's id and the request's matching fields reflected.
Like stripe-mock it keeps no state. It is not stripe-mock: its messages are Stripe's
wording, not stripe-mock's, and it knows only the operations the scenarios call.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SPEC = json.loads((Path(__file__).parent / "data" / "stripe_mock" / "endpoints.json").read_text())
_KEY = re.compile(r"([^\[\]]+)|\[([^\[\]]*)\]")


class Rejected(Exception):
    """A parameter the spec does not allow; the message is what the 400 says."""


def _route(method: str, path: str) -> tuple[dict[str, Any], str | None] | None:
    for endpoint in SPEC["endpoints"]:
        if endpoint["method"] != method:
            continue
        pattern = "^" + re.sub(r"\{[^}]+\}", "([^/]+)", endpoint["path"]) + "$"
        if found := re.match(pattern, path):
            return endpoint, (found.group(1) if found.groups() else None)
    return None


def nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """``a[b][0]=x`` form pairs as nested dicts; list indexes stay dict keys until validation."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        tokens = [a or b for a, b in _KEY.findall(key)]
        node = root
        for i, token in enumerate(tokens[:-1]):
            nxt = tokens[i + 1]
            node = node.setdefault(token, [] if nxt == "" else {})
            if isinstance(node, list):  # a[]=x
                break
        if isinstance(node, list):
            node.append(value)
        else:
            node[tokens[-1]] = value
    return root


def validate(value: Any, schema: dict[str, Any], name: str) -> None:
    """Raise :class:`Rejected` unless the form value fits ``schema`` (values arrive as strings)."""
    if "anyOf" in schema:
        errors = []
        for branch in schema["anyOf"]:
            try:
                validate(value, branch, name)
                return
            except Rejected as exc:
                errors.append(str(exc))
        raise Rejected(errors[0])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if not isinstance(value, dict):
            raise Rejected(f"Invalid object: {name} must be a hash, got {value!r}")
        # Stripe rejects an unknown nested parameter too, though the spec marks only the top level closed.
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", not props)
        for key, item in value.items():
            child = f"{name}[{key}]" if name else key
            if key in props:
                validate(item, props[key], child)
            elif extra is False:
                raise Rejected(f"Received unknown parameter: {child}")
            elif isinstance(extra, dict):
                validate(item, extra, child)
        for key in schema.get("required", []):
            if key not in value:
                raise Rejected(f"Missing required param: {f'{name}[{key}]' if name else key}.")
    elif kind == "array":
        items = list(value.values()) if isinstance(value, dict) and all(k.isdigit() for k in value) else value
        if not isinstance(items, list):
            raise Rejected(f"Invalid array: {name} must be an array")
        for i, item in enumerate(items):
            validate(item, schema.get("items", {}), f"{name}[{i}]")
    elif kind == "integer" and not (isinstance(value, str) and re.fullmatch(r"-?\d+", value)):
        raise Rejected(f"Invalid integer: {value!r} for {name}")
    elif kind == "boolean" and value not in ("true", "false"):
        raise Rejected(f"Invalid boolean: {value!r} for {name}")
    elif kind == "string" and not isinstance(value, str):
        raise Rejected(f"Invalid string: {name} must be a string")
    if "enum" in schema and value not in schema["enum"]:
        raise Rejected(f"Invalid {name}: must be one of {', '.join(map(str, schema['enum']))}")


def _reflect(target: dict[str, Any], params: dict[str, Any]) -> None:
    """stripe-mock's data replacer: request values replace the fixture's where the keys match."""
    for key, value in params.items():
        if key not in target:
            continue
        if isinstance(value, dict) and isinstance(target[key], dict):
            if key == "metadata":
                target[key] = dict(value)
            else:
                _reflect(target[key], value)
        elif isinstance(value, str) and (target[key] is None or isinstance(target[key], str)):
            target[key] = value
        elif isinstance(value, str) and isinstance(target[key], bool) and value in ("true", "false"):
            target[key] = value == "true"
        elif isinstance(value, str) and isinstance(target[key], int) and re.fullmatch(r"-?\d+", value):
            target[key] = int(value)


def answer(method: str, url: str, body: str) -> tuple[int, dict[str, Any]]:
    """Status and JSON body for one request, as stripe-mock would give them."""
    parts = urlsplit(url)
    found = _route(method, parts.path)
    if found is None:
        return 404, _error(f"Unrecognized request URL ({method}: {parts.path}).")
    endpoint, path_id = found
    pairs = parse_qsl(body if method == "POST" else parts.query, keep_blank_values=True)
    params = nest(pairs)
    try:
        validate(params, endpoint["params"], "")
    except Rejected as exc:
        return 400, _error(str(exc), param=re.sub(r"^.*?: ", "", str(exc)).rstrip("."))
    if "list_of" in endpoint:
        item = copy.deepcopy(SPEC["fixtures"][endpoint["list_of"]])
        return 200, {"object": "list", "data": [item], "has_more": False, "url": parts.path}
    obj = copy.deepcopy(SPEC["fixtures"][endpoint["object"]])
    if path_id:  # every operation here answers with the object its path names
        obj["id"] = path_id
    _reflect(obj, params)
    return 200, obj


def _error(message: str, param: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": "invalid_request_error", "message": message}
    if param:
        error["param"] = param
    return {"error": error}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Quiet: a test's output is its own."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        if not (self.headers.get("Authorization") or "").startswith("Bearer sk_test_"):
            status, payload = 401, _error("You did not provide an API key.")
        else:
            status, payload = answer(self.command, self.path, body)
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_DELETE = _handle


@contextmanager
def serving() -> Iterator[str]:
    """The stand-in on 127.0.0.1 and a free port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

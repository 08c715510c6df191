"""Is a parsed cassette file shaped like a cassette? The first problem, by its place in the file.

vcrpy trusts its own files: a hand-edited or truncated cassette fails deep inside replay
with a bare ``KeyError: 'status'`` and no path. Checking the parsed document once, at
load time, turns each such damage into one sentence that names where it is.
"""

from __future__ import annotations

from typing import Any


def kind(value: Any) -> str:
    """The value and its type, or only its type when the value is long."""
    return f"{value!r} ({type(value).__name__})" if len(repr(value)) <= 40 else type(value).__name__


def _request_problem(where: str, request: Any) -> str | None:
    if not isinstance(request, dict):
        return f"{where} is {kind(request)}, not a mapping"
    for key in ("method", "uri"):
        if not isinstance(request.get(key), str):
            return f"{where}.{key} is {'missing' if key not in request else kind(request[key])}, not a string"
    headers = request.get("headers", {})
    if not isinstance(headers, dict):
        return f"{where}.headers is {kind(headers)}, not a mapping"
    return None


def _response_problem(where: str, response: Any) -> str | None:
    if not isinstance(response, dict):
        return f"{where} is {kind(response)}, not a mapping"
    status = response.get("status")
    code = status.get("code") if isinstance(status, dict) else None
    if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599:
        found = "missing" if not isinstance(status, dict) or "code" not in status else kind(code)
        return f"{where}.status.code is {found}, not an integer HTTP status"
    headers = response.get("headers", {})
    # YAML reads an unquoted header value such as 2022-11-15 as a date: any scalar is a value.
    if not isinstance(headers, dict) or not all(
        isinstance(values, list) and not any(isinstance(v, dict | list) or v is None for v in values)
        for values in headers.values()
    ):
        return f"{where}.headers must map each header name to a list of values"
    body = response.get("body", {})
    if not isinstance(body, dict) or not isinstance(body.get("string", ""), str | bytes):
        return f"{where}.body must be a mapping whose 'string' is the response text"
    return None


def shape_problem(data: Any) -> str | None:
    """What is wrong with a parsed cassette document, or None when it can be replayed.

    The harness's own entries inside ``metadata`` are checked by the store, which owns them.
    """
    if not isinstance(data, dict) or not isinstance(data.get("interactions"), list):
        return "it has no 'interactions' list"
    for index, interaction in enumerate(data["interactions"]):
        where = f"interactions[{index}]"
        if not isinstance(interaction, dict):
            return f"{where} is {kind(interaction)}, not a mapping"
        problem = _request_problem(f"{where}.request", interaction.get("request")) or _response_problem(
            f"{where}.response", interaction.get("response")
        )
        if problem:
            return problem
    metadata = data.get("metadata", {})
    return None if isinstance(metadata, dict) else f"metadata is {kind(metadata)}, not a mapping"

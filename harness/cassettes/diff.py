"""What changed, semantically, between two recordings of one scenario.

Re-recording always changes bytes: object ids, timestamps, request ids and recording
dates are new every time. What a reviewer needs to know is whether the *conversation*
changed: a request added, dropped or sent with other parameters, a status code, a field
Stripe added, removed or retyped in a response or an event. Responses are compared by
shape (JSON paths and their types, list items merged), never by value, so a new id is
not a difference and a field turning from string to object is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..contracts.validate import json_type
from .store import CassetteFile

#: Stripe object ids (``cus_…``, ``in_…``, ``req_…``) and Unix timestamps: new on every recording.
_ID = re.compile(r"\b[a-z]{2,6}_[A-Za-z0-9]{14,}\b")
_TIMESTAMP = re.compile(r"\b1\d{9}\b")
#: Metadata that says when, not what.
_VOLATILE_METADATA = frozenset({"recorded_at"})


def normalise(text: str) -> str:
    """``text`` with ids and timestamps replaced by stand-ins."""
    return _TIMESTAMP.sub("<time>", _ID.sub(lambda m: m[0].split("_", 1)[0] + "_*", text))


def describe_request(method: str, uri: str, body: Any) -> str:
    """``POST /v1/invoices customer=cus_*&…`` with parameters sorted and volatile values normalised."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    parts = urlsplit(uri)
    params = sorted(parse_qsl(parts.query, keep_blank_values=True) + parse_qsl(body or "", keep_blank_values=True))
    text = f"{method} {parts.path}" + ("?" + "&".join(f"{k}={v}" for k, v in params) if params else "")
    return normalise(text)


def shape(node: Any, path: str = "$") -> dict[str, str]:
    """Every JSON path in ``node`` and its type; list items share one ``[]`` path."""
    if isinstance(node, dict):
        out = {path: "object"}
        for key, value in node.items():
            out.update(shape(value, f"{path}.{key}"))
        return out
    if isinstance(node, list):
        out = {path: "array"}
        for item in node:
            for sub, kind in shape(item, f"{path}[]").items():
                # items of one list may differ (null here, object there): keep every type seen
                out[sub] = kind if out.get(sub) in (None, kind) else "|".join(sorted({*out[sub].split("|"), kind}))
        return out
    return {path: json_type(node)}


def _body(response: dict[str, Any]) -> Any:
    raw = response.get("body", {}).get("string", b"")
    try:
        return json.loads(raw)
    except ValueError:
        return raw if isinstance(raw, str) else raw.decode("utf-8", "replace")


def shape_changes(where: str, old: Any, new: Any) -> list[str]:
    """Fields added, removed and retyped between two JSON values, one line each."""
    before, after = shape(old), shape(new)
    lines = [f"{where}: field added {p} ({after[p]})" for p in after if p not in before]
    lines += [f"{where}: field removed {p} ({before[p]})" for p in before if p not in after]
    retyped = [p for p in before if p in after and before[p] != after[p]]
    lines += [f"{where}: field retyped {p}: {before[p]} -> {after[p]}" for p in retyped]
    return lines


def _metadata_changes(old: CassetteFile, new: CassetteFile) -> list[str]:
    before = old.metadata.to_dict() if old.metadata else {}
    after = new.metadata.to_dict() if new.metadata else {}
    return [
        f"metadata {key}: {before.get(key)!r} -> {after.get(key)!r}"
        for key in sorted(before.keys() | after.keys())
        if key not in _VOLATILE_METADATA and before.get(key) != after.get(key)
    ]


def _interaction_changes(old: CassetteFile, new: CassetteFile) -> list[str]:
    lines = []
    for index in range(max(len(old.interactions), len(new.interactions))):
        if index >= len(new.interactions):
            req = old.interactions[index][0]
            lines.append(f"request {index + 1} removed: {describe_request(req.method, req.uri, req.body)}")
            continue
        if index >= len(old.interactions):
            req = new.interactions[index][0]
            lines.append(f"request {index + 1} added: {describe_request(req.method, req.uri, req.body)}")
            continue
        (old_req, old_resp), (new_req, new_resp) = old.interactions[index], new.interactions[index]
        before = describe_request(old_req.method, old_req.uri, old_req.body)
        after = describe_request(new_req.method, new_req.uri, new_req.body)
        if before != after:
            lines.append(f"request {index + 1} changed: {before} -> {after}")
        where = f"response {index + 1} ({after})"
        if old_resp["status"]["code"] != new_resp["status"]["code"]:
            lines.append(f"{where}: status {old_resp['status']['code']} -> {new_resp['status']['code']}")
        lines += shape_changes(where, _body(old_resp), _body(new_resp))
    return lines


def _event_changes(old: CassetteFile, new: CassetteFile) -> list[str]:
    before = [e.get("type") for e in old.events]
    after = [e.get("type") for e in new.events]
    if before != after:
        return [f"events changed: {before} -> {after}"]
    return [
        line
        for index, (a, b) in enumerate(zip(old.events, new.events, strict=True))
        for line in shape_changes(f"event {index + 1} ({a.get('type')})", a, b)
    ]


def diff_cassettes(old_path: Path, new_path: Path) -> list[str]:
    """Every semantic difference between two cassettes; empty when they tell the same story."""
    old, new = CassetteFile.read(old_path), CassetteFile.read(new_path)
    return [*_metadata_changes(old, new), *_interaction_changes(old, new), *_event_changes(old, new)]

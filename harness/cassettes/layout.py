"""The text of a cassette file: a vcrpy JSON cassette laid out one interaction, and one event, per line.

vcrpy's JSON serializer indents everything by four, so a cassette was mostly whitespace
and each body one long escaped string. With bodies stored as a base plus changes, a line
per interaction reads as "this request, this status, these headers, this base with these
fields changed"; a re-recording shows in ``git diff`` as the lines of the interactions that
changed, and ``git diff --word-diff`` narrows each to the fields. The keys and their order
are vcrpy's own (``version``, ``interactions``, ``metadata``), so any JSON reader, and
vcrpy itself once the references are resolved, reads the file.
"""

from __future__ import annotations

import json
from typing import Any


def _lines(items: list[Any], indent: str) -> str:
    if not items:
        return "[]"
    inner = ",\n".join(f"{indent} {json.dumps(item)}" for item in items)
    return f"[\n{inner}\n{indent}]"


def cassette_text(data: dict[str, Any]) -> str:
    """``data`` (a serialized vcrpy cassette) as file text; ``json.loads`` of it gives ``data`` back."""
    parts = [f' "{key}": {json.dumps(value)}' for key, value in data.items() if key not in ("interactions", "metadata")]
    parts.append(f' "interactions": {_lines(data["interactions"], " ")}')
    if "metadata" in data:
        entries = [
            f'  {json.dumps(key)}: {_lines(value, "  ") if isinstance(value, list) else json.dumps(value)}'
            for key, value in data["metadata"].items()
        ]
        parts.append(' "metadata": {\n' + ",\n".join(entries) + "\n }")
    return "{\n" + ",\n".join(parts) + "\n}\n"

"""The encodings a secret meets on its way into a recording, and an independent way to undo them.

Shared by the secret tests. ``decoded_forms`` is written with the standard library
(``urllib.parse.unquote``, ``json``-style escapes) rather than the harness's own
decoder, so a test that checks a secret is gone does not trust the code under test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote

_JSON_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\([\"\\/bfnrt])")
_SHORT = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _every_char_percent(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


def _every_char_unicode_escape(text: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in text)


def _nested_json(text: str) -> str:
    """The text as a string in a JSON document that is itself kept as a JSON string."""
    return json.dumps(json.dumps({"note": text}))[1:-1]


#: Name -> encoder. Each returns text that decodes back to its input.
ENCODINGS: dict[str, Callable[[str], str]] = {
    "plain": lambda text: text,
    "form (quote_plus)": quote_plus,
    "percent, nothing safe": lambda text: quote(text, safe=""),
    "every character percent-encoded": _every_char_percent,
    "JSON string": lambda text: json.dumps(text)[1:-1],
    "every character \\u-escaped": _every_char_unicode_escape,
    "JSON string inside a JSON string": _nested_json,
    "percent-encoded JSON string": lambda text: quote(json.dumps(text)[1:-1], safe=""),
}


def _json_unescaped(text: str) -> str:
    return _JSON_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else _SHORT[m[2]], text)


def decoded_forms(text: str) -> set[str]:
    """``text`` and everything reached by undoing percent and JSON escapes, up to four layers deep."""
    forms, frontier = {text}, {text}
    for _ in range(4):
        frontier = {undo(form) for form in frontier for undo in (unquote, _json_unescaped)} - forms
        forms |= frontier
    return forms


def holds(text: str, secret: str) -> bool:
    """Whether ``secret`` can still be read from ``text`` after undoing its encodings."""
    return any(secret in form for form in decoded_forms(text))

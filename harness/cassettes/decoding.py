"""Views of a text with its escapes undone, every character traced back to where it came from.

A secret in a recording is rarely written plainly: a form value percent-encodes what
surrounds it (``token%3Dsk_live_…``) or the key itself (``sk%5Flive%5F…``), a JSON body
escapes it (``\\u005f``), and a JSON document kept as a string inside another one escapes
it twice. Matching the raw text would miss all of these, and undoing the escapes in a
copy would lose where to write the placeholder. A :class:`View` is the text with one more
layer of escapes undone, plus, for each of its characters, the span of the original text
it stands for, so a match in any view can be replaced in the original, in its own
encoding, leaving everything around it byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: ``%XX`` (URL and form encoding), ``\\uXXXX`` and the short JSON escapes.
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})|\\u([0-9A-Fa-f]{4})|\\([\"\\/bfnrt])")
_SHORT = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
#: Layers undone at most: a JSON string inside a JSON body inside a form value is three.
MAX_LAYERS = 4


@dataclass(frozen=True)
class View:
    """``text`` with some layers of escapes undone; ``starts[i]:ends[i]`` is where ``text[i]`` came from."""

    text: str
    starts: list[int]
    ends: list[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that ``self.text[start:end]`` (non-empty) was decoded from."""
        return self.starts[start], self.ends[end - 1]


def _identity(text: str) -> View:
    return View(text, list(range(len(text))), list(range(1, len(text) + 1)))


def _decoded(char: re.Match[str]) -> str:
    percent, unicode, short = char.groups()
    if percent is not None:
        # One byte as one character: secrets are ASCII, so a multi-byte UTF-8 sequence only
        # has to stay a non-letter, not become the right letter.
        return chr(int(percent, 16))
    if unicode is not None:
        return chr(int(unicode, 16))
    return _SHORT[short]


def _undo_one_layer(view: View) -> View | None:
    """``view`` with every escape in it undone once, or None when it holds none."""
    text, starts, ends = [], [], []
    done = 0
    for escape in _ESCAPE.finditer(view.text):
        begin, stop = escape.span()
        text.append(view.text[done:begin])
        starts += view.starts[done:begin]
        ends += view.ends[done:begin]
        text.append(_decoded(escape))
        starts.append(view.starts[begin])
        ends.append(view.ends[stop - 1])
        done = stop
    if not done:
        return None
    text.append(view.text[done:])
    starts += view.starts[done:]
    ends += view.ends[done:]
    return View("".join(text), starts, ends)


def views(text: str) -> Iterator[View]:
    """``text`` itself, then with one, two … layers of escapes undone, until none is left."""
    view: View | None = _identity(text)
    for _ in range(MAX_LAYERS + 1):
        if view is None:
            return
        yield view
        view = _undo_one_layer(view) if ("%" in view.text or "\\" in view.text) else None

"""How a replayed request is matched to a recorded one.

Matching is vcrpy's (``method``, ``path``, ``query``) plus a form-body matcher that
knows two things vcrpy cannot: stripe-python 12.0.1 started encoding booleans as
``true``/``false`` where older releases send ``True``/``False``, and parameter order
carries no meaning. Volatile headers (Idempotency-Key, User-Agent, telemetry) are never
compared: the library randomises some of them on every call.
"""

from __future__ import annotations

import functools
from urllib.parse import parse_qsl

from vcr import matchers
from vcr.request import Request as VcrRequest

_BOOLEANS = {"True": "true", "False": "false"}


@functools.lru_cache(maxsize=4096)
def normalized_form(body: bytes | str | None) -> tuple[tuple[str, str], ...]:
    """The body's form pairs, sorted, with booleans in one spelling.

    Cached: replay compares each request against every recorded one, so the same few
    bodies are parsed over and over.
    """
    if not body:
        return ()
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    pairs = parse_qsl(text, keep_blank_values=True)
    return tuple(sorted((key, _BOOLEANS.get(value, value)) for key, value in pairs))


def stripe_form_body(r1: VcrRequest, r2: VcrRequest) -> None:
    """vcrpy matcher: equal when the form bodies carry the same parameters."""
    left, right = normalized_form(r1.body), normalized_form(r2.body)
    if left != right:
        only_left = sorted(set(left) - set(right))
        only_right = sorted(set(right) - set(left))
        msg = f"body differs: sent {only_left} but recorded {only_right}"
        raise AssertionError(msg)


#: The matchers every replay uses, in the order their results are reported.
MATCH_ON = (matchers.method, matchers.path, matchers.query, stripe_form_body)

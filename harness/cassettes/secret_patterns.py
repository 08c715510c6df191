"""Every kind of secret the harness knows, found the same way by the scrubber and the scan.

One list, so that what the recorder removes and what ``stripe-compat cassettes scan``
refuses cannot drift apart. Each kind is a pattern whose ``secret`` group is the part
replaced by a placeholder; a placeholder is never a finding, so scrubbing twice changes
nothing and a scrubbed cassette scans clean.

Boundaries are written for encoded text, not prose: ``\\b`` fails wherever a key follows
a letter or digit that an escape left behind (``%3Dsk_live_…``, ``\\nsk_live_…``), so a
key needs only to not follow a letter, and every match is tried in each decoded
:func:`~harness.cassettes.decoding.views` of the text as well, which turns
``token%3Dsk%5Flive%5F…`` into ``token=sk_live_…`` before matching.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .decoding import View, views

REDACTED = "REDACTED"
#: The scrubber's placeholder and Stripe's documentation stand-in are no secret.
_NOT_PLACEHOLDER = r"(?!(?:REDACTED|YOUR_SECRET_KEY)(?![A-Za-z0-9]))"
#: A key or id starts anywhere but inside a word: after ``=``, ``"``, a digit, ``x_`` …
_START = r"(?<![A-Za-z])"
#: RFC 2606 names reserved for documentation; RFC 6761 reserves the TLDs.
_PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
_PLACEHOLDER_TLDS = frozenset({"test", "example", "invalid", "localhost"})


def is_placeholder_domain(domain: str) -> bool:
    """True for ``example.com``, ``mail.example.org``, ``x.test`` …, never for ``myexample.com``."""
    domain = domain.lower().rstrip(".")
    if domain.rsplit(".", 1)[-1] in _PLACEHOLDER_TLDS:
        return True
    return any(domain == d or domain.endswith("." + d) for d in _PLACEHOLDER_DOMAINS)


def _redacted(_: re.Match[str]) -> str:
    return REDACTED


def _email_placeholder(match: re.Match[str]) -> str:
    """A stable stand-in: the same address always becomes the same placeholder, so replay matches."""
    digest = hashlib.sha256(f"{match['local']}@{match['domain']}".lower().encode()).hexdigest()[:12]
    return f"redacted-{digest}@example.com"


def _email_is_placeholder(match: re.Match[str]) -> bool:
    return is_placeholder_domain(match["domain"])


@dataclass(frozen=True)
class SecretKind:
    """One kind of secret: how to find it, what replaces it, and whether it is a credential.

    Credentials are also masked in test output (:mod:`harness.output_masking`); personal data
    such as e-mail addresses only has to stay out of recordings.
    """

    name: str
    pattern: re.Pattern[str]
    placeholder: Callable[[re.Match[str]], str] = _redacted
    credential: bool = True
    is_placeholder: Callable[[re.Match[str]], bool] = lambda _: False


def _key(prefixes: str) -> re.Pattern[str]:
    return re.compile(rf"{_START}(?:{prefixes})_(?P<secret>{_NOT_PLACEHOLDER}[A-Za-z0-9]{{4,}})")


KINDS: tuple[SecretKind, ...] = (
    SecretKind("API key", _key("(?:sk|rk)_(?:test|live)")),
    SecretKind("ephemeral key", _key("ek_(?:test|live)")),
    SecretKind("webhook secret", _key("whsec")),
    SecretKind(
        "client secret",
        re.compile(
            rf"{_START}(?:seti|pi|src|pm|cs(?:_(?:test|live))?)_[A-Za-z0-9]+_secret_"
            rf"(?P<secret>{_NOT_PLACEHOLDER}[A-Za-z0-9]+)"
        ),
    ),
    # Last: a Bearer value that is a key is already a placeholder when this runs.
    SecretKind(
        "credential",
        re.compile(
            rf"(?i){_START}(?:bearer|basic)[\s+]+"
            rf"(?P<secret>(?![A-Za-z0-9_\-.=+/]*{REDACTED})"
            rf"{_NOT_PLACEHOLDER}[A-Za-z0-9_\-.=+/]{{12,}})"
        ),
    ),
    SecretKind(
        "e-mail address outside the reserved example domains",
        re.compile(
            r"(?<![A-Za-z0-9._+-])(?P<secret>(?P<local>[A-Za-z0-9._+-]+)@"
            r"(?P<domain>[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}))(?![A-Za-z0-9-])"
        ),
        placeholder=_email_placeholder,
        credential=False,
        is_placeholder=_email_is_placeholder,
    ),
)
CREDENTIALS = tuple(kind for kind in KINDS if kind.credential)
#: What every kind above needs to find in plain text, or an escape that may hide it: most
#: strings in a cassette hold neither, and skipping them keeps a scan of 35 MB fast.
_CLUE = re.compile(r"(?i)[sre]k_|whsec_|_secret_|@|bearer|basic|%|\\")


def _could_hold_secret(text: str) -> bool:
    """False when no kind can match ``text`` in any of its views (a cheap first look)."""
    return _CLUE.search(text) is not None


@dataclass(frozen=True)
class Hit:
    """One secret in a text: where it is in the original, its decoded value, and what replaces it."""

    kind: SecretKind
    start: int
    end: int
    value: str
    replacement: str


def _encoded_like(placeholder: str, view: View, start: int, end: int, original: str) -> str:
    """``placeholder`` with each punctuation character written the way the secret wrote it (``@`` as ``%40``)."""
    spelled: dict[str, str] = {}
    for index in range(start, end):
        char = view.text[index]
        if not char.isalnum():
            spelled.setdefault(char, original[view.starts[index] : view.ends[index]])
    return "".join(spelled.get(char, char) for char in placeholder)


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """Whether ``[start, end)`` meets one of ``taken``: disjoint spans, sorted, so only one can."""
    before = bisect.bisect_left(taken, (end, -1))  # the spans that start before ``end``
    return before > 0 and taken[before - 1][1] > start


def find(kind: SecretKind, text: str, layers: list[View] | None = None) -> list[Hit]:
    """Every ``kind`` secret in ``text``, in any of its decoded views, in order, none overlapping.

    The most decoded view wins a conflict: in ``\\njane@bigcorp.io`` the address starts
    after the escape, not at its ``n``. ``layers`` are ``text``'s views, when already known.
    """
    found: list[Hit] = []
    taken: list[tuple[int, int]] = []
    for view in reversed(layers or list(views(text))):
        for match in kind.pattern.finditer(view.text):
            if kind.is_placeholder(match):
                continue
            start, end = view.original_span(*match.span("secret"))
            if _overlaps(start, end, taken):
                continue
            replacement = _encoded_like(kind.placeholder(match), view, *match.span("secret"), text)
            found.append(Hit(kind, start, end, match[0], replacement))
            bisect.insort(taken, (start, end))
    return sorted(found, key=lambda hit: hit.start)


def replace_all(text: str, kinds: tuple[SecretKind, ...] = KINDS) -> str:
    """``text`` with every secret of ``kinds`` replaced by its placeholder, everything else untouched.

    Kinds are replaced one after the other, in order, so a later kind sees the earlier
    ones' placeholders (``Bearer sk_live_REDACTED`` is no credential any more).
    """
    if not _could_hold_secret(text):
        return text
    layers: list[View] | None = None
    for kind in kinds:
        layers = layers or list(views(text))
        found = find(kind, text, layers)
        if not found:
            continue
        pieces, done = [], 0
        for hit in found:
            pieces += [text[done : hit.start], hit.replacement]
            done = hit.end
        text, layers = "".join(pieces) + text[done:], None
    return text


def mask_credentials(text: str) -> str:
    """``text`` with every credential masked and personal data left: for messages, reprs and test output."""
    return replace_all(text, CREDENTIALS)


def hits(text: str) -> Iterator[Hit]:
    """Every secret of every kind in ``text``."""
    if not _could_hold_secret(text):
        return
    layers = list(views(text))
    for kind in KINDS:
        yield from find(kind, text, layers)

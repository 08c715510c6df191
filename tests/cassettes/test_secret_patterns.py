"""The secrets issue 15 found slipping past both the scrubber and the scan, one case each.

Every case is checked on both sides: the scrubber leaves nothing readable (in any
encoding) and the scan names the kind. The placeholders stay what committed cassettes
and replay matching already use.
"""

from __future__ import annotations

import json

import pytest

from harness.cassettes.scan import findings_in_text
from harness.cassettes.scrub import scrub_bytes, scrub_text

from .encodings import holds

KEY = "51HqLyjWDarjtT1zdp7dc0123"
LIVE, RESTRICTED, HOOK, EPHEMERAL = f"sk_live_{KEY}", f"rk_live_{KEY}", f"whsec_{KEY}", f"ek_test_{KEY}"
EMAIL = "e-mail address outside the reserved example domains"

LEAKS = {
    "after %3D in a form value": (f"description=token%3D{LIVE}", KEY, "API key"),
    "after %3A": (f"description=token%3A{RESTRICTED}", KEY, "API key"),
    "after %22": (f"description=%22{HOOK}%22", KEY, "webhook secret"),
    "after %20": (f"description=a%20{LIVE}", KEY, "API key"),
    "fully percent-encoded": (f"description=sk%5Flive%5F{KEY}", KEY, "API key"),
    "percent-encoded in lower case": (f"description=sk%5flive%5f{KEY}", KEY, "API key"),
    "an escape within the first four characters": (f"description=sk_l%69ve_{KEY}", KEY, "API key"),
    "after x_": (f"metadata[x_{LIVE}]=1", KEY, "API key"),
    "after a digit": (f"description=1{LIVE}", KEY, "API key"),
    "after a JSON \\n": (json.dumps({"note": f"\n{LIVE}"}), KEY, "API key"),
    "\\u-escaped in JSON": ('{"note": "\\u0073k_live_' + KEY + '"}', KEY, "API key"),
    "JSON-escaped in a nested body string": (json.dumps({"a": json.dumps({"b": f"é{HOOK}"})}), KEY, "webhook secret"),
    "ephemeral test key": (json.dumps({"secret": EPHEMERAL}), KEY, "ephemeral key"),
    "ephemeral live key": (json.dumps({"secret": f"ek_live_{KEY}"}), KEY, "ephemeral key"),
    "Checkout client secret": (json.dumps({"client_secret": f"cs_test_a1{KEY}_secret_fidX{KEY}"}), f"fidX{KEY}",
                               "client secret"),
    "e-mail on a domain ending in example.com": ("email=someone%40myexample.com", "myexample", EMAIL),
    "%2B local part": ("email=jane%2Bbilling%40bigcorp.io", "jane", EMAIL),
}


@pytest.mark.parametrize(("text", "secret", "kind"), LEAKS.values(), ids=LEAKS.keys())
def test_the_scrubber_removes_it_and_the_scan_flags_it(text: str, secret: str, kind: str) -> None:
    assert holds(text, secret)  # the case really holds the secret
    assert not holds(scrub_text(text), secret)
    assert kind in {found for found, _ in findings_in_text(text)}
    assert list(findings_in_text(scrub_text(text))) == []


def test_a_body_with_an_invalid_utf8_byte_is_still_scrubbed_and_keeps_the_byte() -> None:
    scrubbed = scrub_bytes(b"description=\xff+" + LIVE.encode() + b"&email=jane%40bigcorp.io")
    assert scrubbed == b"description=\xff+sk_live_REDACTED&email=redacted-" + scrubbed.split(b"redacted-")[1]
    assert KEY.encode() not in scrubbed
    assert b"bigcorp" not in scrubbed


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        (f"note=token%3D{LIVE}", "note=token%3Dsk_live_REDACTED"),  # the encoding around it is kept
        (f"note=sk%5Flive%5F{KEY}", "note=sk%5Flive%5FREDACTED"),
        (f"note={LIVE}", "note=sk_live_REDACTED"),
        ("id=seti_1Abc_secret_XyZ123", "id=seti_1Abc_secret_REDACTED"),
        ("email=jane.doe%40bigcorp.io", "email=redacted-e6502352c6dd%40example.com"),
        ("jane.doe@bigcorp.io", "redacted-e6502352c6dd@example.com"),
    ],
)
def test_placeholders_are_stable_and_written_in_the_secrets_own_encoding(text: str, scrubbed: str) -> None:
    assert scrub_text(text) == scrubbed
    assert scrub_text(scrubbed) == scrubbed


NOT_SECRETS = [
    "task_live_abcdefghijkl",  # a word that ends in sk_live_ is no key
    "sk_test_REDACTED",
    "Bearer YOUR_SECRET_KEY",
    "ada@example.com",
    "billing@mail.example.org",
    "jane@bigcorp.test",
    "redacted-e6502352c6dd%40example.com",
    "pi_3MtwBwLkdIwHu7ix28a3tqPa",  # an id, not its client secret
    "email=repair-lookup.card_declined%40example.com&metadata[user_id]=1",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_what_is_no_secret_is_left_alone_and_not_flagged(text: str) -> None:
    assert scrub_text(text) == text
    assert list(findings_in_text(text)) == []

"""Property: any secret the harness knows, anywhere in an exchange, in any encoding, never reaches disk.

A secret of each kind is embedded (after any separator a form, URL or JSON text puts
before a value) in a request body, a query, a kept response header or a string nested
in a JSON response, encoded in any of :data:`~tests.cassettes.encodings.ENCODINGS`. The
recorder's cassette must hold no readable trace of it and scan clean, the same exchange
written unscrubbed must be flagged by the scan as that kind, and a value that is no
secret must come through the recorder byte for byte and not be flagged.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vcr.request import Request as VcrRequest

from harness.backends.base import HandlerBackend, Request, Response
from harness.backends.recorder import Recorder
from harness.cassettes.scan import scan_file
from harness.cassettes.store import CassetteFile

from .encodings import ENCODINGS, holds

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLACES = ("form body", "query", "response header", "nested JSON string in the response")

_token = st.text(string.ascii_letters + string.digits, min_size=16, max_size=32).filter(
    lambda token: "REDACTED" not in token
)
_label = st.text(string.ascii_lowercase + string.digits, min_size=2, max_size=10)
#: Any host but the reserved ``example``; ``myexample.com`` is a real domain and must be scrubbed.
_host = st.one_of(_label.filter(lambda host: host != "example"), st.just("myexample"))
_local = st.builds(lambda a, sep, b: a + sep + b, _label, st.sampled_from([".", "+", "-", "_", ""]), _label)
EMAIL = "e-mail address outside the reserved example domains"
#: ``(kind the scan reports, the whole secret, the part that must not survive)``
SECRETS = st.one_of(
    st.builds(lambda p, m, t: ("API key", f"{p}_{m}_{t}", t),
              st.sampled_from(["sk", "rk"]), st.sampled_from(["test", "live"]), _token),
    st.builds(lambda m, t: ("ephemeral key", f"ek_{m}_{t}", t), st.sampled_from(["test", "live"]), _token),
    st.builds(lambda t: ("webhook secret", f"whsec_{t}", t), _token),
    st.builds(lambda p, i, t: ("client secret", f"{p}_{i}_secret_{t}", f"_secret_{t}"),
              st.sampled_from(["pi", "seti", "cs_test", "cs_live"]), _token, _token),
    st.builds(lambda t: ("credential", f"Bearer {t}", t), _token),
    st.builds(lambda local, host, tld: (EMAIL, f"{local}@{host}.{tld}", f"{local}@{host}"),
              _local, _host, st.sampled_from(["com", "io", "co.uk"])),
)
#: What a form, URL or JSON text may put right before and after a value.
BEFORE = st.sampled_from(["", " ", "=", "token=", ":", '"', "x_", "1", "\n", "(", "é", "\t", "&note="])
AFTER = st.sampled_from(["", " ", "&", '"', ",", "\n", ")", ";", "é"])
NOT_SECRETS = st.one_of(
    st.sampled_from([
        "sk_test_REDACTED", "rk_live_REDACTED", "whsec_REDACTED", "ek_test_REDACTED", "pi_3Mtw_secret_REDACTED",
        "Bearer YOUR_SECRET_KEY", "Bearer sk_test_REDACTED", "sk_test_abc", "ada@example.com",
        "billing@mail.example.org", "jane@bigcorp.test", "redacted-0123456789ab@example.com", "ops@localhost.localhost",
    ]),
    st.builds(lambda w, t: f"{w}_live_{t}", st.sampled_from(["task", "mask", "desk"]), _token),
    st.builds(lambda p, t: f"{p}_{t}", st.sampled_from(["cus", "pi", "seti", "in", "evt", "req"]), _token),
    st.text("0123456789 .,:;=&-/()ABCxyz", max_size=40),
)


def _exchange(payload: str, place: str) -> tuple[Request, Response]:
    """A request and response that carry ``payload`` (already encoded) in ``place``."""
    url, body, headers, answer = "https://api.stripe.com/v1/customers", b"name=Ada", {}, {"id": "cus_1"}
    if place == "form body":
        body = f"metadata[note]={payload}".encode()
    elif place == "query":
        url += f"?description={quote(payload, safe='%')}"
    elif place == "response header":
        headers = {"Request-Id": payload.replace("\n", " ")}
    else:
        answer = {"id": "cus_1", "data": [{"metadata": {"note": payload}}]}
    return Request("POST", url, {}, body), Response.from_json(200, answer, headers)


def _recorded(request: Request, response: Response, folder: Path) -> Path:
    recorder = Recorder(HandlerBackend(lambda _: response), api_version="2025-03-31.basil", stripe_python="16.1.0")
    recorder.handle_request(request)
    path = folder / "scrubbed.json"
    recorder.commit(path, "property")
    return path


def _unscrubbed(request: Request, response: Response, folder: Path) -> Path:
    raw = VcrRequest(request.method, request.url, request.body, {})
    stored = {"status": {"code": 200, "message": ""}, "headers": {k: [v] for k, v in response.headers.items()},
              "body": {"string": response.body.decode()}}
    path = folder / "raw.json"
    CassetteFile([(raw, stored)], None).write(path)
    return path


@SETTINGS
@given(secret=SECRETS, before=BEFORE, after=AFTER, encoding=st.sampled_from(list(ENCODINGS)),
       place=st.sampled_from(PLACES))
def test_a_secret_anywhere_in_any_encoding_is_scrubbed_and_flagged(
    secret: tuple[str, str, str], before: str, after: str, encoding: str, place: str
) -> None:
    kind, value, core = secret
    request, response = _exchange(ENCODINGS[encoding](before + value + after), place)
    with tempfile.TemporaryDirectory() as folder:
        raw = _unscrubbed(request, response, Path(folder))
        assert holds(raw.read_text(), core)  # the unscrubbed exchange does carry it
        assert kind in {finding.kind for finding in scan_file(raw)}
        recorded = _recorded(request, response, Path(folder))
        assert not holds(recorded.read_text(), core)
        assert scan_file(recorded) == []


@SETTINGS
@given(value=NOT_SECRETS, before=BEFORE, after=AFTER, encoding=st.sampled_from(list(ENCODINGS)),
       place=st.sampled_from(PLACES))
def test_a_value_that_is_no_secret_is_recorded_as_sent_and_not_flagged(
    value: str, before: str, after: str, encoding: str, place: str
) -> None:
    request, response = _exchange(ENCODINGS[encoding](before + value + after), place)
    with tempfile.TemporaryDirectory() as folder:
        recorded = _recorded(request, response, Path(folder))
        assert scan_file(recorded) == []
        (stored_request, stored_response), = CassetteFile.read(recorded).interactions
    sent = urlsplit(request.url)
    assert urlsplit(stored_request.uri)[2:] == sent[2:]
    assert (stored_request.body or b"") == request.body
    assert json.loads(stored_response["body"]["string"]) == response.json()
    assert {k: v[0] for k, v in stored_response["headers"].items()} == response.headers

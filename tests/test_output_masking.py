"""No traceback, captured output or JUnit file of a run with the plugin shows a Stripe key.

A test that talks to Stripe through the harness's HTTP client and meets a network error
(a closed port) fails with pytest's own traceback: the arguments of
``HarnessHTTPClient.request``, ``HTTPBackend.handle_request`` and stripe-python's frames
hold ``'Authorization': 'Bearer sk_test_…'``. The plugin masks the report, whatever the
``--tb`` style.
"""

from __future__ import annotations

import socket

import pytest

pytest_plugins = ["pytester"]

KEY = "sk_test_maskme0123456789abcdef"
PYPROJECT = """
[tool.stripe-compat]
adapter = "harness.reference.adapter:ReferenceAdapter"

[tool.stripe-compat.matrix]
stripe = ["16.1.0"]
api_versions = ["2025-03-31.basil"]
"""
TEST = """
import stripe

from harness.backends.http import HTTPBackend
from harness.stripe_http import routed_to


def test_a_call_that_meets_a_closed_port():
    print("calling Stripe with {key}")
    with routed_to(HTTPBackend("http://127.0.0.1:{port}", name="live")):
        stripe.Customer.create(api_key="{key}", email="ada@example.com")
"""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: ``--tb`` style -> whether it prints each frame's arguments (the request headers among them).
STYLES = {"auto": True, "long": True, "short": False, "native": False}


@pytest.mark.parametrize(("style", "shows_arguments"), STYLES.items())
def test_the_key_is_masked_in_every_traceback_style_and_the_junit_file(
    pytester: pytest.Pytester, style: str, shows_arguments: bool
) -> None:
    pytester.makefile(".toml", pyproject=PYPROJECT)
    pytester.makepyfile(TEST.format(key=KEY, port=_closed_port()))
    result = pytester.runpytest_subprocess(f"--tb={style}", "--showlocals", "-rA", "--junitxml=junit.xml")
    output = "\n".join(result.outlines + result.errlines)
    junit = (pytester.path / "junit.xml").read_text()
    assert result.ret == 1, output
    assert "Connection refused" in output or "APIConnectionError" in output  # it did fail on the network
    assert KEY not in output
    assert KEY not in junit
    assert "calling Stripe with sk_test_REDACTED" in output  # captured stdout, masked too
    assert "sk_test_REDACTED" in junit
    if shows_arguments:  # the frame that printed the headers
        assert "Bearer sk_test_REDACTED'" in output

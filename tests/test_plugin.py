"""The pytest plugin tested as a plugin, with pytester, offline (replay backend)."""

from __future__ import annotations

import json
import textwrap

import pytest

from .planted import pyproject

pytest_plugins = ["pytester"]

PYPROJECT = pyproject("2024-06-20", "2025-03-31.basil")

NEEDS_NO_STRIPE = """
def test_signup_only(stripe_billing, stripe_requests):
    user = stripe_billing.signup("ada@example.com")
    stripe_billing.verify_email(user)
    assert stripe_billing.get_user(user).verified
    assert stripe_requests.exchanges == []
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject=PYPROJECT.format(adapter="harness.reference.adapter:ReferenceAdapter"))
    return pytester


def test_options_live_in_one_group(project: pytest.Pytester) -> None:
    result = project.runpytest("--help")
    result.stdout.fnmatch_lines(["stripe-compat: billing scenarios across Stripe versions:", "*--stripe-backend*"])
    assert "--stripe-record-mode" in result.stdout.str()


def test_header_names_backend_library_and_api_version(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE)
    result = project.runpytest("--stripe-backend=replay", "--stripe-api-version=2024-06-20")
    result.stdout.fnmatch_lines(["stripe-compat: backend=replay stripe==* api_version=2024-06-20*"])
    result.assert_outcomes(passed=1)


def test_invalid_api_version_is_a_usage_error_with_the_format(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE)
    result = project.runpytest("--stripe-api-version=basil")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'basil' is not a Stripe API version*2025-03-31.basil*"])


def test_recording_from_replay_is_refused_with_what_to_do(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE)
    result = project.runpytest("--stripe-record-mode=all")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--stripe-backend=localstripe*"])


def test_a_scenario_reaching_stripe_without_cassette_fails_with_the_record_command(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_card="""
        def test_card(stripe_billing):
            user = stripe_billing.signup("ada@example.com")
            stripe_billing.add_card(user, "pm_card_visa")
        """
    )
    result = project.runpytest("--stripe-api-version=2024-06-20")
    result.assert_outcomes(failed=1)
    expected = "*no cassette at*2024-06-20*test_card.json*nox -s \"record(2024-06-20)\" -- -k 'test_card'"
    result.stdout.fnmatch_lines([expected])


def test_an_adapter_missing_methods_is_named_with_what_it_lacks(project: pytest.Pytester) -> None:
    project.makepyfile(
        my_adapter="""
        class Half:
            def __init__(self, settings, workdir):
                pass
            def signup(self, email):
                return "1"
        """,
        test_a=NEEDS_NO_STRIPE,
    )
    result = project.runpytest("--stripe-adapter=my_adapter:Half", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*lacks verify_email, get_user, add_card*BillingAdapter*"])


def test_results_file_records_the_cell_and_each_outcome(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_a=NEEDS_NO_STRIPE + textwrap.dedent(
            """
            def test_fails(stripe_billing):
                assert stripe_billing.signup("x@example.com") == "nope"
            """
        )
    )
    out = project.path / "results.json"
    project.runpytest("--stripe-api-version=2025-03-31.basil", f"--stripe-results={out}")
    data = json.loads(out.read_text())
    assert data["api_version"] == "2025-03-31.basil"
    assert data["backend"] == "replay"
    assert data["counts"] == {"passed": 1, "failed": 1, "error": 0, "skipped": 0, "not_applicable": 0}
    failing = next(s for s in data["scenarios"] if s["outcome"] == "failed")
    assert "nope" in failing["reason"]


def test_stripe_fault_marker_injects_for_the_whole_scenario(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_marker="""
        import pytest
        from harness.adapter import PaymentUnavailable

        @pytest.mark.stripe_fault("connect_refused", method="POST")
        def test_card(stripe_billing, stripe_requests):
            user = stripe_billing.signup("ada@example.com")
            with pytest.raises(PaymentUnavailable):
                stripe_billing.add_card(user, "pm_card_visa")
            assert stripe_requests.exchanges
            assert {e.error for e in stripe_requests.exchanges} == {"ConnectFailed"}
        """
    )
    project.runpytest().assert_outcomes(passed=1)

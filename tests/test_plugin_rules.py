"""Failures name the broken rule first, integration exceptions their step; lacking a capability is not applicable."""

from __future__ import annotations

import json

import pytest

from .planted import eager, project, pyproject

pytest_plugins = ["pytester"]

PYPROJECT = pyproject("2025-03-31.basil")


#: One that raises from inside the integration, as a library break would.
BROKEN_CARD = """
from harness.reference.adapter import ReferenceAdapter

class BrokenCardAdapter(ReferenceAdapter):
    def add_card(self, user_id, payment_method):
        return {}["default_payment_method"]
"""

SCENARIOS = ["--pyargs", "harness.scenarios.test_decoupled_signup", "harness.scenarios.test_lazy_customer",
             "-k", "timeout or invoice or first_card", "-p", "no:randomly"]




def test_a_broken_rule_is_the_first_line_of_the_failure_and_of_the_reason(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "eager", eager('{"invoicing"}'), "EagerAdapter")
    results = pytester.path / "cell.json"

    result = pytester.runpytest(*SCENARIOS, "--stripe-api-version=2025-03-31.basil", f"--stripe-results={results}")

    out = result.stdout.str()
    # The outage makes stripe raise inside signup: the rule, with what the integration did, comes first.
    assert ("decoupled signup: signup sent POST /v1/customers and raised stripe._error.APIConnectionError"
            in out), out[-3000:]
    assert "signup and e-mail verification must never call Stripe" in out
    scenarios = {s["id"].rsplit("::", 1)[-1]: s for s in json.loads(results.read_text())["scenarios"]}
    signup = scenarios["test_signup_and_verification_make_no_stripe_request[timeout]"]
    assert signup["outcome"] == "failed"
    assert signup["reason"].startswith("decoupled signup: signup sent POST /v1/customers")
    invoice = scenarios["test_invoice_for_user_without_customer_creates_it_first"]
    assert (invoice["outcome"], invoice["reason"]) == ("not_applicable", "not applicable: invoicing")


def test_an_integration_exception_is_shown_as_its_own_with_the_step(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "broken", BROKEN_CARD, "BrokenCardAdapter")

    result = pytester.runpytest(
        "--pyargs", "harness.scenarios.test_lazy_customer", "-k", "first_card", "-p", "no:randomly",
        "--stripe-api-version=2025-03-31.basil",
    )

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "step 'add the first card': the integration raised KeyError: 'default_payment_method'",
        "*Traceback (most recent call last):*",
        "*broken.py*in add_card*",
    ])


def test_an_unknown_capability_is_a_usage_error_listing_the_known_ones(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "odd", eager('{"invoices"}'), "EagerAdapter")

    result = pytester.runpytest("--pyargs", "harness.scenarios.test_lazy_customer", "-k", "invoice",
                                "--stripe-api-version=2025-03-31.basil")

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "one of: invoicing, webhooks, queue, monitoring" in result.stdout.str() + result.stderr.str()

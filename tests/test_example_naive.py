"""The naive example gets a real verdict: the rules it breaks, in which cells, in the harness's words.

examples/naive_integration is written the way Stripe's sample servers are (customer
created at signup, StripeObjects read as dicts, no idempotency key, no pinned API
version, no invoicing) and its cassettes were recorded by the harness against
localstripe, failures included. These runs are offline: pytest from the example's
folder as its team runs it, and ``stripe-compat upgrade`` from cassettes alone.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main

NAIVE = Path(__file__).resolve().parents[1] / "examples" / "naive_integration"

DECOUPLED = "decoupled signup: signup sent POST /v1/customers"
NEVER = "; signup and e-mail verification must never call Stripe"
GET = "'get' is a dict method, but a Customer is not a dict."
PINNED = ("pinned API version: POST /v1/customers sent Stripe-Version 2026-10-28.endive; every request carries "
          "the cell's API version 2025-03-31.basil")
STORY = "step 'build the webhook story': the integration raised "
STRIPE_OBJECT = "StripeObject is no longer a dict since stripe 15.0"

#: stripe 16.1.0 at the version it sends unpinned (2026-10-28.endive): each scenario's
#: reason, as a regular expression over its whole first line.
AT_LIBRARY_DEFAULT_16 = {
    "test_signup_and_verification_make_no_stripe_request": rf"{DECOUPLED} and raised stripe\._error\.\w+: .*{NEVER}",
    "test_card_during_outage_fails_cleanly_and_reads_survive": rf"{DECOUPLED}{NEVER}",
    "test_signup_verification_and_reads_never_call_stripe_whatever_the_fault":
        rf"{DECOUPLED} and raised stripe\._error\.AuthenticationError: .*{NEVER}",
    "test_payment_flows_survive_the_fault_at_every_call_and_converge":
        rf"clean failure under faults: adding a card while Stripe answers 503 told the customer \"{GET} .*\"; "
        r"a payment action Stripe cannot serve raises harness\.adapter\.PaymentUnavailable .*",
    "test_retried_create_after_timeout_makes_no_duplicate":
        rf"step \"add a card while the create's answer times out\": the integration raised "
        rf"harness\.adapter\.PaymentUnavailable: {GET}.*",
    "test_first_card_creates_one_customer_and_sets_default": rf"{DECOUPLED}{NEVER}",
    "test_invoice_for_user_without_customer_creates_it_first": r"not applicable: invoicing",
    "test_read_repairs_customer_after_outage": rf"clean failure under faults: .* told the customer \"{GET} .*",
    "test_payment_recreates_customer_deleted_at_stripe": r"not applicable: invoicing",
    "test_read_repairs_customer_after_deletion_webhook":
        rf"step 'signup and add a card': the integration raised harness\.adapter\.PaymentUnavailable: {GET}.*",
    "test_webhooks": rf"{STORY}harness\.adapter\.PaymentUnavailable: {GET}.*",
    # Optional capabilities the adapter does not implement.
    "test_the_integration_reads_the_coupon_of_a_customers_discount": r"not applicable: discounts",
    "test_a_card_saved_through_a_setup_intent_with_explicit_types_becomes_the_default":
        r"not applicable: setup_intents",
}

#: stripe 7.14.0 at its default (2023-10-16), where StripeObject is still a dict: the
#: design flaws show, each in its rule's words; these scenarios pass there.
AT_LIBRARY_DEFAULT_7 = {
    "test_retried_create_after_timeout_makes_no_duplicate":
        "idempotent create: the timed-out create was sent 1 time(s), never retried; a create whose answer timed "
        "out is retried with the same Idempotency-Key",
    "test_read_repairs_customer_after_deletion_webhook":
        "repair: after customer.deleted, the user is in billing state 'none' with customer None (last error None); "
        "once Stripe answers, the user is 'ready' with a Stripe customer",
    "test_rejected_deliveries_change_nothing":
        "webhook verification: the endpoint answered 500 'Internal Server Error' to a delivery with bad signature; "
        "a delivery that fails verification is answered 400 and changes nothing",
}
PASS_AT_7 = {"test_in_order_over_http", "test_shuffled[1]", "test_shuffled[2]", "test_shuffled[3]",
             "test_events_are_rendered_at_the_pinned_version"}


def _cell(api_version: str, results: Path) -> dict:
    subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "harness.scenarios", "-q", "-p", "no:cacheprovider",
         "-p", "no:randomly", f"--stripe-api-version={api_version}", f"--stripe-results={results}"],
        cwd=NAIVE, check=False, capture_output=True, timeout=600,
    )
    assert results.is_file(), f"the run wrote no results; run it by hand in {NAIVE} to see why"
    return json.loads(results.read_text())


def _expected(table: dict[str, str], scenario_id: str) -> str:
    module, _, name = scenario_id.rpartition("::")
    key = "test_webhooks" if module.endswith("test_webhooks.py") else name.partition("[")[0]
    return table[key]


def test_unpinned_on_16_each_failure_names_its_broken_rule_and_invoicing_is_not_applicable(tmp_path: Path) -> None:
    data = _cell("library-default", tmp_path / "cell.json")

    assert data["api_version"] == "2026-10-28.endive"  # what 16.1.0 sends when nothing pins a version
    assert data["counts"]["passed"] == 0
    assert data["counts"]["not_applicable"] == 4
    for scenario in data["scenarios"]:
        pattern = _expected(AT_LIBRARY_DEFAULT_16, scenario["id"])
        assert re.fullmatch(pattern, scenario["reason"].splitlines()[0]), (scenario["id"], scenario["reason"])


def test_in_a_pinned_cell_the_unpinned_integration_is_told_the_version_it_sent(tmp_path: Path) -> None:
    data = _cell("2025-03-31.basil", tmp_path / "cell.json")

    failures = [s for s in data["scenarios"] if s["outcome"] in ("failed", "error")]
    assert len(failures) == len(data["scenarios"]) - 4  # the not applicable ones
    for scenario in failures:  # first, or right after the decoupled-signup sentence the request broke too
        assert PINNED in scenario["reason"].splitlines()[0], scenario


def test_upgrade_to_16_breaks_with_the_stripeobject_cause_from_cassettes_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(NAIVE)
    code = main(["upgrade", "--from", "7.14.0@library-default", "--to", "16.1.0@library-default", "--json"])
    out = json.loads(capsys.readouterr().out)

    assert code == 1
    before = {b["scenario"].rpartition("::")[2]: b["reason"] for b in out["from"]["breaks"]}
    for name, sentence in AT_LIBRARY_DEFAULT_7.items():
        assert before[name] == sentence
    assert before["test_every_event_twice"].startswith("webhook exactly-once: twice: 12 events were applied more "
                                                       "than once")
    assert not PASS_AT_7 & set(before)
    (target,) = out["checks"]  # an unpinned integration has no way back: rolled back, it is the from-cell
    caused = {b["scenario"].rpartition("::")[2] for b in target["breaks"]
              if (b["known_cause"] or {}).get("explanation", "").startswith(STRIPE_OBJECT)}
    # Every scenario that reaches add_card breaks on 16.1.0 for that one cause.
    assert {"test_read_repairs_customer_after_outage", "test_in_order_over_http", "test_storm"} <= caused
    assert len(caused) == 23


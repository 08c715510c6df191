"""The outage scenarios catch an integration whose customer creation has no error handling."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = f"""
[tool.stripe-compat]
adapter = "{{adapter}}"
cassettes = "{ROOT / 'cassettes'}"
contracts = "{ROOT / 'contracts'}"

[tool.stripe-compat.matrix]
stripe = ["16.1.0"]
api_versions = ["2024-06-20"]
"""
#: The decoupled-signup and fault scenarios, on one API version: enough to tell a mutant apart.
SELECTION = ["--pyargs", "harness.scenarios", "--stripe-api-version=2024-06-20", "-p", "no:randomly",
             "-k", "decoupled_signup or (test_faults and (timeout or unavailable or invalid_key))"]


def _outcomes(pytester: pytest.Pytester, adapter: str) -> dict[str, str]:
    pytester.makefile(".toml", pyproject=PYPROJECT.format(adapter=adapter))
    result = pytester.runpytest(*SELECTION)
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    return {r.nodeid.split("::")[-1]: r.outcome for r in reports if r.when == "call"}


def test_removing_customer_error_handling_fails_the_outage_scenarios(pytester: pytest.Pytester) -> None:
    healthy = _outcomes(pytester, "harness.reference.adapter:ReferenceAdapter")
    mutant = _outcomes(pytester, "tests.chaos.mutant:MutantAdapter")

    assert healthy, "the selection ran nothing: check SELECTION against the scenario names"
    assert set(healthy.values()) == {"passed"}, healthy
    caught = {name for name, outcome in mutant.items() if outcome == "failed"}
    must_catch = {n for n in healthy if n.startswith(("test_card_during_outage", "test_payment_flows"))}
    assert must_catch
    assert must_catch <= caught, f"scenarios the mutant survived: {sorted(must_catch - caught)}"
    # Signup never touched customer creation, so those scenarios rightly still pass.
    assert all(mutant[n] == "passed" for n in healthy if n.startswith("test_signup")), mutant

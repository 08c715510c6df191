"""A webhook handler that applies every delivery must fail the duplicate and storm scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parents[2]
CAUGHT = "twice or concurrent or storm"

PYPROJECT = f"""
[tool.stripe-compat]
cassettes = "{(REPO / "cassettes").as_posix()}"

[tool.stripe-compat.matrix]
stripe = ["16.1.0"]
api_versions = ["2024-06-20"]
"""

DOUBLE = '''
from harness.reference.adapter import ReferenceAdapter


class AppliesEveryDelivery(ReferenceAdapter):
    """Forgets which events it processed before each delivery, as a handler without a ledger would."""

    def handle_webhook(self, payload, signature):
        self.conn.execute("DELETE FROM processed_events")
        return super().handle_webhook(payload, signature)
'''


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject=PYPROJECT)
    # Re-exported under the same module name, so the scenarios find their committed cassettes.
    pytester.makepyfile(double=DOUBLE, test_webhooks="from harness.scenarios.test_webhooks import *  # noqa: F403")
    pytester.syspathinsert()
    return pytester


def _run(project: pytest.Pytester, adapter: str) -> pytest.RunResult:
    return project.runpytest(
        "test_webhooks.py", "-k", CAUGHT, "-p", "no:cacheprovider",
        "--stripe-api-version=2024-06-20", f"--stripe-adapter={adapter}",
    )


def test_duplicate_and_storm_scenarios_catch_a_handler_that_applies_every_delivery(project: pytest.Pytester) -> None:
    result = _run(project, "double:AppliesEveryDelivery")

    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*twice: *", "*concurrent duplicates: *", "*storm: *"])
    assert "payment_failures" in result.stdout.str()  # the dunning count doubled, not only the ledger
    # The reference adapter passes these scenarios on every matrix cell (nox -s compat).


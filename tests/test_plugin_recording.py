"""Recording keeps what happened, failures included; replay shows the same; the version sent is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cassettes.store import cassette_files

from .planted import eager, project, pyproject

pytest_plugins = ["pytester"]

PYPROJECT = pyproject("library-default", "2025-03-31.basil", "2026-10-28.endive")


#: The reference integration, but relying on the library's default API version.
UNPINNED = """
from harness.reference.adapter import ReferenceAdapter

class UnpinnedAdapter(ReferenceAdapter):
    def __init__(self, settings, workdir):
        super().__init__(settings, workdir)
        self.billing.gateway.api_version = None
"""

LAZY = ["--pyargs", "harness.scenarios.test_lazy_customer", "-p", "no:randomly", "-k", "first_card"]




def test_a_failing_scenario_is_recorded_with_its_reason_and_replays_the_same_failure(
    pytester: pytest.Pytester,
) -> None:
    project(pytester, PYPROJECT, "eager", eager(), "EagerAdapter")
    version = "--stripe-api-version=2025-03-31.basil"

    recorded = pytester.runpytest(*LAZY, version, "--stripe-backend=localstripe", "--stripe-record-mode=rewrite")

    recorded.assert_outcomes(failed=1)
    recorded.stdout.fnmatch_lines([
        "stripe-compat recording (localstripe, API 2025-03-31.basil, mode all, *): 1 cassettes written, 0 unchanged, "
        "0 not written",
        "  1 scenarios failed while recording (their cassettes replay the same failure):",
        "    *test_first_card_creates_one_customer_and_sets_default: "
        "decoupled signup: signup sent POST /v1/customers;*",
    ])
    (cassette,) = cassette_files(pytester.path / "cassettes")
    meta = json.loads(cassette.read_text())["metadata"]["stripe_compat"]
    assert meta["outcome"] == "failed"
    assert meta["reason"].startswith("decoupled signup: signup sent POST /v1/customers; ")

    results = pytester.path / "replayed.json"
    replayed = pytester.runpytest(*LAZY, version, f"--stripe-results={results}")

    replayed.assert_outcomes(failed=1)
    (scenario,) = json.loads(results.read_text())["scenarios"]
    assert scenario["reason"] == meta["reason"]  # same outcome, same reason, from the cassette alone


def test_mode_once_replays_an_existing_cassette_and_none_writes_nothing(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "eager", eager(), "EagerAdapter")
    args = [*LAZY, "--stripe-api-version=2025-03-31.basil", "--stripe-backend=localstripe"]
    pytester.runpytest(*args, "--stripe-record-mode=once")
    (cassette,) = cassette_files(pytester.path / "cassettes")
    first = cassette.read_bytes()

    again = pytester.runpytest(*args, "--stripe-record-mode=once")
    live = pytester.runpytest(*args, "--stripe-record-mode=none")

    again.stdout.fnmatch_lines(["*0 cassettes written, 1 unchanged, 0 not written"])
    assert "stripe-compat recording" not in live.stdout.str()
    assert cassette.read_bytes() == first


def test_an_unknown_record_mode_lists_the_valid_ones(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "eager", eager(), "EagerAdapter")
    result = pytester.runpytest(*LAZY, "--stripe-record-mode=sometimes")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*'none', 'once', 'new_episodes', 'all', 'rewrite'*"])


def test_an_unpinned_integration_fails_a_pinned_cell_naming_the_version_it_sent(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "unpinned", UNPINNED, "UnpinnedAdapter")
    results = pytester.path / "cell.json"
    cassettes = f"--stripe-cassettes={Path(__file__).resolve().parents[1] / 'cassettes'}"

    result = pytester.runpytest(*LAZY, "--stripe-api-version=2025-03-31.basil", cassettes,
                                f"--stripe-results={results}")

    result.assert_outcomes(failed=1)
    (scenario,) = json.loads(results.read_text())["scenarios"]
    assert scenario["reason"].startswith(
        "pinned API version: POST /v1/customers sent Stripe-Version 2026-10-28.endive; every request carries "
        "the cell's API version 2025-03-31.basil"
    ), scenario["reason"]


def test_library_default_runs_the_cell_at_the_version_the_release_sends(pytester: pytest.Pytester) -> None:
    project(pytester, PYPROJECT, "unpinned", UNPINNED, "UnpinnedAdapter")
    results = pytester.path / "cell.json"
    cassettes = f"--stripe-cassettes={Path(__file__).resolve().parents[1] / 'cassettes'}"

    result = pytester.runpytest(*LAZY, "--stripe-api-version=library-default", cassettes,
                                f"--stripe-results={results}")

    result.assert_outcomes(passed=1)  # stripe 16.1.0 sends 2026-10-28.endive, whose cassettes replay
    assert json.loads(results.read_text())["api_version"] == "2026-10-28.endive"
    result.stdout.fnmatch_lines(["stripe-compat: *api_version=2026-10-28.endive*"])

"""The committed cassettes as a regression net: an edited response fails the right scenario, readably."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from harness.cassettes.store import CassetteFile

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "test_first_card_creates_one_customer_and_sets_default"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    shutil.copy(ROOT / "pyproject.toml", pytester.path / "pyproject.toml")
    shutil.copytree(ROOT / "cassettes", pytester.path / "cassettes")
    shutil.copytree(ROOT / "contracts", pytester.path / "contracts")
    return pytester


def _remove_customer_id(cassette: Path) -> None:
    """Edit the first response as a re-recording would write it (its body stored against the folder's bases)."""
    recorded = CassetteFile.read(cassette)
    response = recorded.interactions[0][1]
    body = json.loads(response["body"]["string"])
    del body["id"]
    response["body"]["string"] = json.dumps(body)
    recorded.write(cassette)


def _green_count(project: pytest.Pytester, api_version: str) -> int:
    outcomes = project.runpytest("--pyargs", "harness.scenarios", f"--stripe-api-version={api_version}").parseoutcomes()
    assert set(outcomes) == {"passed"}, outcomes
    return outcomes["passed"]


def test_every_scenario_replays_green_from_the_committed_cassettes(project: pytest.Pytester) -> None:
    assert _green_count(project, "2024-06-20") >= 14


def test_a_response_missing_the_customer_id_fails_that_scenario_with_the_contract_path(
    project: pytest.Pytester,
) -> None:
    scenarios = _green_count(project, "2024-06-20")
    _remove_customer_id(project.path / "cassettes/2024-06-20/test_lazy_customer" / f"{SCENARIO}.json")

    edited = project.runpytest("--pyargs", "harness.scenarios", "--stripe-api-version=2024-06-20")
    edited.assert_outcomes(passed=scenarios - 1, failed=1)
    edited.stdout.fnmatch_lines([
        "*contract violation: POST /v1/customers: blocker: $.id (customer): expected a required property, "
        "got missing [[]contracts/consumer/reference.json*",
        f"FAILED *{SCENARIO}*",
    ])
    assert _green_count(project, "2023-10-16") == scenarios

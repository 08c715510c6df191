"""The gathered JUnit files: one distinct suite per cell, properties, errors apart from failures, valid XML."""

from __future__ import annotations

from pathlib import Path

import junitparser
import pytest

from harness.cli import main

from .helpers import CELLS, PYPROJECT, install_failure, write_result

PYTEST_JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="2" skipped="0" tests="3" time="1.0">
<testcase classname="harness.scenarios.test_lazy_customer" name="test_first_card" time="0.1"/>
<testcase classname="harness.scenarios.test_lazy_customer" name="test_second_card" time="0.1">
<failure message="AssertionError: two customers">Traceback ...</failure></testcase>
<testcase classname="harness.scenarios.test_repair" name="test_repair" time="0.1">
<error message="failed on setup with RuntimeError">Traceback ...</error></testcase>
</testsuite></testsuites>
"""


@pytest.fixture
def gathered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    monkeypatch.chdir(tmp_path)
    results, junit = tmp_path / ".stripe-compat" / "results", tmp_path / ".stripe-compat" / "junit"
    junit.mkdir(parents=True)
    for cell in CELLS[:2]:
        write_result(results, cell, failing=["test_second_card"], errors=["test_repair"])
        (junit / f"{cell}.xml").write_text(PYTEST_JUNIT)
    write_result(results, CELLS[2], errors=["test_setup"])  # no JUnit file: built from the result
    install_failure(results, CELLS[3], "× No solution found: there is no version of stripe==99.0.0")
    out = tmp_path / "out"
    (out / "junit").mkdir(parents=True)
    (out / "junit" / "9.9.9@2020-08-27.xml").write_text("<testsuites/>")  # an earlier report's cell
    assert main(["report", "--run-id", "run1", "--format", "junit", "--out", str(out)]) == 1
    return out / "junit"


def test_every_cell_is_its_own_suite_with_the_cell_in_every_classname(gathered: Path) -> None:
    assert sorted(p.stem for p in gathered.glob("*.xml")) == sorted(CELLS)
    pairs = set()
    for path in gathered.glob("*.xml"):
        for suite in junitparser.JUnitXml.fromfile(str(path)):
            assert suite.name == f"stripe-compat[{path.stem}]"
            for case in suite:
                assert case.classname.startswith(f"[{path.stem}] ")
                pairs.add((case.classname, case.name))
    cases = sum(1 for p in gathered.glob("*.xml") for s in junitparser.JUnitXml.fromfile(str(p)) for _ in s)
    assert len(pairs) == cases  # no two cells share a (classname, name): viewers cannot merge them


def test_properties_name_the_release_api_version_backend_and_run(gathered: Path) -> None:
    suite = next(iter(junitparser.JUnitXml.fromfile(str(gathered / f"{CELLS[0]}.xml"))))
    props = {p.name: p.value for p in suite.properties()}
    assert props == {
        "stripe_compat.cell": CELLS[0], "stripe_compat.stripe": "7.14.0",
        "stripe_compat.api_version": "2023-10-16", "stripe_compat.backend": "replay", "stripe_compat.run_id": "run1",
    }


def test_errors_and_failures_are_counted_apart(gathered: Path) -> None:
    suite = next(iter(junitparser.JUnitXml.fromfile(str(gathered / f"{CELLS[0]}.xml"))))
    assert (suite.tests, suite.failures, suite.errors) == (3, 1, 1)
    built = next(iter(junitparser.JUnitXml.fromfile(str(gathered / f"{CELLS[2]}.xml"))))
    assert (built.failures, built.errors) == (0, 1)
    outcomes = {c.name: [type(r).__name__ for r in c.result] for c in built}
    assert outcomes["test_setup"] == ["Error"]


def test_a_cell_that_could_not_install_is_one_errored_case_with_the_installers_message(gathered: Path) -> None:
    suite = next(iter(junitparser.JUnitXml.fromfile(str(gathered / f"{CELLS[3]}.xml"))))
    (case,) = list(suite)
    (error,) = case.result
    assert isinstance(error, junitparser.Error)
    assert "no version of stripe==99.0.0" in error.message

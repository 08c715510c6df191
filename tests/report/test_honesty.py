"""Each way the verdict used to say green without grounds now gets a non-green verdict naming the gap.

Every case runs the real command with ``--format all`` and checks the exit code and
that every format (terminal, Markdown summary and full, JSON, HTML) says not green
and names the gap, so no format can be the one that lies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main

from .helpers import CELLS, PYPROJECT, install_failure, verdict_of, write_full_run, write_result

UV_ERROR = (
    "× No solution found when resolving dependencies:\n"
    "  ╰─▶ Because there is no version of stripe==99.0.0 and you require stripe==99.0.0, "
    "we can conclude that your requirements are unsatisfiable."
)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def report(root: Path, *args: str, results: str = ".stripe-compat/results") -> tuple[int, dict[str, str]]:
    """Run ``stripe-compat report --format all`` and return its exit code and every file it wrote."""
    out = root / "out"
    code = main(["report", "--results", results, "--format", "all", "--out", str(out), *args])
    files = {p.name: p.read_text() for p in out.iterdir() if p.is_file()}
    return code, files


def assert_not_green_everywhere(files: dict[str, str], gap: str) -> None:
    assert set(files) == {"report.txt", "report.md", "report-full.md", "report.json", "report.html"}
    data = json.loads(files["report.json"])
    assert data["ok"] is False
    assert any(gap in g for g in data["gaps"]), data["gaps"]
    assert "NOT GREEN" in files["report.txt"]
    assert gap in files["report.txt"]
    for name in ("report.md", "report-full.md"):
        assert "NOT GREEN" in files[name]
        assert "all cells green" not in files[name]
        assert gap in files[name]
    assert "NOT GREEN" in files["report.html"]
    assert gap in files["report.html"].replace("&#x27;", "'")


def test_a_results_folder_that_does_not_exist_is_a_usage_error_and_not_green(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, files = report(root, results=str(root / "nonexistent"))
    assert code == 2
    assert_not_green_everywhere(files, "does not exist")
    assert "run the matrix first (nox -s compat)" in capsys.readouterr().err


def test_an_unknown_run_id_is_not_green(root: Path) -> None:
    write_full_run(root / ".stripe-compat" / "results")
    code, files = report(root, "--run-id", "no-such-run")
    assert code == 1
    assert_not_green_everywhere(files, "no result of run no-such-run")
    assert "4 of 4 matrix cells not run" in files["report.txt"]


def test_a_run_whose_results_were_overwritten_is_not_green_and_says_by_whom(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    write_full_run(results, run_id="first")
    write_full_run(results, run_id="second", written_at="2026-12-01T11:00:00Z")
    code, files = report(root, "--run-id", "first")
    assert code == 1
    assert_not_green_everywhere(files, "runs there: second; a later run may have overwritten its files")


def test_a_cell_that_could_not_install_is_named_with_the_installers_message(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    for cell in CELLS[:-1]:
        write_result(results, cell)
    install_failure(results, CELLS[-1], UV_ERROR)
    code, files = report(root, "--run-id", "run1")
    assert code == 1
    assert_not_green_everywhere(files, f"{CELLS[-1]} failed to install: × No solution found")
    assert "NO INSTALL" in files["report.txt"]
    assert "NO INSTALL" in files["report.html"]
    cell = next(c for c in json.loads(files["report.json"])["cells"] if c["cell"] == CELLS[-1])
    assert cell["status"] == "install failed"
    assert "no version of stripe==99.0.0" in cell["install_error"]
    assert "no version of stripe==99.0.0" in files["report-full.md"]


def test_a_filtered_run_is_reported_as_filtered_not_green(root: Path) -> None:
    write_full_run(root / ".stripe-compat" / "results", selected=1, deselected=3, keyword="lazy")
    code, files = report(root)
    assert code == 1
    assert_not_green_everywhere(files, "filtered: 1 of 4 scenarios selected (-k 'lazy') in 4 cells")
    assert "PARTIAL 1 of 4" in files["report.txt"]


def test_a_report_mixing_filtered_and_complete_cells_of_one_run_is_not_green(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    write_full_run(results)
    write_result(results, CELLS[0], selected=2, deselected=0)  # re-run later with a node id: 2 collected
    code, files = report(root, "--run-id", "run1")
    assert code == 1
    assert_not_green_everywhere(files, "filtered: 2 of 4 scenarios selected in 1 cell")


def test_results_of_another_run_are_ignored_and_named(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    for cell in CELLS[:2]:
        write_result(results, cell, run_id="new", written_at="2026-12-01T12:00:00Z")
    for cell in CELLS[2:]:
        write_result(results, cell, run_id="old")
    code, files = report(root)  # no --run-id: the newest run
    assert code == 1
    assert_not_green_everywhere(files, "2 results of other runs ignored: old (2 cells)")
    assert "2 of 4 matrix cells not run" in files["report.md"]


def test_a_stopped_run_is_not_green(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    write_full_run(results)
    data = json.loads((results / f"{CELLS[0]}.json").read_text())
    data["scenarios"] = data["scenarios"][:1]  # -x or Ctrl-C: 1 of 4 selected scenarios reached an outcome
    data["counts"]["passed"] = 1
    (results / f"{CELLS[0]}.json").write_text(json.dumps(data))
    code, files = report(root)
    assert code == 1
    assert_not_green_everywhere(files, "stopped early: 1 of 4 selected scenarios ran in 1 cell")


def test_a_one_cell_run_reports_that_cell_only_and_is_no_matrix_verdict(root: Path) -> None:
    write_result(root / ".stripe-compat" / "results", CELLS[0])
    code, files = report(root)
    assert code == 1
    assert_not_green_everywhere(files, "3 of 4 matrix cells not run")
    grid = files["report.txt"].split("\n\n")[0].splitlines()
    assert grid == ["stripe \\ API  2023-10-16", "------------  ----------", "7.14.0        PASS 4/4"]
    assert "NOT RUN" not in files["report.html"].split("<svg")[1].split("</svg>")[0]


def test_setup_errors_are_counted_apart_from_failures_and_not_applicable_apart_from_skips(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    write_full_run(results, not_applicable=1)
    write_result(results, CELLS[0], errors=["test_setup_broke"], not_applicable=1)
    v = verdict_of(root)
    result = v.results[next(c for c in v.matrix.cells if c.id == CELLS[0])]
    assert (result.passed, result.failed, result.errors, result.not_applicable) == (2, 0, 1, 1)
    assert v.label(result) == "FAIL 2/3 · 1 N/A"
    assert not v.ok
    assert report(root)[0] == 1
    files = report(root)[1]
    cell = next(c for c in json.loads(files["report.json"])["cells"] if c["cell"] == CELLS[0])
    assert (cell["errors"], cell["failed"], cell["not_applicable"]) == (1, 0, 1)
    assert "PASS 3/3 · 1 N/A" in files["report.txt"]


def test_a_complete_green_run_is_the_only_green_verdict(root: Path) -> None:
    write_full_run(root / ".stripe-compat" / "results")
    code, files = report(root, "--run-id", "run1")
    assert code == 0
    data = json.loads(files["report.json"])
    assert data["ok"] is True
    assert data["gaps"] == []
    assert files["report.txt"].count("PASS 4/4") == 4
    assert "GREEN: all 4 cells passed every scenario (run run1)." in files["report.txt"]
    assert "## ✅ Stripe compatibility: GREEN" in files["report.md"]


def test_a_filtered_run_under_xdist_is_not_green_even_when_every_cell_was_filtered_alike(root: Path) -> None:
    results = root / ".stripe-compat" / "results"
    write_full_run(results, selected=1, keyword="lazy")
    for path in results.glob("*.json"):  # what the writer records under -n with -k
        data = json.loads(path.read_text())
        data["deselected"] = None
        path.write_text(json.dumps(data))
    code, files = report(root)
    assert code == 1
    assert_not_green_everywhere(files, "filtered (-k 'lazy') in 4 cells: 1 scenarios selected, of how many is unknown")

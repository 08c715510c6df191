"""The report formats agree on a partial run: what passed, what failed and why, what did not run."""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.cli import main
from harness.report.html import render_html
from harness.report.markdown import render_markdown
from harness.report.table import render_table
from harness.upgrade.causes import load_causes

from .helpers import REASON, project, verdict, verdict_of, write_result


def root_with_green_cell(tmp_path: Path) -> Path:
    """A project of its own beside :func:`project`'s, where one cell ran and passed."""
    from .helpers import PYPROJECT

    root = tmp_path / "one-cell"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    write_result(root / ".stripe-compat" / "results", "7.14.0@2023-10-16")
    return root


def test_verdict_counts_a_partial_run_and_ignores_other_runs(tmp_path: Path) -> None:
    v = verdict(tmp_path)
    assert v.summary_line() == "1/4 cells green; 1 failed; 2 not run; 1 results of other runs ignored."
    assert [c.id for c in v.not_run] == ["7.14.0@2025-03-31.basil", "16.1.0@2023-10-16"]
    assert any("older-run (1 cell)" in gap for gap in v.gaps())
    assert not v.ok


def test_table_shows_the_cells_that_ran_names_those_not_run_and_the_failing_cause(tmp_path: Path) -> None:
    text = render_table(verdict(tmp_path))
    assert text.splitlines()[2].split() == ["7.14.0", "PASS", "4/4", "NOT", "RUN"]
    assert "2 of 4 matrix cells not run in this run: 7.14.0@2025-03-31.basil, 16.1.0@2023-10-16" in text
    assert "FAIL x1 in 1 cell(s): StripeObject is no longer a dict" in text
    assert "16.1.0@2025-03-31.basil  s.py::test_card" in text
    assert "stale" not in text


def test_markdown_is_a_table_with_words_and_a_folded_group_per_cause(tmp_path: Path) -> None:
    md = render_markdown(verdict(tmp_path))
    assert "## ❌ Stripe compatibility: NOT GREEN" in md
    assert "| `7.14.0` | ✅ PASS 4/4 | ⬜ NOT RUN |" in md
    assert "| `16.1.0` | ⬜ NOT RUN | ❌ FAIL 3/4 |" in md
    assert "<summary><b>StripeObject is no longer a dict" in md
    assert "| `16.1.0@2025-03-31.basil` | `s.py::test_card` | failed |" in md
    green = render_markdown(verdict_of(root_with_green_cell(tmp_path)))
    assert "| ✅ PASS 4/4 |\n\nFull report:" in green  # a blank line ends the table before the footer


def test_html_is_self_contained_with_a_worded_heatmap_cell_per_cell_linked_to_failures(tmp_path: Path) -> None:
    page = render_html(verdict(tmp_path))
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    for cause in load_causes():  # a cause's source is text to read, not something the page loads
        page = page.replace(html.escape(cause.source), "")
    assert "https://" not in page
    assert "<script" not in page
    assert "<link" not in page
    svg = ET.fromstring(page[page.index("<svg"): page.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    fills = [r.get("fill") for r in svg.iter(f"{ns}rect")]
    assert sorted(fills) == sorted(["#2e9e5b", "#d64541", "#d5d8dc", "#d5d8dc"])
    words = [t.text for t in svg.iter(f"{ns}text") if t.get("pointer-events")]
    assert sorted(words) == ["FAIL 3/4", "NOT RUN", "NOT RUN", "PASS 4/4"]
    links = [a.get("href") for a in svg.iter(f"{ns}a")]
    assert links == ["#cell-16-1-0-2025-03-31-basil"]
    assert 'id="cell-16-1-0-2025-03-31-basil"' in page  # the link has a target
    assert "s.py::test_card" in page


def test_cli_writes_every_format_and_exits_1_on_a_red_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    monkeypatch.chdir(root)
    junit = root / ".stripe-compat" / "junit"
    junit.mkdir()
    (junit / "7.14.0@2023-10-16.xml").write_text("<testsuites><testsuite/></testsuites>")
    out = root / "report"
    argv = ["report", "--run-id", "run1", "--results", ".stripe-compat/results", "--format", "all", "--out", str(out)]
    assert main(argv) == 1
    assert {p.name for p in out.iterdir()} == {
        "report.txt", "report.md", "report-full.md", "report.json", "report.html", "junit"}
    assert sorted(p.name for p in (out / "junit").iterdir()) == ["16.1.0@2025-03-31.basil.xml", "7.14.0@2023-10-16.xml"]
    data = json.loads((out / "report.json").read_text())
    assert data["ok"] is False
    assert data["not_run"] == ["7.14.0@2025-03-31.basil", "16.1.0@2023-10-16"]
    red = next(c for c in data["cells"] if c["status"] == "fail")
    assert red["failures"] == [{"id": "s.py::test_card", "outcome": "failed", "reason": REASON}]
    captured = capsys.readouterr()
    assert "NOT GREEN: 1/4 cells green; 1 failed; 2 not run" in captured.out
    assert "stripe \\ API" not in captured.out  # the table is printed by matrix_report, not twice
    assert "no JUnit file in .stripe-compat/junit for 16.1.0@2025-03-31.basil" in captured.err


def test_cli_default_still_prints_the_table_for_the_matrix_report_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project(tmp_path))
    assert main(["report", "--results", ".stripe-compat/results", "--run-id", "run1"]) == 1
    assert capsys.readouterr().out.startswith("stripe \\ API")
    assert main(["report", "--results", ".stripe-compat/results", "--format", "json", "--format", "html"]) == 2


def _big_run(tmp_path: Path) -> Path:
    """30 red cells of 35 scenarios each, every reason long and multi-line, many distinct causes."""
    from harness.report.record import FORMAT, write_json

    libs = ["5.5.0", "7.14.0", "10.12.0", "12.5.1", "14.4.1", "16.1.0"]
    apis = ["2020-08-27", "2023-10-16", "2024-06-20", "2025-03-31.basil", "2026-10-28.endive"]
    (tmp_path / "pyproject.toml").write_text(
        f"[tool.stripe-compat.matrix]\nstripe = {json.dumps(libs)}\napi_versions = {json.dumps(apis)}\n")
    for lib in libs:
        for api in apis:
            scenarios = [{"id": f"harness/scenarios/test_s.py::test_{i}", "outcome": "failed",
                          "reason": f"contract violation: $.field_{i} missing in {api}\n" + "detail " * 400}
                         for i in range(35)]
            write_json(tmp_path / "results" / f"{lib}@{api}.json", {
                "format": FORMAT, "run_id": "big", "stripe": lib, "api_version": api, "backend": "replay",
                "written_at": "2026-12-01T10:00:00Z", "status": "ran", "exitstatus": 1, "collected": 35,
                "selected": 35, "counts": {"passed": 0, "failed": 35, "skipped": 0}, "scenarios": scenarios})
    return tmp_path


def test_markdown_summary_fits_a_pull_request_comment_and_the_full_report_keeps_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_big_run(tmp_path))
    assert main(["report", "--results", "results", "--format", "markdown", "--out", "out"]) == 1
    summary, full = (tmp_path / "out" / "report.md").read_text(), (tmp_path / "out" / "report-full.md").read_text()
    assert len(summary) < 65_536
    assert "more cause(s) not shown here: see report-full.md" in summary
    assert len(full) > 65_536
    assert full.count("<summary><b>contract violation: $.field_") == 35 * 5  # one group per cause and API version
    assert "detail detail" in full  # the whole reason, folded
    assert "<details><summary>contract violation: $.field_0 missing in 2020-08-27…</summary>" in full


def test_one_cause_is_stated_once_with_every_scenario_and_cell_it_explains(tmp_path: Path) -> None:
    from .helpers import CELLS, PYPROJECT

    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    for cell in CELLS:
        write_result(tmp_path / ".stripe-compat" / "results", cell, failing=[f"t{i}" for i in range(3)], selected=4)
    md = render_markdown(verdict_of(tmp_path))
    assert md.count("StripeObject is no longer a dict") == 1
    assert "12 failure(s): 3 scenario(s) in 4 cell(s)" in md
    assert md.count(REASON.replace("'", "&#x27;")) == 1
    text = render_table(verdict_of(tmp_path))
    assert text.count("FAIL x12 in 4 cell(s): StripeObject is no longer a dict") == 1
    assert "… and 2 more (all: report-full.md, nox -s report)" in text  # a log stays readable

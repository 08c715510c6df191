"""The generated GitHub Actions workflow: current with the matrix, well-formed, and lint-clean."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.ci.github import WORKFLOW_PATH, render_workflow
from harness.cli import main
from harness.matrix import load_matrix

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / WORKFLOW_PATH


def test_committed_workflow_is_current_with_the_matrix() -> None:
    expected = render_workflow(load_matrix(ROOT / "pyproject.toml"))
    assert WORKFLOW.read_text() == expected, "run `stripe-compat ci github` and commit the workflow"


def test_one_job_per_cell_report_summary_and_opt_in_stripe_mock() -> None:
    matrix = load_matrix(ROOT / "pyproject.toml")
    jobs = yaml.safe_load(WORKFLOW.read_text())["jobs"]
    cells = jobs["cell"]["strategy"]["matrix"]
    assert cells == {"stripe": list(matrix.stripe), "api": list(matrix.api_versions)}
    assert jobs["cell"]["strategy"]["fail-fast"] is False  # one red cell must not cancel the others
    report_runs = " ".join(step.get("run", "") for step in jobs["report"]["steps"])
    assert "--format all" in report_runs
    assert "$GITHUB_STEP_SUMMARY" in report_runs
    assert jobs["report"]["if"] == "always()"
    steps = [s for job in jobs.values() for s in job["steps"]]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert len(uploads) == 3
    mock = jobs["stripe-mock"]
    assert mock["services"]["stripe-mock"]["image"].startswith("stripe/stripe-mock")
    assert mock["env"]["STRIPE_MOCK_URL"] == "http://localhost:12111"
    assert "workflow_dispatch" in mock["if"]


def test_check_exits_1_when_the_file_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    stale = tmp_path / "compat.yml"
    stale.write_text("name: old\n")
    assert main(["ci", "github", "--check", "--output", str(stale)]) == 1
    assert main(["ci", "github", "--output", str(stale)]) == 0
    assert main(["ci", "github", "--check", "--output", str(stale)]) == 0
    assert "out of date" in capsys.readouterr().out


def test_workflow_passes_the_github_workflow_schema() -> None:
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is not installed; it is in the dev extra: pip install -e '.[dev]'"
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

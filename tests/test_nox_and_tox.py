"""nox and tox as a team already uses them: either venv backend, --no-venv, --force-python,
posargs that reach only the cells, and a tox.toml generated from the same matrix."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from harness.ci.cli import run_tox
from harness.matrix import load_matrix

ROOT = Path(__file__).resolve().parents[1]
CELL = "16.1.0@2024-06-20"  # this venv's stripe release


def _project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.egg-info"))
    return project


def _nox(project: Path, *args: str, python: str = sys.executable, path: str | None = None) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_COMPAT_RUN_ID"}
    if path is not None:
        env["PATH"] = path
    done = subprocess.run([python, "-m", "nox", *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    return done.returncode, done.stdout + done.stderr


def test_no_venv_runs_what_this_environment_can_and_posargs_reach_only_the_cells(tmp_path: Path) -> None:
    project = _project(tmp_path)
    code, out = _nox(project, "--no-venv", "-s", f"compat({CELL})", "compat(5.5.0@2024-06-20)", "matrix_report",
                     "--", "-k", "lazy_customer")

    assert "PassthroughEnv" not in out, out[-3000:]  # the old crash
    assert f"Session compat({CELL}) was successful" in out, out[-3000:]
    assert "compat(5.5.0@2024-06-20) skipped: --no-venv: this environment has stripe 16.1.0, the cell needs " \
           "stripe==5.5.0" in out
    # The report keeps its run id and leaves pytest's -k to the cells.
    assert "report: leaving -k lazy_customer to the cells" in out
    run = json.loads((project / f".stripe-compat/results/{CELL}.json").read_text())["run_id"]
    assert f"stripe-compat report --results .stripe-compat/results --run-id {run}" in out
    assert re.search(r"filtered: 2 of \d+ scenarios selected \(-k 'lazy_customer'\)", out), out[-3000:]
    assert code == 1  # an honest verdict: 29 cells not run


def test_without_uv_the_sessions_fall_back_to_virtualenv(tmp_path: Path) -> None:
    venv = tmp_path / "nox-without-uv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", "--seed", str(venv)], check=True)
    subprocess.run([sys.executable, "-m", "uv", "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                    "nox>=2026.8.17"], check=True, timeout=300)
    code, out = _nox(_project(tmp_path), "--envdir", str(tmp_path / "envs"), "-s", "matrix_report",
                     python=str(venv / "bin" / "python"), path=f"{venv / 'bin'}:/usr/bin:/bin")

    assert "No backends present" not in out, out[-3000:]
    assert "Creating virtual environment (virtualenv)" in out, out[-3000:]
    assert "stripe-compat report --results .stripe-compat/results --run-id" in out, out[-3000:]
    assert code == 1  # no cell ran in this run, and the verdict says so


def test_the_python_is_explicit_and_force_python_replaces_it() -> None:
    def pythons(*args: str) -> set[str]:
        done = subprocess.run([sys.executable, "-m", "nox", "-l", "--json", "-s", "compat", "tests", *args],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        return {s["python"] for s in json.loads(done.stdout)}

    assert pythons() == {f"{sys.version_info.major}.{sys.version_info.minor}"}
    assert pythons("--force-python", "3.13") == {"3.13"}


def test_the_committed_tox_toml_is_the_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    class Args:
        check, output = True, None

    assert run_tox(Args()) == 0, capsys.readouterr().out  # `stripe-compat ci tox --check`
    tox = tomllib.loads((ROOT / "tox.toml").read_text())
    cells = load_matrix(ROOT / "pyproject.toml").cells
    assert tox["env_list"] == [*(f"compat-{c.stripe}-{c.api_version}" for c in cells), "report"]
    posargs = {"replace": "posargs", "extend": True}
    for cell in cells:
        env = tox["env"][f"compat-{cell.stripe}-{cell.api_version}"]
        assert env["deps"] == [f"stripe=={cell.stripe}"]
        assert "compat" in env["labels"]
        (command,) = env["commands"]
        assert f"--stripe-api-version={cell.api_version}" in command
        assert command[-1] == posargs  # arguments after -- go to the cells' pytest ...
    report = tox["env"]["report"]
    assert posargs not in report["commands"][0]  # ... and never to the report
    assert report["depends"] == tox["env_list"][:-1]
    assert "--run-id" in report["commands"][0]


def test_tox_reads_the_generated_file(tmp_path: Path) -> None:
    project = _project(tmp_path)
    done = subprocess.run([sys.executable, "-m", "tox", "l"], cwd=project, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^compat-16\.1\.0-2025-03-31\.basil +-> one matrix cell", done.stdout, re.M), done.stdout
    labelled = subprocess.run([sys.executable, "-m", "tox", "l", "-m", "stripe-16.1.0"], cwd=project,
                              capture_output=True, text=True, timeout=120, check=False)
    assert labelled.stdout.count("compat-16.1.0-") == 5, labelled.stdout

"""A cell whose stripe release cannot be installed is reported as such, with the installer's message.

Before, such a cell wrote no result and the verdict called it "not run" beside green
cells. This runs the real compat session (nox, uv) in a copy of the project whose
matrix names a release that does not exist, then the verdict.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MISSING = "99.0.0"


def test_a_cell_that_cannot_install_leaves_a_result_and_fails_the_verdict(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.egg-info"))
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    matrix = re.search(r"\[tool\.stripe-compat\.matrix\]\n(stripe = \[[^\]]*\])", text)
    assert matrix, "the matrix's stripe list moved; update this test"
    pyproject.write_text(text.replace(matrix.group(1), f'stripe = ["{MISSING}"]'))
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_COMPAT_RUN_ID"}
    done = subprocess.run(
        [sys.executable, "-m", "nox", "--envdir", str(tmp_path / "nox"), "-s", f"compat({MISSING}@2024-06-20)"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    out = done.stdout + done.stderr

    assert done.returncode == 1, out[-3000:]
    data = json.loads((project / ".stripe-compat" / "results" / f"{MISSING}@2024-06-20.json").read_text())
    assert data["status"] == "install_failed"
    assert f"stripe=={MISSING}" in data["message"]
    assert data["run_id"]
    assert f"{MISSING}@2024-06-20 failed to install:" in out  # the verdict the session queued
    assert "NO INSTALL" in out
    assert "NOT GREEN" in out

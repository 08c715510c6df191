"""The noxfile under nox's --parallel: cells share one run, and the verdict follows failures.

Both are easy to lose. Each parallel cell is a separate nox process that imports the
noxfile again, so a run id made there per process would split one run into many and the
verdict would call every cell "not run". And nox skips a session whose ``requires=``
failed, which is why the verdict is selected by tag instead: this run makes one cell fail
(the old-style example integration on stripe 16, where StripeObject is no longer a dict)
and checks the verdict still comes, names both cells, and fails the run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSING, FAILING = "5.5.0@2024-06-20", "16.1.0@2024-06-20"


def test_parallel_cells_share_one_run_and_the_verdict_follows_a_failing_cell(tmp_path: Path) -> None:
    # A copy of the project, so the cells' results and JUnit files leave the checkout's alone.
    project = tmp_path / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.egg-info"))
    env = {k: v for k, v in os.environ.items() if k != "STRIPE_COMPAT_RUN_ID"}
    done = subprocess.run(
        [sys.executable, "-m", "nox", "--envdir", str(tmp_path / "nox"), "-j", "2",
         "-s", f"compat({PASSING})", f"compat({FAILING})", "matrix_report",
         "--", "--stripe-adapter=examples.legacy_integration.adapter:LegacyAdapter", "-k", "lazy_customer"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    out = done.stdout + done.stderr

    assert done.returncode == 1, out[-3000:]
    # Both cells counted in one run; -k makes the passing one partial, never green.
    assert "NOT GREEN: 0/30 cells green; 1 failed; 1 filtered or partial; 28 not run." in out, out[-3000:]
    verdict = out[out.index("stripe \\ API"):]
    rows = {line.split()[0]: line for line in verdict.splitlines()[2:4]}
    assert "PARTIAL 2 of 37" in rows["5.5.0"], verdict[:2000]
    assert "FAIL 0/2" in rows["16.1.0"], verdict[:2000]
    assert "filtered: 2 of 37 scenarios selected (-k 'lazy_customer') in 2 cells" in verdict
    assert f"{FAILING}  harness/scenarios/test_lazy_customer.py::" in verdict
    assert "is not a dict" in verdict  # the failing cell's known cause reaches the verdict

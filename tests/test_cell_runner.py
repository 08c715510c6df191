"""Several cells in one interpreter (``--stripe-api-versions``) report exactly what one process per cell did.

The matrix's release sessions run all of a release's API versions from one process
that forks a pytest run per cell. The verdict reads each cell's results file and JUnit
file, so those must match the old runner's (``--stripe-api-version``, one process per
cell) scenario for scenario: ids, outcomes, reasons, counts. A failing integration (the
old-style example on stripe 16, where StripeObject is no longer a dict) makes the
reasons worth comparing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from harness.cell_runner import cell_args
from harness.matrix import Cell
from harness.stripe_http import stripe_version

ROOT = Path(__file__).resolve().parents[1]
APIS = ("2024-06-20", "2025-03-31.basil")
#: Kept fast: the storm and the fault sweep are most of a cell's time and no different in how they report.
COMMON = ["--pyargs", "harness.scenarios", "--stripe-backend=replay", "-p", "no:randomly", "-q",
          "-k", "not test_storm and not test_faults",
          "--stripe-adapter=examples.legacy_integration.adapter:LegacyAdapter"]
#: What differs between two runs of the same cell whatever the runner: when it was written.
VOLATILE = ("written_at",)


def _pytest(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, check=False, env=None if env is None else {**os.environ, **env})


def _result(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    data["scenarios"] = sorted(data["scenarios"], key=lambda s: s["id"])
    return {k: v for k, v in data.items() if k not in VOLATILE}


def _junit(path: Path) -> tuple[str | None, list[tuple[str | None, str | None, str | None]]]:
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    cases = [(c.get("classname"), c.get("name"), next((f.get("message") for f in c), None)) for c in suite]
    return suite.get("name"), sorted(cases, key=str)


def test_one_process_per_release_reports_what_one_process_per_cell_did(tmp_path: Path) -> None:
    lib = stripe_version()
    for api in APIS:
        cell = f"{lib}@{api}"
        done = _pytest(*COMMON, f"--stripe-api-version={api}", f"--stripe-results={tmp_path}/old/{cell}.json",
                       f"--junitxml={tmp_path}/old/{cell}.xml", "-o", f"junit_suite_name=stripe-compat[{cell}]")
        assert done.returncode in (0, 1), done.stdout[-3000:] + done.stderr[-3000:]

    done = _pytest(*COMMON, f"--stripe-api-versions={','.join(APIS)}", f"--stripe-results={tmp_path}/new/{{cell}}.json",
                   f"--junitxml={tmp_path}/new/{{cell}}.xml", "-o", "junit_suite_name=stripe-compat[{cell}]")

    old = {api: _result(tmp_path / "old" / f"{lib}@{api}.json") for api in APIS}
    new = {api: _result(tmp_path / "new" / f"{lib}@{api}.json") for api in APIS}
    failing = [s for s in old[APIS[0]]["scenarios"] if s["outcome"] == "failed" and s["reason"]]
    assert failing, "nothing fails: no reason compared"
    for api in APIS:
        assert new[api] == old[api], api
        assert _junit(tmp_path / "new" / f"{lib}@{api}.xml") == _junit(tmp_path / "old" / f"{lib}@{api}.xml"), api
    # The first failing cell's status is the run's, as nox needs to fail the release's session.
    assert done.returncode == old[APIS[0]]["exitstatus"] == 1, done.stdout[-3000:]
    # Each cell's output is printed whole, not interleaved with the other's: progress, then its summary.
    # (pytest adds "(0:01:02)" to a summary past a minute, as a loaded machine can make it.)
    blocks = re.findall(r"^[.FEsx]+ +\[100%\]$.*?^\d+ failed[^\n]* in [\d.]+s( \([\d:]+\))?$", done.stdout,
                        re.M | re.S)
    assert len(blocks) == 2, done.stdout[-3000:]


def test_each_cell_runs_with_its_own_version_and_files() -> None:
    args = ["--pyargs", "harness.scenarios", "--stripe-api-versions", "a,b", "--stripe-jobs=2",
            "--stripe-results=out/{cell}.json", "-o", "junit_suite_name=stripe-compat[{cell}]"]

    assert cell_args(args, Cell("16.1.0", "2024-06-20")) == [
        "--pyargs", "harness.scenarios", "--stripe-results=out/16.1.0@2024-06-20.json",
        "-o", "junit_suite_name=stripe-compat[16.1.0@2024-06-20]", "--stripe-api-version=2024-06-20",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--stripe-api-versions=2024-06-20,2025-03-31.basil", "--stripe-results=out.json"],
     "would be written by every one of the 2 cells; put {cell} in the file name"),
    (["--stripe-api-versions=2024-06-20,2024-06-20"], "names an API version twice"),
    (["--stripe-api-versions=2024-06-20,,2025-03-31.basil"], "takes API versions separated by commas"),
    (["--stripe-api-versions=2024-06-20,basil"], "'basil' is not a Stripe API version"),
    (["--stripe-api-versions=2024-06-20", "--stripe-api-version=2024-06-20"], "not both"),
    (["--stripe-api-versions=2024-06-20", "--stripe-jobs=0"], "--stripe-jobs must be a whole number of at least 1"),
])
def test_a_wrong_cell_list_is_one_usage_error_before_any_cell_runs(args: list[str], message: str) -> None:
    done = _pytest("--pyargs", "harness.scenarios", "--stripe-backend=replay", *args)

    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "passed" not in done.stdout


def test_the_cell_list_and_results_from_the_environment_give_one_file_per_cell(tmp_path: Path) -> None:
    # Each cell inherits the environment that names the list: it must run its one version, not fork again.
    env = {"STRIPE_COMPAT_API_VERSIONS": ",".join(APIS), "STRIPE_COMPAT_RESULTS": f"{tmp_path}/{{cell}}.json"}

    done = _pytest("--pyargs", "harness.scenarios", "--stripe-backend=replay", "-p", "no:randomly", "-q",
                   "-k", "test_events_are_rendered_at_the_pinned_version", env=env)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    written = {p.name: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    assert sorted(written) == sorted(f"{stripe_version()}@{api}.json" for api in APIS)
    assert {d["api_version"] for d in written.values()} == set(APIS)
    assert all(d["counts"]["passed"] == 1 for d in written.values())

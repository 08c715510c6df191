"""Interrupted recordings: a SIGKILL mid-write leaves nothing a later run keeps, and pytest stops with its parent.

Issue 15 item 8: a killed write left ``.NAME.json.XXXX.tmp`` forever, invisible to
``cassettes scan``; killing only nox left its pytest child recording (26 cassettes
rewritten after nox had exited).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.cassettes.store import remove_stale_temp_files, temp_files
from harness.cli import main
from tests.requires import require

require("localstripe", "pip install 'stripe-compat[localstripe]'")

ROOT = Path(__file__).resolve().parents[1]
API = "2025-03-31.basil"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _gone(pid: int) -> bool:
    """True once ``pid`` has exited (a zombie nobody reaped counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _kill_if_running(pid: int) -> None:
    if not _gone(pid):
        os.kill(pid, signal.SIGKILL)


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def _killed_mid_write(target: Path) -> Path:
    """Run a cassette write in a child, SIGKILL it between the temporary file and the rename; the leftover."""
    script = textwrap.dedent(
        f"""
        import os, time
        from pathlib import Path
        from harness.backends.base import Response
        from harness.cassettes.store import CassetteFile
        from harness.cassettes.scrub import scrub_response
        from vcr.request import Request
        os.replace = lambda *args: time.sleep(600)  # hold the write window open
        request = Request("GET", "https://api.stripe.com/v1/customers", b"", {{}})
        CassetteFile([(request, scrub_response(Response(200, {{}}, b"{{}}")))], None).write(Path({str(target)!r}))
        """
    )
    child = subprocess.Popen([sys.executable, "-c", script], env=ENV)
    try:
        assert _wait_for(lambda: bool(temp_files(target.parent)), 30), "the child never started writing"
    finally:
        child.kill()
        child.wait()
    (leftover,) = temp_files(target.parent)
    return leftover


def test_a_write_killed_mid_window_is_flagged_by_scan_and_removed_by_the_next_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "cassettes" / API / "test_x" / "test_one.json"
    leftover = _killed_mid_write(target)
    assert not target.exists()
    assert leftover.name.startswith(".test_one.json.")

    assert main(["cassettes", "scan", str(tmp_path / "cassettes")]) == 1
    assert f"{leftover}: (file): temporary file of an interrupted cassette write" in capsys.readouterr().out

    in_progress = leftover.with_name(f".test_two.json.{os.getpid()}.abcd1234.tmp")  # a live writer's
    in_progress.write_text("{}")
    assert remove_stale_temp_files(tmp_path / "cassettes") == [leftover]
    assert temp_files(tmp_path / "cassettes") == [in_progress]


SLOW_SCENARIOS = """
import time

import pytest


@pytest.mark.parametrize("n", range(60))
def test_card(stripe_billing, n):
    user = stripe_billing.signup(f"user{n}@example.com")
    stripe_billing.verify_email(user)
    stripe_billing.add_card(user, "pm_card_visa")
    time.sleep(0.2)
"""

PARENT = """
import subprocess, sys, time
child = subprocess.Popen(
    [sys.executable, "-m", "pytest", "test_slow.py", "-p", "no:randomly", "-p", "no:cacheprovider", "-q",
     "--stripe-backend=localstripe", "--stripe-record-mode=all", "--stripe-api-version={api}"],
    stdout=open("child.log", "w"), stderr=subprocess.STDOUT,
)
open("child.pid", "w").write(str(child.pid))
time.sleep(600)
"""


def test_killing_the_parent_stops_the_recording_child_and_its_server(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.stripe-compat]\ncassettes = "cassettes"\n[tool.stripe-compat.matrix]\n'
        f'stripe = ["16.1.0"]\napi_versions = ["{API}"]\n'
    )
    (tmp_path / "test_slow.py").write_text(SLOW_SCENARIOS)
    (tmp_path / "parent.py").write_text(PARENT.format(api=API))
    folder = tmp_path / "cassettes" / API / "test_slow"
    folder.mkdir(parents=True)
    stale = folder / f".test_card_0_.json.{_dead_pid()}.k1ll3d00.tmp"
    stale.write_text('{"interactions": [')

    parent = subprocess.Popen([sys.executable, "parent.py"], cwd=tmp_path)
    child = server = None
    try:
        assert _wait_for(lambda: len(list(folder.glob("*.json"))) >= 2, 90), (tmp_path / "child.log").read_text()
        child = int((tmp_path / "child.pid").read_text())
        (server,) = _children(child)  # the localstripe server the recording started

        parent.kill()
        parent.wait()
        written = {p: p.stat().st_mtime_ns for p in folder.glob("*.json")}

        assert _wait_for(lambda: _gone(child), 20), "the pytest child went on after its parent died"
        assert _wait_for(lambda: _gone(server), 20), "the localstripe server outlived the run"
        time.sleep(0.5)
        assert {p: p.stat().st_mtime_ns for p in folder.glob("*.json")} == written, "a cassette was written after"
        assert len(written) < 60
        assert not stale.exists(), "a recording starts by removing what a killed write left"
        assert temp_files(tmp_path / "cassettes") == []
        assert "the process that started this run exited" in (tmp_path / "child.log").read_text()
    finally:
        parent.kill()
        parent.wait()
        for pid in (child, server):
            if pid is not None:
                _kill_if_running(pid)


def test_the_watchdog_thread_stops_a_child_where_the_kernel_cannot(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys, time
        from harness import lifeline
        lifeline._prctl_death_signal = lambda signum: False  # as on macOS: only the thread is left
        try:
            with lifeline.stop_with_parent() as line, line.interruptible():
                while True:
                    try:
                        open("beat", "a").write(".")
                        time.sleep(0.05)
                    except Exception:  # what an integration does around a Stripe call: must not swallow it
                        pass
        except lifeline.ParentExited:
            open("exit", "w").write("7")
        """
    )
    parent_code = (
        "import subprocess, sys, time\n"
        f"c = subprocess.Popen([sys.executable, '-c', {script!r}])\n"
        "open('child.pid', 'w').write(str(c.pid))\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=tmp_path, env=ENV)
    child = None
    try:
        assert _wait_for(lambda: (tmp_path / "beat").exists(), 30)
        child = int((tmp_path / "child.pid").read_text())
        parent.kill()
        parent.wait()
        assert _wait_for(lambda: _gone(child), 5)
        assert (tmp_path / "exit").read_text() == "7"
        beats = (tmp_path / "beat").read_text()
        time.sleep(0.3)
        assert (tmp_path / "beat").read_text() == beats
    finally:
        parent.kill()
        parent.wait()
        if child is not None:
            _kill_if_running(child)

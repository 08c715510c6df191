"""Running one cell, any ``stripe`` release × API version, in its own virtualenv.

The upgrade target is often outside the configured matrix (that is why you are
checking it), so cells get their own uv venvs rather than the nox compat sessions,
which exist only for matrix cells. One venv per library release, reused across API
versions and runs, and only reinstalled when the specs or pyproject.toml change.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import BackendError, ConfigError
from ..install_source import harness_install_args, install_fingerprint, project_install_args
from ..matrix import LIBRARY_DEFAULT, Cell
from ..report.results import CellResult, read_result


def _uv() -> str:
    found = shutil.which("uv")
    if found is None:
        msg = "uv is not on PATH; install it (pip install uv, or 'nox[uv]') to let the upgrade check build its venvs."
        raise BackendError(msg)
    return found


def _check(cmd: list[str], log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        msg = f"{' '.join(cmd[:3])} ... failed (exit {done.returncode}); see {log}."
        raise BackendError(msg)


def ensure_venv(stripe_version: str, root: Path, workdir: Path) -> Path:
    """A venv with the harness, the project at ``root`` when installable, and ``stripe==stripe_version``."""
    venv = workdir / "venvs" / f"stripe-{stripe_version}"
    python = venv / "bin" / "python"
    # localstripe too, so that --backend localstripe can run a cell live in the same venv.
    specs = [*harness_install_args(root, ("localstripe",)), *project_install_args(root), f"stripe=={stripe_version}"]
    stamp = install_fingerprint(root, specs)
    marker = venv / ".stripe-compat-installed"
    if marker.is_file() and marker.read_text() == stamp:
        return python
    log = workdir / "logs" / f"venv-stripe-{stripe_version}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    # The interpreter running the harness is one the harness supports.
    _check([_uv(), "venv", "--quiet", "--allow-existing", "--python", sys.executable, str(venv)], log)
    _check([_uv(), "pip", "install", "--quiet", "--python", str(python), *specs], log)
    marker.write_text(stamp)
    return python


def sent_api_version(cell: Cell, root: Path, workdir: Path) -> str:
    """The API version ``cell`` runs at: its own, or for library-default what its release sends unpinned."""
    if cell.api_version != LIBRARY_DEFAULT:
        return cell.api_version
    python = ensure_venv(cell.stripe, root, workdir)
    code = "from harness.config import resolve_api_version as r; print(r('library-default'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # the release pins nothing: the ConfigError's sentence is the last line
        raise ConfigError(done.stderr.strip().splitlines()[-1].partition(": ")[2])
    return done.stdout.strip()


def run_cell(cell: Cell, *, adapter: str | None, root: Path, workdir: Path, backend: str = "replay") -> CellResult:
    """Replay the scenarios for ``cell`` and return its result; the pytest log goes to ``workdir/logs``."""
    python = ensure_venv(cell.stripe, root, workdir)
    results = workdir / "results" / f"{cell.id}.json"
    results.unlink(missing_ok=True)  # never report an earlier run's file as this one's
    log = workdir / "logs" / f"{cell.id}.log"
    log.write_text("")
    cmd = [
        str(python), "-m", "pytest", "--pyargs", "harness.scenarios", "-p", "no:cacheprovider", "-q",
        f"--stripe-backend={backend}", f"--stripe-api-version={cell.api_version}", f"--stripe-results={results}",
    ]
    if adapter:
        cmd.append(f"--stripe-adapter={adapter}")
    with log.open("a") as out:
        # cwd=root puts the project (and an adapter package at its root) on sys.path.
        subprocess.run(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT, check=False)
    if not results.is_file():
        msg = f"Cell {cell.id} wrote no results (pytest could not start or collect); see {log}."
        raise BackendError(msg)
    return read_result(results)[0]

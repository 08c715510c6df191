"""The result file's shape and how it is written, with the standard library only.

Shared by the pytest plugin's results writer and the nox compat session, which
writes a cell's result itself when the cell's virtualenv cannot be installed (so
nothing of the harness is importable there but this module).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

#: Bumped when a field's meaning changes; the report reads every version so far.
FORMAT = 2
#: Set by the nox sessions (and the CI workflow) so every cell of one run carries the same id.
RUN_ID_ENV = "STRIPE_COMPAT_RUN_ID"
OUTCOMES = ("passed", "failed", "error", "skipped", "not_applicable")


def write_json(target: Path, data: dict[str, Any]) -> None:
    """Write through a temporary file beside the target, so a killed run never leaves half a result.

    The temporary name does not end in ``.json``, so the report never reads one left behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, target)


def base_record(stripe: str, api_version: str, backend: str, run_id: str | None) -> dict[str, Any]:
    """The fields every result file starts with: format, run, cell, when."""
    return {
        "format": FORMAT,
        "run_id": run_id,
        "stripe": stripe,
        "api_version": api_version,
        "backend": backend,
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def write_install_failure(target: Path, stripe: str, api_version: str, message: str, run_id: str | None) -> None:
    """The result of a cell whose virtualenv could not be built: no scenario ran, and why.

    Written by the compat session when the installer fails, so the report names the
    cell as failed to install (with the installer's own words) instead of "not run".
    """
    data = base_record(stripe, api_version, "replay", run_id)
    data.update({"status": "install_failed", "message": message.strip()[-4000:], "exitstatus": None,
                 "counts": dict.fromkeys(OUTCOMES, 0), "collected": 0, "selected": 0, "deselected": 0,
                 "scenarios": []})
    write_json(target, data)

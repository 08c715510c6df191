"""Per-cell JUnit XML, as pytest wrote it with ``--junitxml``, gathered for the run's cells.

pytest's own files are kept rather than regenerated from the result JSON: they carry
tracebacks and captured output that CI test viewers show. Gathering them by the run's
cells keeps stale files from an earlier run out of the artefact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .verdict import Verdict

#: Where the compat session writes ``<cell>.xml`` (``--junitxml=.stripe-compat/junit/<cell>.xml``).
DEFAULT_JUNIT_DIR = Path(".stripe-compat/junit")


def collect_junit(verdict: Verdict, source: Path, target: Path) -> tuple[list[Path], list[str]]:
    """Copy each cell that ran's ``<cell>.xml`` from ``source`` into ``target``.

    Returns the files written and the ids of cells that ran without a JUnit file.
    """
    written, missing = [], []
    for result in verdict.ran:
        found = source / f"{result.cell.id}.xml"
        if not found.is_file():
            missing.append(result.cell.id)
            continue
        target.mkdir(parents=True, exist_ok=True)
        written.append(Path(shutil.copyfile(found, target / found.name)))
    return written, missing

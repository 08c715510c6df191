"""Writing recording files so that no reader ever sees half of one.

A cassette is replaced whole (a crash mid-write leaves the previous file); a shared base is
created once and never rewritten, so parallel recorders and xdist workers adding the same
base cannot conflict. Temporary files are named ``.<name>.<writer pid>.<random>.tmp``, which
tells a write in progress from one a SIGKILL interrupted (see ``store.remove_stale_temp_files``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _temp_copy(path: Path, text: str, mode: int) -> Path:
    """``text`` fsynced into a temporary file beside ``path``, with file mode ``mode``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def replace_file(path: Path, text: str) -> None:
    """Write ``path`` atomically, keeping its mode (mkstemp creates 0600; recordings are project files)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    tmp = _temp_copy(path, text, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def create_once(path: Path, text: str) -> bool:
    """Create ``path`` holding ``text`` unless it exists; True when this call created it.

    ``os.link`` fails when the target exists, so of two writers racing for one name exactly
    one wins and neither rewrites the other's complete file.
    """
    if path.exists():
        return False
    tmp = _temp_copy(path, text, 0o644)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links: same content, so replacing is harmless
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)
    return True

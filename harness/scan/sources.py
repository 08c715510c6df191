"""Which files the scan reads: the paths given, or the adopter's package, parsed with :mod:`ast`."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from ..config import DEFAULT_ADAPTER, read_tool_table
from ..errors import ConfigError

#: Folders that hold someone else's code or generated files, never the team's.
SKIPPED_DIRS = frozenset({".venv", "venv", ".nox", ".tox", ".git", "__pycache__", "site-packages", "node_modules",
                          "build", "dist", ".stripe-compat"})


def python_files(paths: list[Path]) -> Iterator[Path]:
    """Every ``.py`` file under ``paths``, sorted, skipping virtualenvs and build folders."""
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path} does not exist; name a Python file or a folder of them.")
        if path.is_file():
            yield path
            continue
        for found in sorted(path.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(found.relative_to(path).parts[:-1]):
                yield found


def parse(path: Path) -> tuple[ast.Module | None, str, str | None]:
    """The file's tree and text, or None and why it could not be read (the scan goes on)."""
    try:
        text = path.read_text(encoding="utf-8")
        return ast.parse(text, filename=str(path)), text, None
    except (OSError, UnicodeDecodeError) as exc:
        return None, "", f"cannot read it ({exc})"
    except SyntaxError as exc:
        return None, "", f"not valid Python (line {exc.lineno}: {exc.msg})"


def adopter_package(pyproject: Path, adapter: str | None = None) -> Path:
    """The package holding the adapter (default: pyproject's): ``shop.adapter:A`` -> ``<root>/shop``.

    The scan reads the whole package, not only the adapter module: the code the
    scenarios never run lives next to it.
    """
    adapter = adapter or read_tool_table(pyproject).get("adapter", DEFAULT_ADAPTER)
    parts = adapter.partition(":")[0].split(".")
    relative = Path(*parts[:-1]) if len(parts) > 1 else Path(f"{parts[0]}.py")
    root = pyproject.parent
    for candidate in (root / relative, root / "src" / relative):
        if candidate.exists():
            return candidate
    msg = (f"cannot find the adapter's package {relative} (from adapter = {adapter!r} in {pyproject}) under "
           f"{root} or {root / 'src'}; pass the folders to scan: stripe-compat scan PATH ...")
    raise ConfigError(msg)

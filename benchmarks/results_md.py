"""benchmarks/RESULTS.md: each script owns one section, which it replaces when run with --write."""

from __future__ import annotations

import platform
import re
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def stamp() -> str:
    """Date and machine, for a section heading: figures mean little without them."""
    return f"{time.strftime('%Y-%m-%d')}, {platform.machine()}, Python {platform.python_version()}"


def write_section(heading: str, text: str, results: Path = RESULTS) -> None:
    """Replace the section whose first line starts with ``heading``, or append it."""
    previous = results.read_text() if results.exists() else "# Benchmark results\n"
    section = re.compile(re.escape(heading) + r".*?(?=\n## |\Z)", re.S)
    body = text.rstrip() + "\n"
    results.write_text(
        section.sub(lambda _m: body, previous) if section.search(previous) else previous.rstrip() + "\n\n" + body
    )

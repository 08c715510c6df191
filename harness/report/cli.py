"""``stripe-compat report``: the matrix verdict from the cells' result files, in every format.

Without ``--out`` the chosen format goes to stdout (the terminal table by default, as
the compat session's ``matrix_report`` prints it); with ``--out`` the files are written
there and the table is still printed, so a CI log shows the verdict either way.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

from ..matrix import load_matrix
from .html import render_html
from .junit import DEFAULT_JUNIT_DIR, collect_junit
from .markdown import render_markdown
from .results import load_results
from .table import render_table
from .verdict import Verdict

#: Text formats and the file each is written to under ``--out``.
RENDERERS: dict[str, tuple[str, Callable[[Verdict], str]]] = {
    "table": ("report.txt", lambda v: render_table(v.matrix, v.results) + "\n"),
    "markdown": ("report.md", render_markdown),
    "json": ("report.json", lambda v: json.dumps(v.as_dict(), indent=2) + "\n"),
    "html": ("report.html", render_html),
}
FORMATS = (*RENDERERS, "junit", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    parser = subparsers.add_parser(
        "report", help="the matrix verdict from per-cell results: table, Markdown, JSON, JUnit, HTML"
    )
    parser.add_argument("--results", type=Path, default=Path(".stripe-compat/results"),
                        help="folder of per-cell JSON results (default: .stripe-compat/results)")
    parser.add_argument("--run-id", default=None, help="only the cells of this nox run")
    parser.add_argument("--format", dest="formats", action="append", choices=FORMATS, default=None,
                        help="repeatable; 'all' writes every format (default: table)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the formats into this folder instead of stdout")
    parser.add_argument("--junit-dir", type=Path, default=DEFAULT_JUNIT_DIR,
                        help=f"where the cells' pytest --junitxml files are (default: {DEFAULT_JUNIT_DIR})")
    parser.set_defaults(func=run)


def _chosen(formats: list[str] | None) -> list[str]:
    if not formats:
        return ["table"]
    if "all" in formats:
        return [*RENDERERS, "junit"]
    return list(dict.fromkeys(formats))


def run(args: argparse.Namespace) -> int:
    """Render the verdict; exit 1 when a cell that ran is not green."""
    matrix = load_matrix()
    verdict = Verdict(matrix, load_results(args.results, matrix, args.run_id))
    formats = _chosen(args.formats)
    if args.out is None:
        if len(formats) != 1 or formats[0] == "junit":
            print("stripe-compat report: several formats, or junit, need --out DIR to write files into.",
                  file=sys.stderr)
            return 2
        print(RENDERERS[formats[0]][1](verdict), end="")
    else:
        _write(verdict, formats, args.out, args.junit_dir)
    return 0 if verdict.ok else 1


def _write(verdict: Verdict, formats: list[str], out: Path, junit_dir: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in formats:
        if name == "junit":
            files, missing = collect_junit(verdict, junit_dir, out / "junit")
            written += files
            if missing:
                named = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
                print(f"stripe-compat report: no JUnit file in {junit_dir} for {named}; "
                      "the compat session writes them with --junitxml (see docs/report.md).", file=sys.stderr)
            continue
        filename, render = RENDERERS[name]
        path = out / filename
        path.write_text(render(verdict))
        written.append(path)
    print(render_table(verdict.matrix, verdict.results))
    for path in written:
        print(f"wrote {path}")

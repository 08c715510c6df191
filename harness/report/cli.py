"""``stripe-compat report``: the matrix verdict from the cells' result files, in every format.

Without ``--out`` the chosen format goes to stdout (the terminal table by default, as
the compat session's ``matrix_report`` prints it); with ``--out`` the files are written
there and only the verdict's headline and gaps are printed, so ``nox -s compat report``
shows the table once. Exit 0 only on a green verdict; 1 when it is not green; 2 when
the results folder does not exist (every format still says why, so a stale report in
``--out`` is never left looking green).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..matrix import load_matrix
from .html import render_html
from .junit import DEFAULT_JUNIT_DIR, collect_junit
from .markdown import FULL_REPORT, render_markdown
from .results import load_run
from .table import render_summary, render_table
from .verdict import Verdict

#: Text formats and the files each writes under ``--out`` (the first is what stdout gets).
RENDERERS: dict[str, list[tuple[str, Callable[[Verdict], str]]]] = {
    "table": [("report.txt", lambda v: render_table(v) + "\n")],
    "markdown": [("report.md", render_markdown), (FULL_REPORT, partial(render_markdown, full=True))],
    "json": [("report.json", lambda v: json.dumps(v.as_dict(), indent=2) + "\n")],
    "html": [("report.html", render_html)],
}
FORMATS = (*RENDERERS, "junit", "all")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    parser = subparsers.add_parser(
        "report", help="the matrix verdict from per-cell results: table, Markdown, JSON, JUnit, HTML"
    )
    parser.add_argument("--results", type=Path, default=Path(".stripe-compat/results"),
                        help="folder of per-cell JSON results (default: .stripe-compat/results)")
    parser.add_argument("--run-id", default=None,
                        help="only the cells of this run (default: the run that wrote the newest result)")
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
    """Render the verdict; exit 0 green, 1 not green, 2 no results folder or bad usage."""
    formats = _chosen(args.formats)
    if args.out is None and (len(formats) != 1 or formats[0] == "junit"):
        print("stripe-compat report: several formats, or junit, need --out DIR to write files into.",
              file=sys.stderr)
        return 2
    matrix = load_matrix()
    run_results = load_run(args.results, matrix, args.run_id)
    verdict = Verdict.of(matrix, run_results)
    if args.out is None:
        print(RENDERERS[formats[0]][0][1](verdict), end="")
    else:
        _write(verdict, formats, args.out, args.junit_dir)
    if not args.results.is_dir():
        print(f"stripe-compat report: {args.results} does not exist; run the matrix first (nox -s compat) "
              "or pass --results DIR with the cells' result files.", file=sys.stderr)
        return 2
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
                print(f"stripe-compat report: no JUnit file in {junit_dir} for {named}; built from the result "
                      "files, without tracebacks (the compat session writes them with --junitxml).", file=sys.stderr)
            continue
        for filename, render in RENDERERS[name]:
            path = out / filename
            path.write_text(render(verdict))
            written.append(path)
    print(render_summary(verdict))
    for path in written:
        if path.suffix != ".xml":
            print(f"wrote {path}")
    if junit := [p for p in written if p.suffix == ".xml"]:
        print(f"wrote {len(junit)} JUnit file(s) in {junit[0].parent}")

"""``stripe-compat scan [PATH ...] --from LIB@API --to LIB@API``: what the upgrade breaks in the code itself.

Exit 0 when nothing breaks (warnings alone do not fail), 1 when something does, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from ..errors import ConfigError
from ..matrix import find_pyproject
from ..upgrade.cli import cell_argument
from .engine import scan
from .render import render_json, render_text
from .sarif import render_sarif
from .sources import adopter_package

FORMATS = ("text", "json", "sarif")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scan`` command."""
    parser = subparsers.add_parser(
        "scan", help="read the code (never run it) and list what an upgrade breaks there, line by line")
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="files or folders to read (default: the package of [tool.stripe-compat] adapter)")
    parser.add_argument("--from", dest="source", type=cell_argument, required=True, metavar="LIB@API",
                        help="the stripe release and API version you run today, e.g. 7.14.0@2023-10-16 "
                             "(LIB@library-default: the version that release sends unpinned)")
    parser.add_argument("--to", dest="target", type=cell_argument, required=True, metavar="LIB@API",
                        help="the ones you want, e.g. 16.1.0@2026-10-28.endive")
    parser.add_argument("--format", choices=FORMATS, default="text", help="text (default), json or sarif")
    parser.add_argument("--output", type=Path, default=None, help="write the report here instead of stdout")
    parser.add_argument("--notes", action="store_true",
                        help="also list changes that only matter to byte-exact request matching")
    parser.set_defaults(func=run)


def _tool_version() -> str:
    try:
        return version("stripe-compat")
    except PackageNotFoundError:
        return "0"


def _write(text: str, output: Path | None) -> None:
    """stdout, or the file written whole (a temporary file renamed into place): never half a report."""
    if output is None:
        print(text)
        return
    if not output.parent.is_dir():
        raise ConfigError(f"cannot write {output}: folder {output.parent} does not exist; create it or pick another.")
    with tempfile.NamedTemporaryFile("w", dir=output.parent, prefix=f".{output.name}.", delete=False) as tmp:
        tmp.write(text + "\n")
    os.replace(tmp.name, output)


def run(args: argparse.Namespace) -> int:
    """Scan, print in the chosen format, exit 1 when something breaks."""
    if args.source == args.target:
        raise ConfigError(f"--from and --to are the same cell ({args.source.id}); name the cell you want to move to.")
    if args.paths:
        paths = args.paths
        try:
            root = find_pyproject().parent
        except ConfigError:  # scanning code outside any project: paths relative to here
            root = Path.cwd()
    else:
        pyproject = find_pyproject()
        root, paths = pyproject.parent, [adopter_package(pyproject)]
    result = scan(paths, args.source, args.target, include_notes=args.notes)
    if args.format == "json":
        text = json.dumps(render_json(result, root), indent=2)
    elif args.format == "sarif":
        text = json.dumps(render_sarif(result, root, _tool_version()), indent=2)
    else:
        text = render_text(result, root)
    _write(text, args.output)
    return 1 if result.breaks else 0

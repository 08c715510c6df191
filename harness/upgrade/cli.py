"""``stripe-compat upgrade --from LIB@API --to LIB@API``: is this upgrade safe, and if not, what breaks?

Runs the from-cell, the target cell and the way back (the from-cell's library against
the target's API version: what happens if the API version is bumped before the library
is deployed everywhere, or the library rolled back), each in its own venv, and prints
every failure with its known cause, what ``scan`` finds in the adapter's package (the code
the scenarios do not run), and the contract diff. Exit 0 safe, 1 breaks, 2 usage.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..contracts.diff import diff_versions
from ..contracts.registry import known_api_versions
from ..errors import ConfigError
from ..matrix import LIBRARY_DEFAULT, Cell, find_pyproject
from ..progress import progress
from ..scan.engine import scan
from ..scan.findings import ScanResult
from ..scan.sources import adopter_package
from .cells import run_cell, sent_api_version
from .compare import breaks
from .render import CellCheck, render_json, render_text


def cell_argument(text: str) -> Cell:
    """argparse type for ``LIB@API``: a bad cell is a usage error that names the expected form."""
    try:
        return Cell.parse(text)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``upgrade`` command."""
    parser = subparsers.add_parser("upgrade", help="run two cells and report what breaks moving from one to the other")
    parser.add_argument("--from", dest="source", type=cell_argument, required=True, metavar="LIB@API",
                        help="the cell you run today, e.g. 7.14.0@2023-10-16")
    parser.add_argument("--to", dest="target", type=cell_argument, required=True, metavar="LIB@API",
                        help="the cell you want, e.g. 16.1.0@2026-10-28.endive")
    parser.add_argument("--adapter", default=None, help="integration adapter as module:Class (default: pyproject's)")
    parser.add_argument("--workdir", type=Path, default=Path(".stripe-compat/upgrade"),
                        help="venvs, results and logs (default: .stripe-compat/upgrade)")
    parser.add_argument("--no-way-back", action="store_true",
                        help="skip the from-library against the target API version")
    parser.add_argument("--backend", choices=("replay", "localstripe"), default="replay",
                        help="replay the cassettes (default), or run both ends live against localstripe, "
                        "without cassettes")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the target (and the way back) pass every scenario and the scan finds no break, else 1."""
    source, target = args.source, args.target
    if source == target:
        raise ConfigError(f"--from and --to are the same cell ({source.id}); name the cell you want to move to.")
    pyproject = find_pyproject()
    root = pyproject.parent
    workdir = args.workdir.resolve()
    # An unknown API version is exit 2 before any venv; library-default is known once its release is installed.
    known = known_api_versions()
    for version in {c.api_version for c in (source, target)} - {LIBRARY_DEFAULT, *known}:
        raise ConfigError(f"unknown API version {version!r}; known versions: {', '.join(known)}")
    sent = [Cell(c.stripe, sent_api_version(c, root, workdir)) for c in (source, target)]
    diff = diff_versions(sent[0].api_version, sent[1].api_version)
    # The code the scenarios never reach, read statically at the versions really sent; an adapter
    # outside the project (an installed package) cannot be read, which the output says.
    try:
        unrun: ScanResult | str = scan([adopter_package(pyproject, args.adapter)], *sent)
    except ConfigError as exc:
        unrun = str(exc)

    way_back = Cell(source.stripe, target.api_version)
    # An unpinned integration rolled back is the from-cell again: there is no way back to check.
    with_way_back = (
        not args.no_way_back and way_back not in (source, target) and target.api_version != LIBRARY_DEFAULT
    )
    with progress("upgrade", total=3 if with_way_back else 2) as tracker:

        def check(cell: Cell, role: str, baseline: CellCheck | None) -> CellCheck:
            tracker.doing(f"{role} {cell.id} (its venv, then the scenarios)")
            result = run_cell(cell, adapter=args.adapter, root=root, workdir=workdir, backend=args.backend)
            tracker.done()
            tracker.say(f"{role} {cell.id}: {result.passed} passed, {result.failed} failed")
            return CellCheck(cell, role, result, breaks(baseline.result if baseline else None, result))

        before = check(source, "from", None)
        checks = [check(target, "to", before)]
        if with_way_back:
            checks.append(check(way_back, "way back", before))
    if args.json:
        print(json.dumps(render_json(before, checks, diff, unrun, root), indent=2))
    else:
        print(render_text(before, checks, diff, unrun, root))
    return 1 if any(c.breaks for c in checks) or (isinstance(unrun, ScanResult) and unrun.breaks) else 0

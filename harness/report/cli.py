"""``stripe-compat report``: print the matrix table from the cells' result files."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..matrix import load_matrix
from .results import load_results
from .table import render_table


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``report`` command."""
    parser = subparsers.add_parser("report", help="print the matrix table from per-cell results")
    parser.add_argument("--results", type=Path, default=Path(".stripe-compat/results"),
                        help="folder of per-cell JSON results (default: .stripe-compat/results)")
    parser.add_argument("--run-id", default=None, help="only the cells of this nox run")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the table; exit 1 when a cell that ran is not green."""
    matrix = load_matrix()
    results = load_results(args.results, matrix, args.run_id)
    print(render_table(matrix, results))
    return 0 if all(r.ok for r in results.values() if r is not None) else 1

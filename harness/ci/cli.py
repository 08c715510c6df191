"""``stripe-compat ci github|tox [--check]``: write (or verify) the CI configuration generated from the matrix."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..matrix import find_pyproject, load_matrix
from .github import WORKFLOW_PATH, Install, render_workflow
from .tox import TOX_PATH, render_tox


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``ci`` command group."""
    group = subparsers.add_parser("ci", help="CI configuration generated from the matrix in pyproject.toml")
    commands = group.add_subparsers(dest="ci_command", metavar="SUBCOMMAND", required=True)
    github = commands.add_parser("github", help=f"write {WORKFLOW_PATH} (one job per matrix cell)")
    github.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    github.add_argument("--output", type=Path, default=None, help=f"default: {WORKFLOW_PATH} at the project root")
    github.add_argument("--requirement", default=None,
                        help="how CI installs stripe-compat, e.g. 'stripe-compat==0.1.0' "
                             "(default: the project's own stripe-compat requirement, else 'stripe-compat')")
    github.set_defaults(func=run_github)
    tox = commands.add_parser("tox", help=f"write {TOX_PATH} (one tox environment per matrix cell, then the report)")
    tox.add_argument("--check", action="store_true", help="exit 1 if the file differs from what would be written")
    tox.add_argument("--output", type=Path, default=None, help=f"default: {TOX_PATH} at the project root")
    tox.set_defaults(func=run_tox)


def run_github(args: argparse.Namespace) -> int:
    """Write the workflow, or with ``--check`` compare it; the matrix is the only input."""
    pyproject = find_pyproject()
    path = args.output or pyproject.parent / WORKFLOW_PATH
    text = render_workflow(load_matrix(pyproject), Install.of(pyproject, args.requirement))
    return write_or_check(path, text, check=args.check, command="ci github")


def run_tox(args: argparse.Namespace) -> int:
    """Write tox.toml, or with ``--check`` compare it; the matrix and the project's install are the input."""
    pyproject = find_pyproject()
    path = args.output or pyproject.parent / TOX_PATH
    return write_or_check(path, render_tox(load_matrix(pyproject), pyproject.parent), check=args.check,
                          command="ci tox")


def write_or_check(path: Path, text: str, *, check: bool, command: str) -> int:
    """Write ``text`` to ``path``; with ``check``, exit 1 if the committed file differs instead."""
    current = path.read_text() if path.is_file() else None
    if check:
        if current == text:
            print(f"{path} is up to date with the matrix.")
            return 0
        print(f"{path} is out of date with [tool.stripe-compat.matrix]; run `stripe-compat {command}` and commit it.")
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}" if current != text else f"{path} unchanged")
    return 0

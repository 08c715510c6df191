"""``stripe-compat cassettes scan|diff``: the checks a reviewer runs on a re-recording.

Exit codes follow harness.cli: 0 clean or identical, 1 secrets found or recordings
differ, 2 bad usage (a :class:`~harness.errors.ConfigError` becomes exit 2 there).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError
from .diff import diff_cassettes
from .scan import files_under, scan

DEFAULT_FOLDER = Path("cassettes")


def run_scan(args: argparse.Namespace) -> int:
    """Print every secret-shaped value (masked) and exit 1 if there is any."""
    count, findings = scan(args.paths or [DEFAULT_FOLDER])
    for finding in findings:
        print(finding)
    if findings:
        print(
            f"{len(findings)} secret-shaped value(s) in {count} file(s). Re-record the cassettes "
            "(the recorder scrubs them) or replace each value with a placeholder, and rotate any real key."
        )
        return 1
    print(f"{count} file(s) scanned: no secret-shaped values.")
    return 0


def _pairs(old: Path, new: Path) -> tuple[list[tuple[Path, Path]], list[str]]:
    """Cassettes to compare: two files, or two folders matched by relative path."""
    if old.is_file() and new.is_file():
        return [(old, new)], []
    if not (old.is_dir() and new.is_dir()):
        raise ConfigError(f"compare two cassette files or two folders; got {old} and {new}")
    before = {p.relative_to(old): p for p in files_under(old)}
    after = {p.relative_to(new): p for p in files_under(new)}
    only = [f"only in {old}: {rel}" for rel in sorted(before.keys() - after.keys())]
    only += [f"only in {new}: {rel}" for rel in sorted(after.keys() - before.keys())]
    return [(before[rel], after[rel]) for rel in sorted(before.keys() & after.keys())], only


def run_diff(args: argparse.Namespace) -> int:
    """Print the semantic differences; exit 1 if there is any."""
    pairs, unmatched = _pairs(args.old, args.new)
    different = len(unmatched)
    for line in unmatched:
        print(line)
    for old, new in pairs:
        changes = diff_cassettes(old, new)
        different += bool(changes)
        for change in changes:
            print(f"{new}: {change}")
    if different:
        print(f"{different} recording(s) differ.")
        return 1
    print(f"{len(pairs)} recording(s) identical (ids, timestamps and request ids ignored).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cassettes`` command group to ``stripe-compat``."""
    group = subparsers.add_parser("cassettes", help="check recorded cassettes: secrets, semantic diffs")
    commands = group.add_subparsers(dest="cassettes_command", metavar="SUBCOMMAND", required=True)

    p_scan = commands.add_parser("scan", help="fail on API keys, secrets and real e-mail addresses in cassettes")
    p_scan.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: cassettes/)")
    p_scan.set_defaults(func=run_scan)

    p_diff = commands.add_parser("diff", help="semantic differences between two recordings (files or folders)")
    p_diff.add_argument("old", type=Path, metavar="OLD")
    p_diff.add_argument("new", type=Path, metavar="NEW")
    p_diff.set_defaults(func=run_diff)

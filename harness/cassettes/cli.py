"""``stripe-compat cassettes scan|diff|compact``: the checks a reviewer runs on a re-recording, and the repacking.

Exit codes follow harness.cli: 0 clean or identical, 1 secrets found or recordings
differ, 2 bad usage (a :class:`~harness.errors.ConfigError` becomes exit 2 there).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ConfigError, MissingBase
from .compact import compact
from .diff import diff_cassettes
from .scan import scan
from .store import cassette_files

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
    # a folder's _shared/ bases are part of its cassettes, compared through them, not paired themselves
    before = {p.relative_to(old): p for p in cassette_files(old)}
    after = {p.relative_to(new): p for p in cassette_files(new)}
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
        try:
            changes = diff_cassettes(old, new)
        except MissingBase as exc:
            if args.old.is_dir():
                raise
            msg = (
                f"{exc.path} refers to shared bases that are not beside it ({exc.problem}). A cassette in the "
                "shared form reads only inside its API version folder: compare the folders instead "
                "(stripe-compat cassettes diff OLD_FOLDER NEW_FOLDER), or copy the folder's _shared/ along."
            )
            raise ConfigError(msg) from None
        different += bool(changes)
        for change in changes:
            print(f"{new}: {change}")
    if different:
        print(f"{different} recording(s) differ.")
        return 1
    print(f"{len(pairs)} recording(s) identical (ids, timestamps and request ids ignored).")
    return 0


def run_compact(args: argparse.Namespace) -> int:
    """Convert every cassette of each API version folder to the shared form; exit 1 if one would not read back."""
    outcome = compact(args.paths or [DEFAULT_FOLDER])
    for line in outcome.lines:
        print(line)
    return 1 if outcome.refused else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cassettes`` command group to ``stripe-compat``."""
    group = subparsers.add_parser("cassettes", help="check recorded cassettes (secrets, semantic diffs), compact them")
    commands = group.add_subparsers(dest="cassettes_command", metavar="SUBCOMMAND", required=True)

    p_scan = commands.add_parser("scan", help="fail on API keys, secrets and real e-mail addresses in cassettes")
    p_scan.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: cassettes/)")
    p_scan.set_defaults(func=run_scan)

    p_diff = commands.add_parser("diff", help="semantic differences between two recordings (files or folders)")
    p_diff.add_argument("old", type=Path, metavar="OLD")
    p_diff.add_argument("new", type=Path, metavar="NEW")
    p_diff.set_defaults(func=run_diff)

    p_compact = commands.add_parser(
        "compact", help="store every cassette against its API version folder's shared bases, and prune unused ones"
    )
    p_compact.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH",
        help="cassette roots or API version folders (default: cassettes/)",
    )
    p_compact.set_defaults(func=run_compact)

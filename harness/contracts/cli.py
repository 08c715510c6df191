"""``stripe-compat contracts build|check|diff``.

Exit codes follow harness.cli: 0 clean, 1 the check found problems, 2 bad usage (a
:class:`~harness.errors.ConfigError` raised here becomes exit 2 in ``harness.cli.main``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..cassettes.store import cassette_files
from ..errors import ConfigError
from ..progress import progress
from . import shapes_build
from .build import build
from .diff import as_json, as_table, diff_versions
from .fidelity import check_files, dumps
from .payloads import read_payloads
from .registry import known_api_versions, load_contracts, resolve_contracts_dir

RECORDED = "recorded"


def _contracts_dir_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--contracts-dir", type=Path, default=None, help="contracts directory (default: the repository's contracts/)"
    )


def run_build(args: argparse.Namespace) -> int:
    """Regenerate provider schemas from each spec, then re-derive later versions from the catalogue."""
    directory = args.contracts_dir or resolve_contracts_dir(None)
    for spec in args.spec:
        version, derived = build(spec, directory)
        print(f"provider/{version}: generated from {spec}")
    for target, files in derived.items():
        print(f"provider/{target}: derived ({', '.join(f for f in files if '.strict.' not in f)})")
    return 0


def _expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for every cassette and JSON file below it, in order.

    Not the shared bases in a folder's ``_shared/``: the cassettes that use them are checked whole.
    """
    out: list[Path] = []
    for path in paths:
        out += cassette_files(path) if path.is_dir() else [path]
    return out


def run_check(args: argparse.Namespace) -> int:
    """Validate JSON files and cassettes; exit 1 if any violation reaches ``--fail-on``."""
    if args.api_version != RECORDED:
        load_contracts(args.api_version, args.contracts_dir)  # unknown version: exit 2 before reading files
    found, checked, skipped = [], 0, []
    files = _expand(args.paths)
    with progress("contracts check", total=len(files)) as tracker:
        for path in files:
            tracker.doing(path.name)
            for payload in read_payloads(path):
                version = payload.recorded_version if args.api_version == RECORDED else args.api_version
                if version is None:
                    skipped.append(payload.location)
                    continue
                checked += 1
                contracts = load_contracts(version, args.contracts_dir)
                for violation in contracts.violations(payload.body, strict=args.strict):
                    found.append((payload.location, version, violation))
            tracker.done()
    failing = [f for f in found if args.fail_on == "warning" or f[2].severity == "blocker"]
    if args.json:
        print(
            json.dumps(
                {
                    "api_version": args.api_version,
                    "strict": args.strict,
                    "payloads_checked": checked,
                    "skipped_without_recorded_version": skipped,
                    "violations": [{"location": loc, "api_version": ver, **vars(v)} for loc, ver, v in found],
                },
                indent=2,
            )
        )
    else:
        for location, version, violation in found:
            print(f"{location} [{version}] {violation}")
        for location in skipped:
            print(f"{location}: skipped, no Stripe-Version header (pass --api-version V to check it)")
        blockers = sum(1 for f in found if f[2].severity == "blocker")
        print(f"{checked} payload(s) checked: {blockers} blocker(s), {len(found) - blockers} warning(s)")
    return 1 if failing else 0


def run_shapes(args: argparse.Namespace) -> int:
    """Regenerate contracts/shapes from Stripe's fixtures, its OpenAPI specs and the catalogue."""
    directory = args.contracts_dir or resolve_contracts_dir(None)
    versions = shapes_build.build(args.fixtures, args.specs, directory)
    print(f"{directory / shapes_build.SHAPES_DIR}: {len(versions)} version file(s), {versions[0]} … {versions[-1]}")
    return 0


def run_fidelity(args: argparse.Namespace) -> int:
    """Report fields Stripe would not send and default fields missing; exit 1 on any finding."""
    version = None if args.api_version == RECORDED else args.api_version
    if version is not None:
        load_contracts(version, args.contracts_dir)  # unknown version: exit 2 before reading files
    report = check_files(_expand(args.paths), version)
    print(dumps(report) if args.json else report.as_text())
    return 1 if report.findings else 0


def run_diff(args: argparse.Namespace) -> int:
    """Print the field changes between two versions; always exit 0 (a diff is information, not a verdict)."""
    rows = diff_versions(args.from_version, args.to_version, args.contracts_dir)
    if args.json:
        print(json.dumps(as_json(rows), indent=2))
    elif rows:
        print(as_table(rows))
    else:
        print(f"No field the integration's objects use changes between {args.from_version} and {args.to_version}.")
    return 0


def _version(text: str) -> str:
    if text != RECORDED and not text[:4].isdigit():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Stripe API version (e.g. 2025-03-31.basil) or '{RECORDED}'"
        )
    return text


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``contracts`` command group to ``stripe-compat``."""
    group = subparsers.add_parser("contracts", help="JSON Schema contracts per Stripe API version")
    commands = group.add_subparsers(dest="contracts_command", metavar="SUBCOMMAND", required=True)

    p_build = commands.add_parser("build", help="generate provider schemas from Stripe OpenAPI specs")
    p_build.add_argument(
        "--spec",
        action="append",
        required=True,
        metavar="FILE_OR_URL",
        help="a spec3 .json/.yaml (optionally .gz) path or URL; repeatable",
    )
    _contracts_dir_arg(p_build)
    p_build.set_defaults(func=run_build)

    p_check = commands.add_parser(
        "check",
        help="validate JSON files and vcrpy/VCR cassettes against one API version's contracts",
        epilog="Known API versions: " + ", ".join(_known_or_empty()),
    )
    p_check.add_argument(
        "--api-version",
        required=True,
        type=_version,
        help=f"API version to check against, or '{RECORDED}' to use each response's Stripe-Version",
    )
    p_check.add_argument("--strict", action="store_true", help="use the strict (drift report) provider profile")
    p_check.add_argument(
        "--fail-on",
        choices=("warning", "blocker"),
        default="warning",
        help="exit 1 on any violation (warning, default) or only on consumer-contract ones (blocker)",
    )
    p_check.add_argument("--json", action="store_true", help="machine-readable output")
    p_check.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _contracts_dir_arg(p_check)
    p_check.set_defaults(func=run_check)

    p_shapes = commands.add_parser(
        "shapes", help="regenerate contracts/shapes (default fields per version) from Stripe's fixtures and specs"
    )
    p_shapes.add_argument(
        "--fixtures", type=Path, required=True, help="folder with <version>/fixtures3.json.gz (stripe/openapi)"
    )
    p_shapes.add_argument("--specs", type=Path, required=True, help="folder with <version>/spec3.json.gz")
    _contracts_dir_arg(p_shapes)
    p_shapes.set_defaults(func=run_shapes)

    p_fidelity = commands.add_parser(
        "fidelity",
        help="per object: fields Stripe would not send at the version, and default fields missing (exit 1 on any)",
    )
    p_fidelity.add_argument(
        "--api-version",
        default=RECORDED,
        type=_version,
        help=f"check every response at this version (default: '{RECORDED}', each response's Stripe-Version)",
    )
    p_fidelity.add_argument("--json", action="store_true", help="machine-readable output")
    p_fidelity.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassettes, JSON files or folders")
    _contracts_dir_arg(p_fidelity)
    p_fidelity.set_defaults(func=run_fidelity)

    p_diff = commands.add_parser("diff", help="fields the integration's objects lose, move or retype between versions")
    p_diff.add_argument("from_version", type=_version, metavar="V1")
    p_diff.add_argument("to_version", type=_version, metavar="V2")
    p_diff.add_argument("--json", action="store_true", help="machine-readable output")
    _contracts_dir_arg(p_diff)
    p_diff.set_defaults(func=run_diff)


def _known_or_empty() -> list[str]:
    try:
        return known_api_versions()
    except ConfigError:
        return []

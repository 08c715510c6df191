"""``stripe-compat record``: re-record the scenarios' cassettes for one API version, in this environment.

The same run as ``nox -s "record(V)"`` without a fresh virtualenv: pytest on
``harness.scenarios`` with ``--stripe-record-mode=all``. It runs pytest as a child process so
that the recording starts from a clean interpreter (stripe-python's globals, the
plugin's state) and its exit status is pytest's. Key checks happen here first, so that a
missing or live key is one sentence and exit 2 before anything starts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from .backends.sources import live_api_key
from .cassettes.store import cassette_files
from .config import BackendKind, read_tool_table
from .matrix import find_pyproject, validate_api_version

RECORDABLE = (BackendKind.LOCALSTRIPE.value, BackendKind.LIVE.value, BackendKind.STRIPE_MOCK.value)


def pytest_command(
    api_version: str, backend: str, *, select: str | None = None, cassettes: Path | None = None
) -> list[str]:
    """The pytest command line that records ``api_version`` against ``backend``."""
    command = [
        sys.executable, "-m", "pytest", "--pyargs", "harness.scenarios", "-p", "no:cacheprovider",
        f"--stripe-backend={backend}", "--stripe-record-mode=all", f"--stripe-api-version={api_version}",
    ]
    if select:
        command += ["-k", select]
    if cassettes is not None:
        command.append(f"--stripe-cassettes={cassettes.resolve()}")
    return command


def run_record(args: argparse.Namespace) -> int:
    """Check the version and key, then run the recording; pytest's exit status is ours."""
    validate_api_version(args.api_version)
    if args.backend == BackendKind.LIVE.value:
        live_api_key()  # a live or missing key: ConfigError, exit 2, nothing sent
    command = pytest_command(args.api_version, args.backend, select=args.select, cassettes=args.cassettes)
    extra = args.pytest_args[1:] if args.pytest_args[:1] == ["--"] else args.pytest_args
    folder = (args.cassettes or _project_cassettes()) / args.api_version
    before = _stamps(folder)
    code = subprocess.call([*command, *extra])
    after = _stamps(folder)
    written = sorted(p for p, stamp in after.items() if before.get(p) != stamp)
    print(f"stripe-compat record: wrote {len(written)} cassette(s) in {folder}"
          + (f" ({len(after) - len(written)} unchanged)" if after else ""))
    return code


def _project_cassettes() -> Path:
    """The cassette folder pyproject names (``cassettes/`` by default)."""
    pyproject = find_pyproject()
    folder = read_tool_table(pyproject).get("cassettes", "cassettes")
    return pyproject.parent / str(folder)


def _stamps(folder: Path) -> dict[Path, tuple[int, int]]:
    """Each cassette's modification time and size, to tell which ones a recording rewrote."""
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in cassette_files(folder)} if folder.is_dir() else {}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``record`` command to ``stripe-compat``."""
    parser = subparsers.add_parser(
        "record",
        help="re-record the scenarios' cassettes for one API version",
        description="A cassette is written for every scenario that reached Stripe, passed or failed (its outcome "
        "and reason in the metadata), atomically, with secrets scrubbed. "
        "See docs/recording.md.",
    )
    parser.add_argument("--api-version", required=True, help="the Stripe API version to record, e.g. 2025-03-31.basil")
    parser.add_argument(
        "--backend", choices=RECORDABLE, default=BackendKind.LOCALSTRIPE.value,
        help="localstripe (default, no key), live (STRIPE_API_KEY=sk_test_...), stripe-mock (stateless scenarios)",
    )
    parser.add_argument("-k", dest="select", metavar="EXPR", help="only scenarios matching this -k expression")
    parser.add_argument("--cassettes", type=Path, default=None, help="write here instead of the project's cassettes/")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help="after --: more pytest arguments")
    parser.set_defaults(func=run_record)

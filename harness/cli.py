"""``stripe-compat``: the harness's command line.

Each command group lives in the module that does the work and registers itself here
through a ``register(subparsers)`` function, so this file stays a table of contents.
Exit codes: 0 success, 1 the check found problems, 2 bad usage, 4 a configuration or data
file (pyproject.toml, a cassette, a contract) that must be fixed; each error is one
message naming what to change, never a traceback.
Exit 141 (128 + SIGPIPE, what ``yes | head`` gives) when the reader of stdout went away, as in
``contracts diff … | head``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Sequence

from .errors import HarnessError
from .progress import ENV as PROGRESS_ENV

#: Modules that contribute command groups, in the order ``--help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "harness.contracts.cli",
    "harness.cassettes.cli",
    "harness.recording",
    "harness.report.cli",
    "harness.upgrade.cli",
    "harness.scan.cli",
    "harness.ci.cli",
    "harness.chaos.cli",
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="stripe-compat",
        description="Is this Stripe upgrade safe? Compatibility and contract checks for billing code.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show progress on long commands even without a terminal (or never, with --no-progress)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


EXIT_BROKEN_PIPE = 141


def version() -> str:
    """The installed distribution's version (what ``pip show stripe-compat`` says)."""
    return importlib.metadata.version("stripe-compat")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a :class:`HarnessError` becomes a one-paragraph message and its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.progress is not None:  # through the environment, so child processes follow it too
        os.environ[PROGRESS_ENV] = "1" if args.progress else "0"
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a closed pipe surfaces here, not at interpreter exit
    except HarnessError as exc:
        print(f"stripe-compat: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader (head, less) has what it wanted. Point stdout at devnull so the
        # interpreter's final flush cannot raise again and print "Exception ignored".
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())

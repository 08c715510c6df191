"""Chaos benchmark: 1,000 users through signup, card and invoice against localstripe under random faults.

Prints the figures of ``stripe-compat chaos`` (see harness/chaos/run.py): signup failures,
users without a customer, Stripe customers per user (from the account's own customer
list, grouped by metadata.user_id), orphan customers, invoices left behind, and the time
the integration took to recover once the faults stopped and its queue drained. With
--write they go to benchmarks/RESULTS.md too.

    python benchmarks/bench_chaos.py [--users 1000] [--fault-rate 0.2] [--seed 0] [--write]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys

from results_md import stamp, write_section

from harness.chaos import cli

if __name__ == "__main__":
    write = "--write" in sys.argv[1:]
    # The command's own parser, so the benchmark runs whether or not the CLI lists the command.
    parser = argparse.ArgumentParser(prog="bench_chaos.py")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["chaos", *(a for a in sys.argv[1:] if a != "--write")])
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = args.func(args)
    print(printed.getvalue(), end="")
    if write:
        heading = (f"## Chaos run ({stamp()}, `stripe-compat chaos --users {args.users}`, fault rate "
                   f"{args.fault_rate}, seed {args.seed}, localstripe)")
        write_section("## Chaos run", f"{heading}\n\n```\n{printed.getvalue().rstrip()}\n```\n")
    sys.exit(code)

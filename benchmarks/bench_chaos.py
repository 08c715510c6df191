"""Chaos benchmark: 1,000 users through signup, card and invoice against localstripe under random faults.

Prints the figures of ``stripe-compat chaos`` (see harness/chaos/run.py): signup failures,
users without a customer, Stripe customers per user (from the account's own customer
list, grouped by metadata.user_id), orphan customers, invoices left behind, and the time
the integration took to recover once the faults stopped and its queue drained.

    .venv/bin/python benchmarks/bench_chaos.py [--users 1000] [--fault-rate 0.2] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys

from harness.chaos import cli

if __name__ == "__main__":
    # The command's own parser, so the benchmark runs whether or not the CLI lists the command.
    parser = argparse.ArgumentParser(prog="bench_chaos.py")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["chaos", *sys.argv[1:]])
    sys.exit(args.func(args))

"""``stripe-compat chaos``: the integration under random Stripe faults, judged on the account's state."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from ..config import OFFLINE_API_KEY, resolve
from ..matrix import find_pyproject
from ..validation import parse_count
from .run import ChaosFigures, run_chaos


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``chaos`` command."""
    parser = subparsers.add_parser(
        "chaos", help="users through signup, card and invoice against localstripe under random faults"
    )
    parser.add_argument("--users", type=_positive, default=1000, help="how many users (default: 1000)")
    parser.add_argument("--fault-rate", type=_share, default=0.2,
                        help="share of Stripe requests that fail, all faults alike (default: 0.2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault schedule (default: 0)")
    parser.add_argument("--api-version", default=None, help="pinned API version (default: the newest in the matrix)")
    parser.add_argument("--adapter", default=None, help="integration adapter as module:Class (default: from pyproject)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(func=run)


def _share(text: str) -> float:
    """A share of requests: a finite number from 0 to 1 (argparse turns the error into exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        msg = f"must be a number from 0 to 1 (0.2 fails one request in five), got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _positive(text: str) -> int:
    value = parse_count(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    """Run the chaos and print the figures; exit 1 when anything was lost, duplicated or blocked."""
    from ..backends.localstripe import LocalstripeBackend

    cfg = resolve(find_pyproject(Path.cwd()), backend=None, api_version=args.api_version, record_mode=None,
                  cassettes=None, adapter=args.adapter, strict_provider=False)
    with LocalstripeBackend(api_key=OFFLINE_API_KEY) as backend:
        figures = run_chaos(backend, cfg.adapter_factory(), users=args.users, fault_rate=args.fault_rate,
                            api_version=cfg.api_version, seed=args.seed)
    print(json.dumps(figures.as_dict(), indent=2) if args.json else render(figures))
    return 0 if figures.ok else 1


def render(figures: ChaosFigures) -> str:
    """The figures as a short report, the must-be-zero ones first."""
    per_user = ", ".join(f"{n} customer(s): {users} users" for n, users in figures.customers_per_user.items())
    lines = [
        f"users                      {figures.users}",
        f"signup failures            {figures.signup_failures}  (must be 0)",
        f"unexpected errors          {figures.unexpected_errors}  (must be 0)",
        f"users without a customer   {figures.users_without_customer}  (must be 0)",
        f"Stripe customers per user  {per_user}  (must be exactly 1 each)",
        f"orphan customers           {figures.orphan_customers}  (must be 0)",
        f"invoices left behind       {figures.invoices_left_behind}  (must be 0)",
        f"healthy after recovery     {figures.healthy_after}",
        f"faults injected            {figures.faults_injected}",
        f"payment failures shown     {figures.payment_failures_shown}  (user-facing 'try again': expected)",
        f"chaos phase                {figures.chaos_seconds:.1f} s",
        f"time to recover            {figures.recovery_seconds:.2f} s in {figures.recovery_rounds} round(s)",
        f"verdict                    {'PASS' if figures.ok else 'FAIL'}",
    ]
    lines += [f"  e.g. {example}" for example in figures.examples]
    return "\n".join(lines)

"""The webhook storm: deliveries per second through the reference handler, and the exactly-once result.

    python benchmarks/bench_webhooks.py [--events 7000] [--duplicates 0.3] [--api-version 2024-06-20] [--write]

Uses the real events recorded for the storm scenario (cassettes/<version>/test_webhooks/
test_storm.json), cloned into distinct events as the scenario does, with ~30% retries,
shuffled, signed with one secret and handed to the handler in-process. The database is
on disk in WAL mode with synchronous=NORMAL, as the reference integration runs it: each
delivery is one transaction, and that, more than the signature check, bounds the rate.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results_md import stamp, write_section

from harness.cassettes.store import CassetteFile, from_vcr_response
from harness.reference.db import connect
from harness.reference.webhooks import WebhookHandler
from harness.webhooks.delivery import sign
from harness.webhooks.patterns import multiply, with_duplicates

ROOT = Path(__file__).resolve().parents[1]
SECRET = "whsec_bench"


def recorded_events(api_version: str) -> list[dict[str, Any]]:
    path = ROOT / "cassettes" / api_version / "test_webhooks" / "test_storm.json"
    for request, response in CassetteFile.read(path).interactions:
        if request.method == "GET" and request.path == "/v1/events":
            return from_vcr_response(response).json()["data"][::-1]
    raise LookupError(f"no GET /v1/events in {path}: re-record the webhook scenarios")


def seed(conn: Any, events: list[dict[str, Any]]) -> None:
    """One user per customer and the invoices the events name, as the scenario's account has."""
    objects = [e["data"]["object"] for e in events]
    customers = sorted({o["id"] for o in objects if o.get("object") == "customer"})
    for n, customer in enumerate(customers):
        conn.execute(
            "INSERT INTO users (email, created_at, stripe_customer_id, billing_state) VALUES (?, 0, ?, 'ready')",
            (f"user{n}@example.com", customer),
        )
    for invoice in sorted({o["id"] for o in objects if o.get("object") == "invoice"}):
        conn.execute(
            "INSERT INTO invoices (user_id, stripe_invoice_id, status, currency, updated_at) "
            "VALUES (1, ?, 'open', 'usd', 0)",
            (invoice,),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=7000, help="distinct events (default 7000)")
    parser.add_argument("--duplicates", type=float, default=0.3, help="share of deliveries that are retries")
    parser.add_argument("--api-version", default="2024-06-20")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()

    templates = recorded_events(args.api_version)
    start = time.perf_counter()
    deliveries = [sign(e, SECRET) for e in multiply(templates, args.events)]
    storm = with_duplicates(deliveries, share=args.duplicates, seed=7)
    built = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        conn = connect(Path(tmp) / "bench.sqlite3")
        seed(conn, templates)
        handler = WebhookHandler(conn, SECRET)
        start = time.perf_counter()
        results = [handler.handle(d.payload, d.signature, pinned_version=args.api_version) for d in storm]
        elapsed = time.perf_counter() - start
        ledger = [r[0] for r in conn.execute("SELECT event_id FROM processed_events")]
        conn.close()

    bodies = Counter(r.body for r in results)
    unique = len({d.event_id for d in storm})
    exactly_once = len(ledger) == len(set(ledger)) == unique and bodies["duplicate"] == len(storm) - unique
    lines = [
        f"## Webhook storm ({stamp()}, `python benchmarks/bench_webhooks.py`, API {args.api_version})",
        "",
        f"{len(storm):,} deliveries of {unique:,} distinct events ({len(templates)} recorded templates), "
        f"{args.duplicates:.0%} duplicates, shuffled: built and signed in {built:.2f} s, delivered in "
        f"{elapsed:.2f} s = **{len(storm) / elapsed:,.0f} deliveries/s** into the reference handler.",
        f"Statuses {dict(Counter(r.status for r in results))}; outcomes {dict(bodies)}.",
        f"Ledger {len(ledger):,} rows, {len(set(ledger)):,} distinct; {bodies['duplicate']:,} of "
        f"{len(storm) - unique:,} duplicates acknowledged without being applied: exactly once: "
        f"{'yes' if exactly_once else 'NO'}.",
    ]
    print("\n".join(lines[2:]))
    if args.write:
        write_section("## Webhook storm", "\n".join(lines))

if __name__ == "__main__":
    main()

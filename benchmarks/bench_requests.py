"""Cost per Stripe request: cassette replay vs localstripe vs stripe-mock vs the floor.

The same scenario (the lazy-customer flow: create customer, attach card, set default,
draft invoice, item, finalize, list customers) runs against each backend with the same
stripe-python release in one process. The floor is the library answering from canned
responses in memory: no socket, no cassette. Replay loads its cassette once per
scenario, as the plugin does. Prints a table and, with --write, records it in
benchmarks/RESULTS.md; --json prints the figures for other scripts.

    python benchmarks/bench_requests.py --iterations 200 --write
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import stripe
from results_md import stamp, write_section

from harness.backends.base import Backend, HandlerBackend, Response
from harness.backends.contract_check import ContractCheck
from harness.backends.faults import FaultInjector
from harness.backends.recorder import Recorder
from harness.backends.replay import ReplayBackend
from harness.backends.spy import RequestLog
from harness.config import OFFLINE_API_KEY
from harness.stripe_http import routed_to, stripe_version

API_VERSION = "2024-06-20"
ROOT = Path(__file__).resolve().parents[1]
#: The flow's recorded responses, written by a full run and read by --floor-only runs in other venvs.
CANNED = ROOT / ".stripe-compat" / "bench" / "flow_responses.json"


def scenario() -> int:
    """The lazy-customer flow's Stripe calls; returns how many requests it made."""
    o = {"api_key": OFFLINE_API_KEY, "stripe_version": API_VERSION}
    customer = stripe.Customer.create(email="ada@example.com", metadata={"user_id": "1"}, idempotency_key="c-1", **o)
    pm = stripe.PaymentMethod.attach("pm_card_visa", customer=customer["id"], **o)
    stripe.Customer.modify(customer["id"], invoice_settings={"default_payment_method": pm["id"]}, **o)
    invoice = stripe.Invoice.create(
        customer=customer["id"], auto_advance=False, pending_invoice_items_behavior="exclude", **o
    )
    stripe.InvoiceItem.create(customer=customer["id"], invoice=invoice["id"], amount=900, currency="usd", **o)
    stripe.Invoice.finalize_invoice(invoice["id"], **o)
    stripe.Customer.list(email="ada@example.com", limit=10, **o)
    return 7


def time_flow(make_backend: Callable[[], Backend], iterations: int) -> list[float]:
    """Seconds per request, one sample per scenario run."""
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        backend = make_backend()
        with routed_to(backend):
            n = scenario()
        samples.append((time.perf_counter() - started) / n)
    return samples


def record(server: Backend, path: Path) -> list[Response]:
    """Record the flow once against ``server``; returns the responses for the floor."""
    recorder = Recorder(server, api_version=API_VERSION, stripe_python=stripe_version())
    with routed_to(recorder):
        scenario()
    recorder.commit(path, "bench::lazy_customer")
    replay = ReplayBackend(path, api_version=API_VERSION, rerecord_hint="")
    canned: list[Response] = []
    with routed_to(HandlerBackend(lambda r: canned.append(replay.handle_request(r)) or canned[-1])):
        scenario()
    return canned


def canned_backend(responses: list[Response]) -> Callable[[], Backend]:
    """The floor: the recorded responses handed back in order from memory."""
    def make() -> Backend:
        answers = iter(responses)
        return HandlerBackend(lambda _request: next(answers))
    return make


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--floor-only", action="store_true", help="measure only the floor (per-release overhead)")
    parser.add_argument("--json", action="store_true", help="print figures as JSON")
    parser.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = parser.parse_args()
    rows: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cassette = Path(tmp) / "flow.json"
        if args.floor_only:
            if not CANNED.exists():
                parser.error(f"{CANNED} is missing: run this script once without --floor-only first")
            responses = json.loads(CANNED.read_text())
            canned = [Response(r["status"], r["headers"], r["body"].encode()) for r in responses]
        else:
            from harness.backends.localstripe import LocalstripeBackend

            with LocalstripeBackend(api_key=OFFLINE_API_KEY) as server:
                canned = record(server, cassette)
                for _ in range(10):  # warm the server
                    server.reset()
                    with routed_to(server):
                        scenario()

                def fresh_server() -> Backend:
                    server.reset()
                    return server

                rows["localstripe"] = statistics.median(time_flow(fresh_server, args.iterations))
            CANNED.parent.mkdir(parents=True, exist_ok=True)
            CANNED.write_text(json.dumps(
                [{"status": r.status, "headers": r.headers, "body": r.body.decode()} for r in canned], indent=1
            ) + "\n")
            rows["replay"] = statistics.median(time_flow(
                lambda: ReplayBackend(cassette, api_version=API_VERSION, rerecord_hint=""), args.iterations
            ))
            rows["replay, full plugin chain"] = statistics.median(time_flow(
                lambda: RequestLog(FaultInjector(ContractCheck(
                    ReplayBackend(cassette, api_version=API_VERSION, rerecord_hint=""), api_version=API_VERSION
                ))),
                args.iterations,
            ))
            if url := os.environ.get("STRIPE_MOCK_URL"):
                from harness.backends.http import HTTPBackend

                mock = HTTPBackend(url, name="stripe-mock")
                rows["stripe-mock"] = statistics.median(time_flow(lambda: mock, args.iterations))
        time_flow(canned_backend(canned), 20)  # warm-up
        rows["floor (canned, in process)"] = statistics.median(time_flow(canned_backend(canned), args.iterations))
    floor = rows["floor (canned, in process)"]
    if args.json:
        print(json.dumps({"stripe": stripe_version(), "per_request_s": rows}))
        return 0
    lines = [
        f"## Cost per Stripe request ({stamp()}, stripe {stripe_version()}, "
        f"{args.iterations} runs of a 7-request flow)",
        "",
        "| backend | median µs / request | × floor |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {secs * 1e6:.0f} | {secs / floor:.2f} |" for name, secs in rows.items()]
    if "localstripe" in rows:
        lines.append("")
        lines.append(f"Replay is {rows['localstripe'] / rows['replay']:.1f}× faster than localstripe; "
                     f"{rows['replay'] / floor:.2f}× the floor (target: within 2×, and ≥ 20× faster than localstripe).")
    if "stripe-mock" not in rows and not args.floor_only:
        lines.append("stripe-mock: not measured (set STRIPE_MOCK_URL; no Docker daemon on this machine).")
    print("\n".join(lines))
    if args.write:
        write_section("## Cost per Stripe request", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

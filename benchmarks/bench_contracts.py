"""Objects per second that contract validation sustains, for customer- and invoice-sized objects.

    .venv/bin/python benchmarks/bench_contracts.py [--seconds 2] [--write]

Uses real recordings from tests/data/realdata. Prints the fast path (fastjsonschema, when
installed) and the jsonschema-only path, so a regression in either shows. Target: >= 20,000
customer objects/s on one core.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from results_md import stamp, write_section

from harness.contracts import load_contracts, registry, validate
from harness.contracts.payloads import read_payloads

REALDATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "realdata" / "pay"
VERSION = "2024-06-20"


def sample(kind: str) -> dict[str, Any]:
    for payload in read_payloads(REALDATA / "test_stripe_can_create_an_invoice.yml"):
        if payload.recorded_version == VERSION and payload.body.get("object") == kind:
            return payload.body
    raise LookupError(kind)


def rate(payload: dict[str, Any], seconds: float) -> float:
    contracts = load_contracts(VERSION)
    assert contracts.violations(payload) == [], "benchmark payload must be valid"
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(200):
            contracts.violations(payload)
        done += 200
    return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    objects = {"customer": sample("customer"), "invoice (+1 line item)": sample("invoice")}
    lines = [
        f"## Contract validation ({stamp()}, `python benchmarks/bench_contracts.py`, one core)",
        "",
        "| validator | object | objects/s |",
        "|---|---|---|",
    ]
    fast = validate.fastjsonschema
    for label, accelerator in (("fastjsonschema (used)", fast), ("jsonschema only", None)):
        if accelerator is None and label != "jsonschema only":
            print("fastjsonschema: not installed (pip install fastjsonschema)")
            continue
        validate.fastjsonschema = accelerator
        validate.compiled.cache_clear()
        registry._load.cache_clear()
        for name, payload in objects.items():
            per_second = rate(payload, args.seconds)
            print(f"{label:22} {name:24} {per_second:>10,.0f} objects/s")
            lines.append(f"| {label} | {name} | {per_second:,.0f} |")
    validate.fastjsonschema = fast
    if args.write:
        write_section("## Contract validation", "\n".join(lines))

if __name__ == "__main__":
    main()

"""Objects per second that contract validation sustains, for customer- and invoice-sized objects.

    .venv/bin/python benchmarks/bench_contracts.py [--seconds 2]

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
    seconds = parser.parse_args().seconds
    objects = {"customer": sample("customer"), "invoice (+1 line item)": sample("invoice")}
    fast = validate.fastjsonschema
    for label, accelerator in (("fastjsonschema", fast), ("jsonschema only", None)):
        if label == "fastjsonschema" and fast is None:
            print("fastjsonschema: not installed (pip install fastjsonschema)")
            continue
        validate.fastjsonschema = accelerator
        validate.compiled.cache_clear()
        registry._load.cache_clear()
        for name, payload in objects.items():
            print(f"{label:16} {name:24} {rate(payload, seconds):>10,.0f} objects/s")
    validate.fastjsonschema = fast


if __name__ == "__main__":
    main()

"""Objects per second that contract validation sustains, for customer- and invoice-sized objects.

    .venv/bin/python benchmarks/bench_contracts.py [--seconds 2] [--write]

Uses real recordings from tests/data/realdata. Three validators side by side in one run, on
the same schema files: jsonschema-rs (what the harness uses), fastjsonschema (what it used
before; measured when installed) and jsonschema (what the harness keeps for messages), each
as a bare yes/no check and, for the one in use, through the harness's whole check (walker,
provider and consumer contracts). Also the time to compile one version's schema set.
Target: >= 200,000 customer objects/s on one core through the harness's check.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jsonschema
import jsonschema_rs
from results_md import stamp, write_section

from harness.contracts import load_contracts
from harness.contracts.payloads import read_payloads

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT / "tests" / "data" / "realdata" / "pay"
VERSION = "2024-06-20"
SCHEMA_SET = ROOT / "contracts" / "provider" / "2020-08-27"


def sample(kind: str) -> dict[str, Any]:
    for payload in read_payloads(REALDATA / "test_stripe_can_create_an_invoice.yml"):
        if payload.recorded_version == VERSION and payload.body.get("object") == kind:
            return payload.body
    raise LookupError(kind)


def rate(check: Callable[[Any], Any], payload: Any, seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(500):
            check(payload)
        done += 500
    return done / elapsed


def compilers() -> dict[str, Callable[[dict[str, Any]], Callable[[Any], Any]]]:
    """Each validator library's "compile, then give me a yes/no check"; fastjsonschema only if installed."""
    out: dict[str, Callable[[dict[str, Any]], Callable[[Any], Any]]] = {
        "jsonschema-rs (used)": lambda schema: jsonschema_rs.Draft202012Validator(schema).is_valid,
    }
    if importlib.util.find_spec("fastjsonschema") is not None:
        import fastjsonschema

        def fast(schema: dict[str, Any]) -> Callable[[Any], Any]:
            validator = fastjsonschema.compile({**schema, "$schema": "http://json-schema.org/draft-07/schema#"})

            def is_valid(instance: Any) -> bool:
                try:
                    validator(instance)
                except fastjsonschema.JsonSchemaValueException:
                    return False
                return True

            return is_valid

        out["fastjsonschema"] = fast
    else:
        print("fastjsonschema: not installed, not measured (pip install fastjsonschema)")
    out["jsonschema"] = lambda schema: jsonschema.Draft202012Validator(schema).is_valid
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    parser.add_argument("--write", action="store_true", help="record the figures in benchmarks/RESULTS.md")
    args = parser.parse_args()
    contracts = load_contracts(VERSION)
    objects = {"customer": sample("customer"), "invoice (+1 line item)": sample("invoice")}
    for payload in objects.values():
        assert contracts.violations(payload) == [], "benchmark payloads must be valid"
    schemas = [json.loads(p.read_text()) for p in sorted(SCHEMA_SET.glob("*.schema.json"))]
    lines = [
        f"## Contract validation ({stamp()}, `python benchmarks/bench_contracts.py`, one core)",
        "",
        f"Bare check: the object's own provider schema at {VERSION}; compile: the {len(schemas)} schema files "
        f"of provider/{SCHEMA_SET.name} (jsonschema compiles lazily, on first use). Load average at the start: "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (figures scale down with it).",
        "",
        "| validator | compile the set (s) | customer objects/s | invoice (+1 line item) objects/s |",
        "|---|---|---|---|",
    ]
    for label, compile_one in compilers().items():
        start = time.perf_counter()
        for schema in schemas:
            compile_one(schema)
        compile_s = time.perf_counter() - start
        rates = []
        for payload in objects.values():
            check = compile_one(contracts.provider_schema(payload["object"]).schema)
            assert check(payload), f"{label} rejects a valid payload"
            rates.append(rate(check, payload, args.seconds))
        print(f"{label:22} compile {compile_s:7.4f} s  " + "  ".join(f"{r:>10,.0f}/s" for r in rates))
        lines.append(f"| {label} | {compile_s:.4f} | {rates[0]:,.0f} | {rates[1]:,.0f} |")
    whole = [rate(contracts.violations, payload, args.seconds) for payload in objects.values()]
    print(f"{'harness check (whole)':22} {'':17}  " + "  ".join(f"{r:>10,.0f}/s" for r in whole))
    whole_row = "harness `Contracts.violations` (walker + provider + consumer)"
    lines.append(f"| {whole_row} | | {whole[0]:,.0f} | {whole[1]:,.0f} |")
    if args.write:
        write_section("## Contract validation", "\n".join(lines))


if __name__ == "__main__":
    main()

"""`stripe-compat contracts check|diff|build` through the real parser."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

import pytest

from harness.contracts.cli import register
from harness.errors import HarnessError

from .helpers import INVOICE_CASSETTE, REALDATA


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="stripe-compat")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except HarnessError as exc:
        print(f"error: {exc}")
        return 2


def test_check_recorded_versions_passes_real_cassettes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["contracts", "check", "--api-version", "recorded", str(INVOICE_CASSETTE)]) == 0
    assert "0 blocker(s), 0 warning(s)" in capsys.readouterr().out


def test_check_at_the_wrong_version_exits_1_with_json_details(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["contracts", "check", "--api-version", "2025-03-31.basil", "--json", str(INVOICE_CASSETTE)]) == 1
    report = json.loads(capsys.readouterr().out)
    first = next(v for v in report["violations"] if v["path"] == "$.paid")
    assert first["schema_file"] == "contracts/provider/2025-03-31.basil/invoice.schema.json"
    assert first["location"].endswith("]")
    assert first["severity"] == "warning"
    # only consumer-contract problems fail with --fail-on blocker, and there are none here
    assert (
        run(["contracts", "check", "--api-version", "2025-03-31.basil", "--fail-on", "blocker", str(INVOICE_CASSETTE)])
        == 0
    )


def test_check_bad_usage_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(
            ["contracts", "check", "--api-version", "2031-01-01", str(REALDATA / "fxa" / "event_customer_updated.json")]
        )
        == 2
    )
    assert "Known versions" in capsys.readouterr().out
    assert run(["contracts", "check", "--api-version", "2024-06-20", str(tmp_path / "missing.json")]) == 2


def test_diff_basil_lists_the_invoice_and_line_item_reshaping(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["contracts", "diff", "2024-06-20", "2025-03-31.basil", "--json"]) == 0
    rows = {(r["object"], r["field"], r["change"], r["to"]) for r in json.loads(capsys.readouterr().out)}
    assert {
        ("invoice", "subscription", "moved", "parent.subscription_details.subscription"),
        ("invoice", "paid", "removed", None),
        ("invoice", "payment_intent", "removed", None),
        ("invoice", "charge", "removed", None),
        ("line_item", "type", "moved", "parent.type"),
        ("line_item", "price", "moved", "pricing.price_details.price"),
        ("invoiceitem", "price", "moved", "pricing.price_details.price"),
    } <= rows
    assert run(["contracts", "diff", "2024-06-20", "2025-03-31.basil"]) == 0
    assert "parent.subscription_details.subscription" in capsys.readouterr().out


def test_diff_marks_fields_the_integration_reads_and_reverses_for_downgrades(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(["contracts", "diff", "2026-10-28.endive", "2024-06-20", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"object": "invoice", "field": "id", "change": "no longer required"}.items() <= next(
        r for r in rows if r["field"] == "id"
    ).items()
    assert next(r for r in rows if r["field"] == "id")["used_by_integration"] is True
    assert next(r for r in rows if r["field"] == "parent.subscription_details.subscription")["to"] == "subscription"


SPEC = {
    "openapi": "3.0.0",
    "info": {"version": "2030-01-01"},
    "components": {
        "schemas": {
            name: {"type": "object", "x-resourceId": name, "properties": {"id": {"type": "string"}}, "required": ["id"]}
            for name in (
                "deleted_customer",
                "payment_method",
                "setup_intent",
                "deleted_invoice",
                "invoiceitem",
                "deleted_invoiceitem",
                "line_item",
                "event",
                "api_errors",
            )
        }
        | {
            "error": {"type": "object", "properties": {"error": {"$ref": "#/components/schemas/api_errors"}}},
            "invoice": {"type": "object", "x-resourceId": "invoice", "properties": {"id": {"type": "string"}}},
            "customer": {
                "type": "object",
                "x-resourceId": "customer",
                "required": ["id", "tax_exempt"],
                "properties": {
                    "id": {"type": "string", "maxLength": 5000, "description": "dropped"},
                    "tax_exempt": {
                        "type": "string",
                        "enum": ["none"],
                        "nullable": True,
                        "x-stripeBypassValidation": True,
                    },
                    "default_source": {
                        "anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/payment_method"}],
                        "nullable": True,
                    },
                    "address": {"$ref": "#/components/schemas/address"},
                },
            },
            "address": {"type": "object", "properties": {"city": {"type": "string", "nullable": True}}},
        }
    },
}


def test_build_converts_openapi_to_lenient_and_strict_json_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "spec3.json.gz"
    spec_file.write_bytes(gzip.compress(json.dumps(SPEC).encode()))
    contracts = tmp_path / "contracts"
    (contracts / "catalogue").mkdir(parents=True)
    assert run(["contracts", "build", "--spec", str(spec_file), "--contracts-dir", str(contracts)]) == 0
    lenient = json.loads((contracts / "provider" / "2030-01-01" / "customer.schema.json").read_text())
    strict = json.loads((contracts / "provider" / "2030-01-01" / "customer.strict.schema.json").read_text())
    assert lenient["properties"]["id"] == {"type": "string"}
    assert lenient["properties"]["tax_exempt"] == {"type": ["string", "null"]}  # open enum, nullable
    assert strict["properties"]["tax_exempt"] == {"type": ["string", "null"], "enum": ["none", None]}
    assert lenient["properties"]["default_source"]["anyOf"][1] == {"$ref": "#/$defs/payment_method"}
    assert lenient["$defs"]["payment_method"]["type"] == "object"  # another resource: a stub
    assert "additionalProperties" not in lenient
    assert strict["additionalProperties"] is False
    assert strict["$defs"]["address"]["additionalProperties"] is False
    assert "provider/2030-01-01: generated" in capsys.readouterr().out

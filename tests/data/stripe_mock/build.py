"""Writes endpoints.json: what the stripe-mock stand-in (tests/stripe_mock_standin.py) knows.

For each operation on the paths the scenarios call, the request parameters' JSON Schema as
Stripe's OpenAPI spec states it (form body for POST, query for GET and DELETE) and the
object the answer holds; plus Stripe's fixture of each such object, what stripe-mock serves.
Run from the project root with the shared data beside it (not needed at test time):

    python tests/data/stripe_mock/build.py ../shared/stripe-openapi/2023-08-16/spec3.json.gz \
        ../shared/stripe-fixtures/2023-08-16/fixtures3.json.gz
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

PATHS = (
    "/v1/customers", "/v1/customers/{customer}",
    "/v1/payment_methods", "/v1/payment_methods/{payment_method}",
    "/v1/payment_methods/{payment_method}/attach", "/v1/payment_methods/{payment_method}/detach",
    "/v1/setup_intents", "/v1/setup_intents/{intent}", "/v1/setup_intents/{intent}/confirm",
    "/v1/invoiceitems", "/v1/invoiceitems/{invoiceitem}",
    "/v1/invoices", "/v1/invoices/{invoice}", "/v1/invoices/{invoice}/finalize",
    "/v1/invoices/{invoice}/pay", "/v1/invoices/{invoice}/void",
    "/v1/events", "/v1/events/{id}",
    "/v1/coupons", "/v1/coupons/{coupon}",
)
KEEP = {"type", "properties", "items", "anyOf", "enum", "required", "additionalProperties"}


def trim(schema: Any) -> Any:
    if isinstance(schema, dict):
        return {k: ({n: trim(s) for n, s in v.items()} if k == "properties" else trim(v))
                for k, v in schema.items() if k in KEEP}
    if isinstance(schema, list):
        return [trim(v) for v in schema]
    return schema


def answer(op: dict[str, Any]) -> dict[str, str]:
    schema = op["responses"]["200"]["content"]["application/json"]["schema"]
    if "anyOf" in schema:  # GET /v1/customers/{customer}: customer or deleted_customer; stripe-mock serves the first
        schema = schema["anyOf"][0]
    if "$ref" in schema:
        return {"object": schema["$ref"].rsplit("/", 1)[1]}
    items = schema["properties"]["data"]["items"]
    return {"list_of": items["$ref"].rsplit("/", 1)[1]}


def main(spec_path: str, fixtures_path: str) -> None:
    with gzip.open(spec_path, "rt") as f:
        spec = json.load(f)
    with gzip.open(fixtures_path, "rt") as f:
        fixtures = json.load(f)["resources"]
    endpoints = []
    for path in PATHS:
        for method, op in spec["paths"][path].items():
            if method not in ("get", "post", "delete"):
                continue
            if method == "post":
                params = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded", {})
                schema = trim(params.get("schema", {"type": "object", "properties": {}}))
            else:
                query = [p for p in op.get("parameters", []) if p["in"] == "query"]
                schema = {
                    "type": "object", "additionalProperties": False,
                    "properties": {p["name"]: trim(p["schema"]) for p in query},
                    "required": [p["name"] for p in query if p.get("required")],
                }
            endpoints.append({"method": method.upper(), "path": path, "params": schema, **answer(op)})
    names = {e.get("object") or e["list_of"] for e in endpoints}
    out = {
        "api_version": spec["info"]["version"],
        "endpoints": endpoints,
        "fixtures": {name: fixtures[name] for name in sorted(names)},
    }
    target = Path(__file__).with_name("endpoints.json")
    target.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target}: {len(endpoints)} operations, {len(names)} fixtures")


if __name__ == "__main__":
    main(*sys.argv[1:])

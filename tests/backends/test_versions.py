"""The localstripe compat server renders each response in the pinned API version's shape.

Checked against the strict contracts themselves: a basil invoice without ``paid`` and with
``parent``/``amount_overpaid`` is what the catalogue says basil sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from harness.backends.base import Request
from harness.backends.localstripe import LocalstripeBackend
from harness.contracts import load_contracts
from harness.contracts.shapes import FidelityCheck
from tests.requires import require

require("localstripe", "pip install 'stripe-compat[localstripe]'")

KEY = "sk_test_versions0123456789"
BASIL, OLD = "2025-03-31.basil", "2020-08-27"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalstripeBackend]:
    with LocalstripeBackend(api_key=KEY) as backend:
        yield backend


def _call(server: LocalstripeBackend, method: str, path: str, version: str, **form: Any) -> Any:
    headers = {
        "Authorization": f"Bearer {KEY}",
        "Stripe-Version": version,
        "Content-Type": "application/x-www-form-urlencoded",
    }
    body = urlencode(form).encode()
    response = server.handle_request(Request(method, f"{server.api_base}{path}", headers, body))
    assert response.status == 200, response.body
    return response.json()


def _invoice_flow(server: LocalstripeBackend, version: str) -> list[Any]:
    server.reset()
    customer = _call(server, "POST", "/v1/customers", version, email="ada@example.com")
    draft = {"customer": customer["id"], "pending_invoice_items_behavior": "exclude"}
    invoice = _call(server, "POST", "/v1/invoices", version, **draft)
    item = _call(server, "POST", "/v1/invoiceitems", version, customer=customer["id"], invoice=invoice["id"],
                 amount=1500, currency="usd")
    final = _call(server, "POST", f"/v1/invoices/{invoice['id']}/finalize", version)
    events = _call(server, "GET", "/v1/events", version)
    return [customer, invoice, item, final, events]


@pytest.mark.parametrize("version", [OLD, "2024-06-20", BASIL, "2026-10-28.endive"])
def test_every_response_and_event_passes_the_strict_contracts_of_its_version(
    server: LocalstripeBackend, version: str
) -> None:
    contracts = load_contracts(version)
    for payload in _invoice_flow(server, version):
        assert contracts.violations(payload, strict=True) == []


@pytest.mark.parametrize("version", [OLD, "2023-10-16", "2024-06-20", BASIL, "2026-10-28.endive"])
def test_every_object_has_exactly_stripes_default_fields_at_its_version(
    server: LocalstripeBackend, version: str
) -> None:
    check = FidelityCheck(version)
    for payload in _invoice_flow(server, version):
        assert check.findings(payload) == []
    customer = _call(server, "GET", "/v1/customers", version)["data"][0]
    assert "sources" not in customer
    assert (customer["balance"], customer["tax_exempt"], customer["next_invoice_sequence"]) == (0, "none", 1)
    expanded = _call(server, "GET", f"/v1/customers/{customer['id']}?expand[]=sources", version)
    assert expanded["sources"]["object"] == "list"  # includable: sent when expanded


def test_basil_reshapes_invoices_items_and_lines_and_keeps_what_the_integration_reads(
    server: LocalstripeBackend,
) -> None:
    _, _, item, final, _ = _invoice_flow(server, BASIL)
    assert "paid" not in final
    assert "subscription" not in final
    assert final["amount_overpaid"] == 0
    assert final["parent"] is None
    assert (final["status"], final["total"], final["currency"]) == ("open", 1500, "usd")
    line = final["lines"]["data"][0]
    assert line["parent"]["type"] == "invoice_item_details"
    assert line["parent"]["invoice_item_details"]["invoice_item"] == item["id"]
    assert "plan" not in item
    assert "parent" in item


def test_older_versions_keep_their_own_fields(server: LocalstripeBackend) -> None:
    _, _, item, final, _ = _invoice_flow(server, OLD)
    assert final["paid"] is False
    assert "amount_overpaid" not in final
    assert "parent" not in final["lines"]["data"][0]
    assert "pricing" not in item


def test_an_event_is_rendered_at_its_own_version_whatever_version_lists_it(server: LocalstripeBackend) -> None:
    _invoice_flow(server, BASIL)
    listed_at_old = _call(server, "GET", "/v1/events", OLD)["data"]
    finalized = next(e for e in listed_at_old if e["type"] == "invoice.finalized")
    assert finalized["api_version"] == BASIL
    assert "paid" not in finalized["data"]["object"]
    assert "amount_overpaid" in finalized["data"]["object"]

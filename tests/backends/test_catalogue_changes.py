"""The localstripe fake answers each version as Stripe does where the catalogue says requests changed.

endive refuses ``payment_method_types`` on intents; basil removed ``coupon`` from the Customer
endpoints; clover names a discount's coupon by id under ``source``.
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

KEY = "sk_test_catalogue0123456789"
ENDIVE, DAHLIA, BASIL, OLD = "2026-10-28.endive", "2026-07-29.dahlia", "2025-03-31.basil", "2024-06-20"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalstripeBackend]:
    with LocalstripeBackend(api_key=KEY) as backend:
        yield backend


@pytest.fixture(autouse=True)
def _empty(server: LocalstripeBackend) -> None:
    server.reset()


def _call(server: LocalstripeBackend, method: str, path: str, version: str, **form: Any) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {KEY}", "Stripe-Version": version,
               "Content-Type": "application/x-www-form-urlencoded"}
    response = server.handle_request(Request(method, f"{server.api_base}{path}", headers, urlencode(form).encode()))
    return response.status, response.json()


def _faithful(body: Any, version: str) -> None:
    assert FidelityCheck(version).findings(body) == []
    assert load_contracts(version).violations(body, strict=True) == []


@pytest.mark.parametrize("path", ["/v1/setup_intents", "/v1/payment_intents"])
def test_endive_refuses_payment_method_types_with_stripes_code(server: LocalstripeBackend, path: str) -> None:
    form = {"payment_method_types[0]": "card", "amount": 1000, "currency": "usd"}
    if path == "/v1/setup_intents":
        del form["amount"], form["currency"]

    status, body = _call(server, "POST", path, ENDIVE, **form)

    assert status == 400
    assert body["error"]["code"] == "payment_method_types_no_longer_supported"
    assert body["error"]["param"] == "payment_method_types"
    assert body["error"]["doc_url"].endswith("/payment-method-types-no-longer-supported")
    _faithful(body, ENDIVE)


def test_before_endive_payment_method_types_is_accepted(server: LocalstripeBackend) -> None:
    status, body = _call(server, "POST", "/v1/setup_intents", BASIL, **{"payment_method_types[0]": "card"})

    assert status == 200
    assert body["payment_method_types"] == ["card"]
    _faithful(body, BASIL)


def test_allowed_payment_method_types_exists_from_dahlia_and_is_reflected(server: LocalstripeBackend) -> None:
    status, body = _call(server, "POST", "/v1/setup_intents", ENDIVE, **{"allowed_payment_method_types[0]": "card"})
    assert (status, body["payment_method_types"]) == (200, ["card"])
    _faithful(body, ENDIVE)

    status, body = _call(server, "POST", "/v1/setup_intents", BASIL, **{"allowed_payment_method_types[0]": "card"})
    assert status == 400
    assert body["error"]["message"] == "Received unknown parameter: allowed_payment_method_types"


def test_a_customer_coupon_before_basil_is_a_discount_shaped_per_version(server: LocalstripeBackend) -> None:
    assert _call(server, "POST", "/v1/coupons", OLD, id="SPRING", percent_off=20, duration="forever")[0] == 200

    status, customer = _call(server, "POST", "/v1/customers", OLD, email="ada@example.com", coupon="SPRING")

    assert status == 200
    assert customer["discount"]["coupon"]["id"] == "SPRING"
    _faithful(customer, OLD)
    # The same customer read at endive: clover moved the coupon to discount.source.coupon, by id.
    status, later = _call(server, "GET", f"/v1/customers/{customer['id']}", ENDIVE)
    assert status == 200
    assert later["discount"]["source"] == {"coupon": "SPRING", "type": "coupon"}
    assert "coupon" not in later["discount"]
    _faithful(later, ENDIVE)


@pytest.mark.parametrize("version", [BASIL, ENDIVE])
def test_from_basil_customer_endpoints_have_no_coupon(server: LocalstripeBackend, version: str) -> None:
    _call(server, "POST", "/v1/coupons", OLD, id="SPRING", percent_off=20, duration="forever")

    status, body = _call(server, "POST", "/v1/customers", version, email="ada@example.com", coupon="SPRING")

    assert status == 400
    assert body["error"]["message"] == "Received unknown parameter: coupon"
    assert _call(server, "GET", "/v1/customers", version)[1]["data"] == []  # nothing half-created

"""load_contracts / known_api_versions / violations: the API the rest of the harness calls."""

from __future__ import annotations

import copy
import json

import pytest

from harness.contracts import Violation, known_api_versions, load_contracts
from harness.errors import ConfigError

from .helpers import first_object

MATRIX = ["2020-08-27", "2023-10-16", "2024-06-20", "2025-03-31.basil", "2026-10-28.endive"]

CUSTOMER = {
    "id": "cus_1",
    "object": "customer",
    "created": 1,
    "livemode": False,
    "email": "a@example.com",
    "metadata": {"user_id": "7"},
    "invoice_settings": {
        "default_payment_method": None,
        "custom_fields": None,
        "footer": None,
        "rendering_options": None,
    },
    "balance": 0,
    "delinquent": False,
    "description": None,
    "discount": None,
    "name": None,
    "phone": None,
    "preferred_locales": [],
    "shipping": None,
    "tax_exempt": "none",
    "address": None,
    "currency": None,
    "default_source": None,
    "invoice_prefix": "ABC",
    "next_invoice_sequence": 1,
    "test_clock": None,
}


@pytest.mark.parametrize("version", MATRIX)
def test_every_matrix_version_has_contracts_and_accepts_a_valid_customer(version: str) -> None:
    contracts = load_contracts(version)
    assert contracts.api_version == version
    assert contracts.violations(CUSTOMER) == []
    assert load_contracts(version) is contracts  # compiled once, cached


def test_unknown_version_is_a_config_error_listing_known_versions() -> None:
    with pytest.raises(ConfigError) as info:
        load_contracts("2031-01-01.zinnia")
    assert "2025-03-31.basil" in str(info.value)
    assert set(MATRIX) <= set(known_api_versions())


def test_consumer_violation_is_a_blocker_with_path_expectation_and_file() -> None:
    customer = {**CUSTOMER, "metadata": {"user_id": 7}}
    found = load_contracts("2024-06-20").violations({"object": "list", "data": [customer], "has_more": False})
    blockers = [v for v in found if v.severity == "blocker"]
    assert blockers == [
        Violation(
            "$.data[0].metadata.user_id",
            "customer",
            "type string",
            "integer 7",
            "contracts/consumer/reference.json#/objects/customer",
            "blocker",
        )
    ]
    assert "$.data[0].metadata.user_id" in str(blockers[0])
    assert "blocker" in str(blockers[0])


def test_deleted_customer_uses_the_deleted_contracts() -> None:
    contracts = load_contracts("2025-03-31.basil")
    assert contracts.violations({"id": "cus_1", "object": "customer", "deleted": True}) == []
    missing = contracts.violations({"id": "cus_1", "object": "customer", "deleted": "yes"})
    assert {v.path for v in missing} >= {"$.created", "$.metadata"}  # not deleted: judged as a customer


def test_lists_need_has_more_and_error_bodies_need_a_message() -> None:
    contracts = load_contracts("2023-10-16")
    assert [v.path for v in contracts.violations({"object": "list", "data": []})] == ["$.has_more"]
    assert contracts.violations({"error": {"type": "card_error", "code": "card_declined", "message": "No"}}) == []
    [problem] = contracts.violations({"error": {"type": "api_error"}})
    assert (problem.path, problem.severity) == ("$.error.message", "blocker")


def test_unknown_fields_are_allowed_except_in_the_strict_profile() -> None:
    contracts = load_contracts("2024-06-20")
    customer = {**CUSTOMER, "brand_new_field": 1}
    assert contracts.violations(customer) == []
    strict = contracts.violations(customer, strict=True)
    assert any(v.path == "$.brand_new_field" and v.schema_file.endswith(".strict.schema.json") for v in strict)


def test_open_enums_accept_new_values() -> None:
    contracts = load_contracts("2023-10-16")
    method = {
        "id": "pm_1",
        "object": "payment_method",
        "type": "a_method_stripe_added_later",
        "customer": None,
        "billing_details": {"address": None, "email": None, "name": None, "phone": None},
        "created": 1,
        "livemode": False,
        "metadata": {},
    }
    assert contracts.violations(method) == []
    assert any("enum" in v.expected or "one of" in v.expected for v in contracts.violations(method, strict=True))


def test_event_data_is_checked_at_the_events_own_api_version() -> None:
    acacia_invoice = first_object("invoice", "2024-06-20")
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "invoice.paid",
        "api_version": "2024-06-20",
        "created": 1,
        "livemode": False,
        "pending_webhooks": 0,
        "request": None,
        "data": {"object": acacia_invoice},
    }
    basil = load_contracts("2025-03-31.basil")
    assert basil.violations(event) == []  # rendered at 2024-06-20, so judged by 2024-06-20 contracts
    relabelled = copy.deepcopy(event)
    relabelled["api_version"] = "2025-03-31.basil"
    paths = {v.path for v in basil.violations(relabelled)}
    assert {"$.data.object.paid", "$.data.object.parent", "$.data.object.lines.data[0].type"} <= paths


def test_event_at_unknown_version_is_reported_not_crashed() -> None:
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "x",
        "api_version": "2010-01-01",
        "created": 1,
        "livemode": False,
        "pending_webhooks": 0,
        "request": None,
        "data": {"object": {"object": "customer"}},
    }
    [problem] = load_contracts("2024-06-20").violations(event)
    assert problem.path == "$.api_version"
    assert "'2010-01-01'" in problem.got


def test_consumer_since_overrides_apply_from_their_version(tmp_path) -> None:
    from harness.contracts.consumer import consumer_schemas

    path = tmp_path / "team.json"
    path.write_text(
        json.dumps(
            {
                "objects": {"invoice": {"required": ["paid"]}},
                "since": {"2025-03-31.basil": {"invoice": {"required": ["parent"]}}},
            }
        )
    )
    assert consumer_schemas(path, "2025-02-24.acacia")["invoice"] == ({"required": ["paid"]}, "#/objects/invoice")
    assert consumer_schemas(path, "2026-10-28.endive")["invoice"][1] == "#/since/2025-03-31.basil/invoice"

"""LocalstripeBackend and its compat server, through stripe-python and over raw HTTP.

One server per module (startup costs ~0.5 s); each test starts from an empty account.
"""

from __future__ import annotations

import importlib.util
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stripe

from harness.backends.base import ConnectFailed, Request, Response
from harness.backends.http import HTTPBackend
from harness.backends.localstripe import LocalstripeBackend, require_localstripe
from harness.errors import BackendError, BackendUnavailable
from harness.stripe_http import routed_to, stripe_error
from tests.requires import require

require("localstripe", "pip install 'stripe-compat[localstripe]'")

API_KEY = "sk_test_compat_suite_0123456789"
NEW = "2026-10-28.endive"
OLD = "2020-08-27"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalstripeBackend]:
    """One strict-keys server for the module."""
    with LocalstripeBackend(api_key=API_KEY) as backend:
        yield backend


@pytest.fixture(scope="module")
def lenient() -> Iterator[LocalstripeBackend]:
    """A server with localstripe's own key rule (any sk_ key)."""
    with LocalstripeBackend(api_key=API_KEY, strict_keys=False) as backend:
        yield backend


@pytest.fixture
def backend(server: LocalstripeBackend) -> Iterator[LocalstripeBackend]:
    """The module's server, emptied, with stripe-python's global traffic routed to it."""
    server.reset()
    with routed_to(server):
        yield server


def call(fn: Callable[..., Any], *args: Any, version: str = NEW, **params: Any) -> Any:
    """``fn`` the way the reference integration calls Stripe: global style, explicit key and version."""
    return fn(*args, api_key=API_KEY, stripe_version=version, **params)


def raw(
    backend: LocalstripeBackend, method: str, path: str, body: str = "", key: str | None = API_KEY, **headers: str
) -> Response:
    """A request without stripe-python, to see exactly what the server answers."""
    sent = {name.replace("_", "-"): value for name, value in headers.items()}
    if key is not None:
        sent["Authorization"] = f"Bearer {key}"
    if body:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    return backend.handle_request(Request(method, backend.api_base + path, sent, body.encode()))


def new_customer(email: str = "ada@example.com", **params: Any) -> Any:
    return call(stripe.Customer.create, email=email, **params)


# --- customers ---------------------------------------------------------------------------


def test_customer_create_retrieve_modify_list_and_delete(backend: LocalstripeBackend) -> None:
    first = new_customer("ada@example.com", name="Ada Lovelace", metadata={"user_id": "1"})
    second = new_customer("ada@example.com", name="Ada again")
    new_customer("grace@example.com")
    pm = call(stripe.PaymentMethod.attach, "pm_card_visa", customer=first["id"])

    modified = call(stripe.Customer.modify, first["id"], invoice_settings={"default_payment_method": pm["id"]})
    fetched = call(stripe.Customer.retrieve, first["id"])
    listed = call(stripe.Customer.list, email="ada@example.com", limit=1)

    assert (first["email"], first["name"], first["metadata"]["user_id"]) == ("ada@example.com", "Ada Lovelace", "1")
    assert modified["invoice_settings"]["default_payment_method"] == pm["id"]
    assert fetched["invoice_settings"]["default_payment_method"] == pm["id"]
    # Newest first, as Stripe lists; the limit applies after the email filter.
    assert [c["id"] for c in listed["data"]] == [second["id"]]
    assert listed["has_more"] is True

    deleted = call(stripe.Customer.delete, first["id"])
    after = call(stripe.Customer.retrieve, first["id"])

    assert deleted["deleted"] is True
    # Stripe keeps answering 200 for a deleted customer, flagged deleted.
    assert (after["id"], after["object"], after["deleted"]) == (first["id"], "customer", True)
    assert [c["id"] for c in call(stripe.Customer.list, email="ada@example.com")["data"]] == [second["id"]]


def test_unknown_ids_are_resource_missing(backend: LocalstripeBackend) -> None:
    with pytest.raises(stripe_error("InvalidRequestError")) as caught:
        call(stripe.Customer.retrieve, "cus_doesnotexist")

    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"
    assert caught.value.param == "id"
    assert "No such customer: 'cus_doesnotexist'" in str(caught.value)

    with pytest.raises(stripe_error("InvalidRequestError")) as caught:
        call(stripe.Invoice.retrieve, "in_doesnotexist")
    assert caught.value.code == "resource_missing"
    assert "No such invoice: 'in_doesnotexist'" in str(caught.value)


def test_a_deleted_customer_is_missing_for_everything_but_retrieve(backend: LocalstripeBackend) -> None:
    customer = new_customer()
    call(stripe.Customer.delete, customer["id"])

    with pytest.raises(stripe_error("InvalidRequestError")) as caught:
        call(stripe.Invoice.create, customer=customer["id"])

    assert caught.value.code == "resource_missing"


# --- payment methods and setup intents ---------------------------------------------------


def test_test_tokens_attach_as_new_payment_methods(backend: LocalstripeBackend) -> None:
    customer = new_customer()

    visa = call(stripe.PaymentMethod.attach, "pm_card_visa", customer=customer["id"])
    mastercard = call(stripe.PaymentMethod.attach, "pm_card_mastercard", customer=customer["id"])

    assert visa["id"].startswith("pm_")
    assert visa["id"] != "pm_card_visa"
    assert (visa["customer"], visa["card"]["brand"], visa["card"]["last4"]) == (customer["id"], "visa", "4242")
    assert (mastercard["card"]["brand"], mastercard["card"]["last4"]) == ("mastercard", "4444")

    with pytest.raises(stripe_error("CardError")) as caught:
        call(stripe.PaymentMethod.attach, "pm_card_chargeDeclined", customer=customer["id"])
    assert caught.value.http_status == 402
    assert caught.value.code == "card_declined"
    assert caught.value.json_body["error"]["type"] == "card_error"


def test_payment_method_retrieve_and_detach(backend: LocalstripeBackend) -> None:
    customer = new_customer()
    pm = call(stripe.PaymentMethod.attach, "pm_card_visa", customer=customer["id"])

    assert call(stripe.PaymentMethod.retrieve, pm["id"])["customer"] == customer["id"]
    assert call(stripe.PaymentMethod.detach, pm["id"])["customer"] is None
    assert call(stripe.PaymentMethod.retrieve, pm["id"])["customer"] is None


def test_setup_intent_confirm_attaches_the_payment_method(backend: LocalstripeBackend) -> None:
    customer = new_customer()

    intent = call(stripe.SetupIntent.create, customer=customer["id"], usage="off_session")
    confirmed = call(stripe.SetupIntent.confirm, intent["id"], payment_method="pm_card_visa")

    assert intent["status"] == "requires_payment_method"
    assert intent["client_secret"].startswith(intent["id"] + "_secret_")
    assert confirmed["status"] == "succeeded"
    assert call(stripe.PaymentMethod.retrieve, confirmed["payment_method"])["customer"] == customer["id"]

    at_once = call(
        stripe.SetupIntent.create, customer=customer["id"], payment_method="pm_card_mastercard", confirm=True
    )
    assert at_once["status"] == "succeeded"
    assert call(stripe.PaymentMethod.retrieve, at_once["payment_method"])["customer"] == customer["id"]


# --- invoices ------------------------------------------------------------------------------


def _draft(customer_id: str, version: str = NEW, **params: Any) -> Any:
    return call(
        stripe.Invoice.create,
        customer=customer_id,
        auto_advance=False,
        collection_method="charge_automatically",
        version=version,
        **params,
    )


def test_invoice_first_flow_finalize_and_pay(backend: LocalstripeBackend) -> None:
    customer = new_customer()
    pm = call(stripe.PaymentMethod.attach, "pm_card_visa", customer=customer["id"])
    call(stripe.Customer.modify, customer["id"], invoice_settings={"default_payment_method": pm["id"]})

    draft = _draft(customer["id"])
    for amount, label in ((700, "Pro plan"), (200, "Extra seat")):
        item = call(
            stripe.InvoiceItem.create,
            customer=customer["id"],
            invoice=draft["id"],
            amount=amount,
            currency="usd",
            description=label,
        )
        assert item["invoice"] == draft["id"]
    before = call(stripe.Invoice.retrieve, draft["id"])
    finalized = call(stripe.Invoice.finalize_invoice, draft["id"])
    paid = call(stripe.Invoice.pay, draft["id"])

    assert (draft["status"], draft["total"], draft["auto_advance"]) == ("draft", 0, False)
    assert (before["total"], before["currency"]) == (900, "usd")
    assert [line["description"] for line in before["lines"]["data"]] == ["Pro plan", "Extra seat"]
    assert (finalized["status"], finalized["total"]) == ("open", 900)
    assert finalized["status_transitions"]["finalized_at"] is not None
    assert (paid["status"], paid["amount_paid"]) == ("paid", 900)
    assert call(stripe.Invoice.retrieve, draft["id"])["status"] == "paid"


def test_finalize_needs_a_draft_and_a_zero_invoice_is_paid(backend: LocalstripeBackend) -> None:
    draft = _draft(new_customer()["id"])

    finalized = call(stripe.Invoice.finalize_invoice, draft["id"])
    with pytest.raises(stripe_error("InvalidRequestError")) as caught:
        call(stripe.Invoice.finalize_invoice, draft["id"])

    assert finalized["status"] == "paid"
    assert caught.value.http_status == 400
    assert "already finalized" in str(caught.value)


def test_items_cannot_be_added_to_a_finalized_invoice(backend: LocalstripeBackend) -> None:
    customer = new_customer()
    draft = _draft(customer["id"])
    call(stripe.Invoice.finalize_invoice, draft["id"])

    with pytest.raises(stripe_error("InvalidRequestError")):
        call(stripe.InvoiceItem.create, customer=customer["id"], invoice=draft["id"], amount=100, currency="usd")


def test_paying_with_a_card_that_fails_is_a_card_error(backend: LocalstripeBackend) -> None:
    customer = new_customer()
    pm = call(stripe.PaymentMethod.attach, "pm_card_chargeCustomerFail", customer=customer["id"])
    call(stripe.Customer.modify, customer["id"], invoice_settings={"default_payment_method": pm["id"]})
    draft = _draft(customer["id"])
    call(stripe.InvoiceItem.create, customer=customer["id"], invoice=draft["id"], amount=500, currency="usd")

    with pytest.raises(stripe_error("CardError")) as caught:
        call(stripe.Invoice.pay, draft["id"])

    assert caught.value.code == "card_declined"
    assert call(stripe.Invoice.retrieve, draft["id"])["status"] == "open"


@pytest.mark.parametrize(
    ("version", "behavior", "expected"),
    [
        (NEW, None, "empty"),  # 2022-08-01 and later: exclude by default
        (OLD, None, "error"),  # before: include_and_require
        (OLD, "exclude", "empty"),
        (NEW, "include", "item"),
    ],
)
def test_pending_invoice_items_behavior(
    backend: LocalstripeBackend, version: str, behavior: str | None, expected: str
) -> None:
    customer = new_customer()
    pending = call(stripe.InvoiceItem.create, customer=customer["id"], amount=300, currency="usd", version=version)
    params = {"pending_invoice_items_behavior": behavior} if behavior else {}

    if expected == "error":
        with pytest.raises(stripe_error("InvalidRequestError")) as caught:
            call(stripe.Invoice.create, customer=new_customer()["id"], version=version)
        assert caught.value.code == "invoice_no_customer_line_items"
        # ... and an account with a pending item gets it on the invoice.
        expected = "item"
    invoice = _draft(customer["id"], version, **params)

    # basil moved the line's invoice_item under parent; the server renders each version's shape
    lines = [line["parent"]["invoice_item_details"]["invoice_item"] if version >= "2025" else line["invoice_item"]
             for line in invoice["lines"]["data"]]
    assert lines == ([pending["id"]] if expected == "item" else [])


# --- idempotency, headers, errors, keys ----------------------------------------------------


def test_idempotency_key_replays_the_original_response(backend: LocalstripeBackend) -> None:
    first = new_customer(idempotency_key="signup-1")
    again = new_customer(idempotency_key="signup-1")

    assert again["id"] == first["id"]
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert len(call(stripe.Customer.list)["data"]) == 1

    with pytest.raises(stripe_error("IdempotencyError")) as caught:
        new_customer("other@example.com", idempotency_key="signup-1")
    assert caught.value.http_status == 400
    assert caught.value.json_body["error"]["type"] == "idempotency_error"


def test_idempotency_keys_are_scoped_per_api_key(lenient: LocalstripeBackend) -> None:
    lenient.reset()
    body = "email=ada%40example.com"

    one = raw(lenient, "POST", "/v1/customers", body, key="sk_test_account_one_1234", Idempotency_Key="k")
    two = raw(lenient, "POST", "/v1/customers", body, key="sk_test_account_two_1234", Idempotency_Key="k")
    one_again = raw(lenient, "POST", "/v1/customers", body, key="sk_test_account_one_1234", Idempotency_Key="k")

    assert one.json()["id"] != two.json()["id"]
    assert "Idempotent-Replayed" not in two.headers
    assert one_again.json()["id"] == one.json()["id"]


def test_response_headers(backend: LocalstripeBackend) -> None:
    pinned = raw(backend, "GET", "/v1/customers", Stripe_Version="2024-06-20")
    default = raw(backend, "POST", "/v1/customers", "email=a%40b.c", Idempotency_Key="key-123")
    error = raw(backend, "GET", "/v1/customers/cus_missing", Stripe_Version=NEW)

    for response in (pinned, default, error):
        assert re.fullmatch(r"req_[A-Za-z0-9]{14}", response.headers["Request-Id"])
    assert pinned.headers["Request-Id"] != default.headers["Request-Id"]
    assert pinned.headers["Stripe-Version"] == "2024-06-20"
    assert default.headers["Stripe-Version"] == OLD
    assert default.headers["Idempotency-Key"] == "key-123"
    assert "Idempotency-Key" not in pinned.headers
    assert error.headers["Stripe-Version"] == NEW


def test_unknown_route_is_a_json_404(backend: LocalstripeBackend) -> None:
    response = raw(backend, "GET", "/v1/x")

    assert response.status == 404
    assert response.headers["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("Unrecognized request URL (GET: /v1/x).")


def test_a_server_crash_is_a_json_500_and_the_server_survives(backend: LocalstripeBackend) -> None:
    # localstripe calls .get() on invoice_settings without checking it is a dict.
    response = raw(backend, "POST", "/v1/customers/cus_any", "invoice_settings=oops")

    assert response.status == 500
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["type"] == "api_error"
    assert new_customer()["id"].startswith("cus_")


def test_unknown_parameters_are_named(backend: LocalstripeBackend) -> None:
    with pytest.raises(stripe_error("InvalidRequestError")) as caught:
        new_customer(favourite_colour="blue")

    assert caught.value.param == "favourite_colour"
    assert "Received unknown parameter: favourite_colour" in str(caught.value)


def test_strict_keys_reject_other_keys_without_echoing_them(backend: LocalstripeBackend) -> None:
    wrong = "sk_test_someone_elses_key_9876"

    response = raw(backend, "GET", "/v1/customers", key=wrong)
    missing = raw(backend, "GET", "/v1/customers", key=None)

    assert response.status == 401
    message = response.json()["error"]["message"]
    assert message == "Invalid API Key provided: sk_test_******************9876"
    assert wrong not in response.body.decode()
    assert missing.status == 401
    assert missing.json()["error"]["message"].startswith("You did not provide an API key.")
    with pytest.raises(stripe_error("AuthenticationError")):
        stripe.Customer.create(api_key=wrong, stripe_version=NEW, email="ada@example.com")


def test_without_strict_keys_any_secret_key_works(lenient: LocalstripeBackend) -> None:
    accepted = raw(lenient, "GET", "/v1/customers", key="sk_test_anything_at_all")
    refused = raw(lenient, "GET", "/v1/customers", key="pk_test_publishable_1234")

    assert accepted.status == 200
    assert refused.status == 401
    assert refused.json()["error"]["message"] == "Invalid API Key provided: pk_test_" + "*" * 12 + "1234"


# --- events and reset ----------------------------------------------------------------------


def test_events_carry_the_requested_version_and_are_listed_newest_first(backend: LocalstripeBackend) -> None:
    customer = new_customer(version="2024-06-20")
    call(stripe.PaymentMethod.attach, "pm_card_visa", customer=customer["id"])
    intent = call(stripe.SetupIntent.create, customer=customer["id"], usage="off_session")
    call(stripe.SetupIntent.confirm, intent["id"], payment_method="pm_card_mastercard")
    draft = _draft(customer["id"])
    call(stripe.InvoiceItem.create, customer=customer["id"], invoice=draft["id"], amount=100, currency="usd")
    call(stripe.Invoice.finalize_invoice, draft["id"])

    events = call(stripe.Event.list, limit=100)["data"]
    types = [event["type"] for event in events]

    assert types == [
        "invoice.finalized",
        "invoiceitem.created",
        "invoice.created",
        "setup_intent.succeeded",
        "payment_method.attached",
        "payment_method.attached",
        "customer.created",
    ]
    assert events[-1]["api_version"] == "2024-06-20"
    assert events[-1]["request"]["id"] == customer.last_response.request_id
    assert {event["api_version"] for event in events[:-1]} == {NEW}
    attached = call(stripe.Event.list, type="payment_method.attached", limit=1)["data"]
    assert [event["id"] for event in attached] == [events[4]["id"]]


def test_reset_empties_objects_events_and_idempotency_keys(backend: LocalstripeBackend) -> None:
    before = new_customer(idempotency_key="reset-1")

    backend.reset()
    after = new_customer(idempotency_key="reset-1")

    assert after["id"] != before["id"]
    assert "Idempotent-Replayed" not in after.last_response.headers
    assert [c["id"] for c in call(stripe.Customer.list)["data"]] == [after["id"]]
    assert [e["type"] for e in call(stripe.Event.list)["data"]] == ["customer.created"]


# --- the process ---------------------------------------------------------------------------


def test_nothing_is_pickled_to_tmp(backend: LocalstripeBackend) -> None:
    pickle = Path("/tmp/localstripe.pickle")
    mtime = pickle.stat().st_mtime if pickle.exists() else None

    new_customer()

    assert (pickle.stat().st_mtime if pickle.exists() else None) == mtime


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the Linux socket table")
def test_listens_on_loopback_only(server: LocalstripeBackend) -> None:
    port = int(server.api_base.rsplit(":", 1)[1])
    listening = [
        fields[1]
        for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
        if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port
    ]
    assert listening == [f"0100007F:{port:04X}"]


def test_close_stops_the_server_and_can_be_repeated() -> None:
    backend = LocalstripeBackend(strict_keys=False)
    pid, base = backend.pid, backend.api_base
    assert pid is not None

    backend.close()
    backend.close()

    assert backend.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(BackendError, match="closed"):
        backend.handle_request(Request("GET", base + "/v1/customers"))
    with HTTPBackend(base) as probe, pytest.raises(ConnectFailed):
        probe.handle_request(Request("GET", base + "/v1/customers"))


def test_missing_localstripe_is_backend_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackendUnavailable, match=re.escape("pip install 'stripe-compat[localstripe]'")):
        require_localstripe("localstripe_is_not_installed")

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(BackendUnavailable, match="stripe-compat\\[localstripe\\]"):
        LocalstripeBackend()


def _script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "python"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as the interpreter")
def test_an_interpreter_without_localstripe_is_backend_unavailable(tmp_path: Path) -> None:
    # -S: no site-packages, so the server finds the harness but not localstripe.
    python = _script(tmp_path, f'exec "{sys.executable}" -S "$@"')

    with pytest.raises(BackendUnavailable, match="stripe-compat\\[localstripe\\]"):
        LocalstripeBackend(python=python)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as the interpreter")
def test_a_server_that_dies_at_startup_reports_its_stderr(tmp_path: Path) -> None:
    python = _script(tmp_path, "echo 'boom: no such thing' >&2; exit 3")

    with pytest.raises(BackendError, match="exited with status 3") as caught:
        LocalstripeBackend(python=python)

    assert "boom: no such thing" in str(caught.value)
    assert not isinstance(caught.value, BackendUnavailable)

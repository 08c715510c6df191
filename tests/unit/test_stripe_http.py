import time

import pytest
import stripe

from harness.backends.base import ConnectFailed, HandlerBackend, Request, Response
from harness.backends.spy import RequestLog
from harness.stripe_http import routed_to, stripe_error


def test_library_traffic_reaches_the_backend_and_globals_are_restored() -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response.from_json(200, {"id": "cus_1", "object": "customer"}, {"Request-Id": "req_1"})

    before = (stripe.api_base, stripe.default_http_client, stripe.max_network_retries)
    with routed_to(HandlerBackend(handler)):
        customer = stripe.Customer.create(
            api_key="sk_test_x", stripe_version="2024-06-20", email="a@example.com", idempotency_key="k1"
        )
    assert customer["id"] == "cus_1"
    (request,) = seen
    assert request.method == "POST"
    assert request.path == "/v1/customers"
    assert ("email", "a@example.com") in request.form
    assert request.header("stripe-version") == "2024-06-20"
    assert request.header("Idempotency-Key") == "k1"
    assert (stripe.api_base, stripe.default_http_client, stripe.max_network_retries) == before


def test_the_librarys_own_retries_run_as_in_production_without_the_back_off_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stripe, "max_network_retries", 2)  # stripe 16's default, whatever ran before
    calls = []

    def refuse(request: Request) -> Response:
        calls.append(request)
        raise ConnectFailed("refused")

    started = time.monotonic()
    with routed_to(HandlerBackend(refuse)), pytest.raises(stripe_error("APIConnectionError")):
        stripe.Customer.retrieve("cus_1", api_key="sk_test_x")
    # The integration's setting is left alone: three attempts, each a network error.
    assert len(calls) == 3
    assert time.monotonic() - started < 0.5  # the 0.5 s+ back-offs were skipped


def test_a_retried_create_is_one_call_in_the_request_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stripe, "max_network_retries", 2)
    attempts = []

    def flaky(request: Request) -> Response:
        attempts.append(request)
        if len(attempts) == 1:
            return Response.from_json(503, {"error": {"type": "api_error", "message": "busy"}})
        return Response.from_json(200, {"id": "cus_1", "object": "customer"})

    log = RequestLog(HandlerBackend(flaky))
    with routed_to(log):
        stripe.Customer.create(api_key="sk_test_x", email="a@example.com")

    (call,) = log.calls()
    assert [e.response.status for e in call.attempts if e.response] == [503, 200]
    assert len({e.request.header("Idempotency-Key") for e in call.attempts}) == 1
    assert log.count("POST", "/v1/customers") == 1
    assert log.describe() == "POST /v1/customers -> 503, then 200"


def test_a_request_repr_masks_the_key_and_keeps_the_rest() -> None:
    request = Request("POST", "https://api.stripe.com/v1/customers",
                      {"Authorization": "Bearer sk_test_51Habcdefghij", "Idempotency-Key": "k1"}, b"email=a%40b.io")
    shown = repr(request)
    assert "sk_test_51Habcdefghij" not in shown
    assert "'Authorization': 'Bearer sk_test_REDACTED'" in shown
    assert "'Idempotency-Key': 'k1'" in shown
    assert "email=a%40b.io" in shown

import pytest
import stripe

from harness.backends.base import ConnectFailed, HandlerBackend, Request, Response
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


def test_network_errors_surface_as_the_librarys_connection_error_without_retries() -> None:
    calls = []

    def refuse(request: Request) -> Response:
        calls.append(request)
        raise ConnectFailed("refused")

    with routed_to(HandlerBackend(refuse)), pytest.raises(stripe_error("APIConnectionError")):
        stripe.Customer.retrieve("cus_1", api_key="sk_test_x")
    assert len(calls) == 1  # retries are off, so one recording serves every release

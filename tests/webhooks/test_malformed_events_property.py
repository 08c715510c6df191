"""Property: any signed body, however malformed, gets a 200 or a 400 from both handlers, never an exception.

Each field the handlers read (the envelope's id, type, created, data, api_version and the
object's id, customer, payment_method) is drawn either valid or as any JSON value at all;
the body is correctly signed, so only the handler's own checks stand between it and the
ledger. Whatever comes, the answer is 200 or 400 and the ledger holds only string ids.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.reference.db import connect
from harness.reference.webhooks import RULES, WebhookHandler
from harness.webhooks.signing import signature_header

SECRET = "whsec_property"
VERSION = "2024-06-20"
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
OBJECT_ID = st.sampled_from(["cus_1", "pm_1", "in_1"]) | st.fixed_dictionaries({"id": st.just("pm_1")}) | JSON
OBJECT = st.fixed_dictionaries(
    {}, optional={"id": OBJECT_ID, "customer": OBJECT_ID, "payment_method": OBJECT_ID, "object": JSON}
)
EVENT = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(alphabet="evt_0123456789", min_size=1, max_size=12) | JSON,
        "type": st.sampled_from([*RULES, "invoice.voided", "charge.refunded"]) | JSON,
        "created": st.integers(min_value=0, max_value=2**31) | JSON,
        "data": st.fixed_dictionaries({"object": OBJECT}) | JSON,
        "api_version": st.just(VERSION) | JSON,
    },
)

Deliver = Callable[[bytes, str], int]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deliver, Callable[[], list[Any]]]]:
    conn = connect(tmp_path_factory.mktemp("reference") / "billing.sqlite3")
    conn.execute("INSERT INTO users (email, created_at, stripe_customer_id, billing_state) "
                 "VALUES ('ada@example.com', 0, 'cus_1', 'ready')")
    handler = WebhookHandler(conn, SECRET)
    yield (lambda body, sig: handler.handle(body, sig, pinned_version=VERSION).status,
           lambda: [row[0] for row in conn.execute("SELECT event_id FROM processed_events")])
    conn.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Deliver, Callable[[], list[Any]]]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SHOP))
        from shop.app import ShopApp, ShopSettings
        from shop.stripe_api import StripeConfig

        app = ShopApp(ShopSettings(StripeConfig("sk_test_property", VERSION), SECRET,
                                   tmp_path_factory.mktemp("shop") / "shop.sqlite3"))
        yield (lambda body, sig: app.webhooks.deliver(body, sig)[0], lambda: list(app.store.keys("events")))
        app.close()


@pytest.fixture(params=["reference", "shop"])
def handler(request: pytest.FixtureRequest) -> tuple[Deliver, Callable[[], list[Any]]]:
    return request.getfixturevalue(request.param)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(event=EVENT | JSON)
def test_any_signed_body_is_answered_200_or_400(handler: tuple[Deliver, Callable[[], list[Any]]], event: Any) -> None:
    deliver, ledger = handler
    body = json.dumps(event).encode()

    status = deliver(body, signature_header(body, SECRET))

    assert status in (200, 400)
    recorded = ledger()
    assert all(isinstance(event_id, str) and event_id for event_id in recorded), recorded
    if status == 200:
        assert event["id"] in recorded


def test_the_property_reaches_the_ledger(handler: tuple[Deliver, Callable[[], list[Any]]]) -> None:
    """Against a handler that refused everything the property would hold vacuously: a good event lands."""
    deliver, ledger = handler
    body = json.dumps({"id": "evt_good", "type": "invoice.paid", "created": 1, "api_version": VERSION,
                       "data": {"object": {"id": "in_1"}}}).encode()
    assert deliver(body, signature_header(body, SECRET)) == 200
    assert "evt_good" in ledger()

"""What the scan believes is a Stripe object, and how sure it says it is."""

from __future__ import annotations

from pathlib import Path

from harness.scan.findings import Confidence

from .helpers import rules, scan_snippet

UP = ("14.4.1@2024-06-20", "15.6.2@2024-06-20")
DICT_METHODS = "library:stripeobject-dict-methods"


def _confidences(tmp_path: Path, code: str) -> list[Confidence]:
    return [f.confidence for f in scan_snippet(tmp_path, code, *UP) if f.rule == DICT_METHODS]


PIN = 'import stripe\nstripe.api_version = "2024-06-20"\nstripe.max_network_retries = 0\n'


def test_assignment_iteration_and_nested_fields_are_followed(tmp_path: Path) -> None:
    code = PIN + (
        'found = stripe.Customer.list(email="a@b.c")\n'
        "for customer in found.auto_paging_iter():\n"
        '    uid = customer.metadata.get("user_id")\n'
        'first = [c for c in found.data][0]\n'
        'name = first.get("name")\n'
    )
    assert _confidences(tmp_path, code) == [Confidence.CERTAIN, Confidence.CERTAIN]


def test_a_helper_handed_a_stripe_method_is_likely_and_a_bare_name_is_a_name_match(tmp_path: Path) -> None:
    helper = PIN + "def call(fn, **kw):\n    return fn(**kw)\n\nfound = call(stripe.Invoice.retrieve, id='in_1')\n" \
        "status = found.get('status')\n"
    assert _confidences(tmp_path, helper) == [Confidence.LIKELY]
    named = PIN + "def on_paid(invoice):\n    return invoice.get('status')\n"
    assert _confidences(tmp_path, named) == [Confidence.NAME]


def test_values_that_are_not_stripe_objects_are_never_flagged(tmp_path: Path) -> None:
    code = PIN + (
        "import json\n"
        "from typing import Any\n"
        "def handle(payload: bytes, invoice: dict[str, Any], customer: Any, event: str) -> None:\n"
        "    data = json.loads(payload)\n"
        "    data.get('paid')\n"
        "    invoice.get('paid')\n"
        "    customer.get('id')\n"
        "    event.upper()\n"
        "    for line in data['lines']:\n"
        "        line.get('price')\n"
        "from .models import invoice\n"
        "invoice['paid']\n"
        "def customer():\n"
        "    pass\n"
        "customer.get('x')\n"
        "try:\n"
        "    pass\n"
        "except KeyError as event:\n"
        "    event.get('x')\n"
        "def shop(api) -> None:\n"
        "    listed = api.call('customers', 'list')\n"
        "    for customer in listed['data']:\n"
        "        customer.get('metadata')\n"
    )
    assert scan_snippet(tmp_path, code, "7.14.0@2023-10-16", "16.1.0@2026-10-28.endive") == []


def test_stripe_client_services_webhook_events_and_annotations(tmp_path: Path) -> None:
    code = PIN + (
        'client = stripe.StripeClient("sk_test_x", stripe_version="2024-06-20")\n'
        'invoice = client.v1.invoices.retrieve("in_1")\n'
        "paid = invoice['paid']\n"
        "def hook(body: bytes, sig: str) -> None:\n"
        "    event = stripe.Webhook.construct_event(body, sig, 'whsec_x')\n"
        "    event.data.object.get('id')\n"
        "def typed(inv: stripe.Invoice) -> bool:\n"
        "    return inv.paid\n"
    )
    found = scan_snippet(tmp_path, code, "14.4.1@2024-06-20", "15.6.2@2025-03-31.basil")
    assert {(f.line, f.rule, f.confidence) for f in found} == {
        (6, "api:invoice.paid", Confidence.CERTAIN),
        (9, DICT_METHODS, Confidence.CERTAIN),
        (11, "api:invoice.paid", Confidence.CERTAIN),
    }


def test_code_that_probes_the_library_first_is_not_flagged_for_the_names_it_falls_back_to(tmp_path: Path) -> None:
    code = PIN + (
        "def exception(name):\n"
        "    found = getattr(stripe, name, None)\n"
        "    return found if isinstance(found, type) else getattr(stripe.error, name)\n"
        "try:\n"
        "    from stripe.error import CardError\n"
        "except ImportError:\n"
        "    CardError = stripe.CardError\n"
        "try:  # stripe >= 7\n"
        "    from stripe._http_client import HTTPClient\n"
        "except ImportError:  # stripe 2.x - 6.x\n"
        "    from stripe.http_client import HTTPClient\n"
    )
    assert scan_snippet(tmp_path, code, "12.5.1@2024-06-20", "13.2.0@2024-06-20") == []
    unguarded = PIN + "def f():\n    return stripe.error.CardError\n"
    assert rules(scan_snippet(tmp_path, unguarded, "12.5.1@2024-06-20", "13.2.0@2024-06-20")) == {
        "library:stripe-error-attribute"}


def test_serializing_a_stripe_object_as_a_dict(tmp_path: Path) -> None:
    code = PIN + (
        "from flask import jsonify\n"
        "def signup(email):\n"
        "    customer = stripe.Customer.create(email=email)\n"
        "    as_dict = dict(customer)\n"
        "    merged = {**customer, 'x': 1}\n"
        "    if isinstance(customer, dict):\n"
        "        pass\n"
        "    return jsonify(customer=customer)\n"
        "def fields(email):\n"
        "    customer = stripe.Customer.create(email=email)\n"
        "    return jsonify(id=customer.id, email=customer['email'])\n"  # strings: fine on every release
    )
    found = scan_snippet(tmp_path, code, *UP)
    assert [f.line for f in found if f.rule == "library:stripeobject-not-a-mapping"] == [7, 8, 9, 11]


def test_an_unpinned_integration_is_compared_at_the_versions_its_releases_send(tmp_path: Path) -> None:
    """10.12.0 sends 2024-06-20 and 16.1.0 sends endive: code reading invoice.paid breaks although both ends
    name 2024-06-20 (the upgrade check once said SAFE here)."""
    code = ("import stripe\nstripe.max_network_retries = 0\n"
            "invoice = stripe.Invoice.retrieve('in_1')\npaid = invoice['paid']\n")
    found = scan_snippet(tmp_path, code, "10.12.0@2024-06-20", "16.1.0@2024-06-20")
    assert {(f.line, f.rule) for f in found} == {(3, "library:library-pins-the-api-version"),
                                                 (4, "api:invoice.paid")}
    pinned = code.replace("stripe.max_network_retries = 0", "stripe.max_network_retries = 0\n"
                          "stripe.api_version = '2024-06-20'")
    assert scan_snippet(tmp_path, pinned, "10.12.0@2024-06-20", "16.1.0@2024-06-20") == []


def test_a_webhook_branch_on_the_event_type_types_the_events_object(tmp_path: Path) -> None:
    code = PIN + (
        "def hook(body: bytes, sig: str) -> None:\n"
        "    event = stripe.Webhook.construct_event(body, sig, 'whsec_x')\n"
        "    if event.type == 'invoice.paid':\n"
        "        sub = event.data.object.subscription\n"
        "    elif event['type'].startswith('customer.'):\n"
        "        coupon = event.data.object.discount.coupon\n"
        "    if event.type in ('setup_intent.succeeded', 'setup_intent.created'):\n"
        "        intent = event.data.object\n"
        "        paid = intent.paid\n"
        "    other = event.data.object.subscription\n"  # no branch: an object of unknown type
    )
    found = scan_snippet(tmp_path, code, "16.1.0@2024-06-20", "16.1.0@2026-10-28.endive")
    assert {(f.line, f.rule) for f in found} == {(7, "api:invoice.subscription"), (9, "api:customer.discount")}


def test_what_the_files_own_functions_return_is_followed(tmp_path: Path) -> None:
    code = PIN + (
        "def report(ids):\n"
        "    for invoice_id in ids:\n"
        "        inv = fetch(invoice_id)\n"
        "        yield inv.get('total')\n"
        "def fetch(invoice_id: str):\n"
        "    return CLIENT.v1.invoices.retrieve(invoice_id)\n"
        "class Billing:\n"
        "    def latest(self):\n"
        "        return stripe.Invoice.list(limit=1).data[0]\n"
        "    def total(self) -> int:\n"
        "        return self.latest().get('total')\n"
        "CLIENT = stripe.StripeClient('sk_test_x', stripe_version='2024-06-20')\n"  # assigned below its use
    )
    found = [(f.line, f.confidence) for f in scan_snippet(tmp_path, code, *UP) if f.rule == DICT_METHODS]
    assert found == [(7, Confidence.LIKELY), (14, Confidence.LIKELY)]


def test_a_webhook_handler_in_the_sample_servers_style(tmp_path: Path) -> None:
    """Signed or not, ``data`` may be the event's (a branch join keeps it); the type is tested through a
    variable; the object was read before the branch; an expanded field is its own object."""
    code = PIN + (
        "import json\n"
        "def hook(body, sig, secret):\n"
        "    request_data = json.loads(body)\n"
        "    if secret:\n"
        "        event = stripe.Webhook.construct_event(body, sig, secret)\n"
        "        data = event['data']\n"
        "        event_type = event['type']\n"
        "    else:\n"
        "        data = request_data['data']\n"
        "        event_type = request_data['type']\n"
        "    data_object = data['object']\n"
        "    if event_type == 'invoice.payment_succeeded':\n"
        "        sub = data_object['subscription']\n"
        "    elif event_type == 'customer.updated':\n"
        "        sub = data_object['subscription']\n"  # a customer has no such field to lose
        "    late = data_object['subscription']\n"  # outside the branch: of no known type
        "def create(customer_id):\n"
        "    subscription = stripe.Subscription.create(customer=customer_id, expand=['latest_invoice'])\n"
        "    return subscription.latest_invoice.paid\n"
    )
    found = scan_snippet(tmp_path, code, "16.1.0@2024-06-20", "16.1.0@2025-03-31.basil")
    assert {(f.line, f.rule) for f in found} == {(16, "api:invoice.subscription"), (22, "api:invoice.paid")}


def test_expanding_a_field_an_api_version_removed_is_found(tmp_path: Path) -> None:
    code = PIN + (
        "sub = stripe.Subscription.create(customer='cus_1', expand=['latest_invoice.payment_intent'])\n"
        "inv = stripe.Invoice.retrieve('in_1', expand=['customer', 'charge'])\n"
        "listed = stripe.Invoice.list(expand=['data.subscription'])\n"
        "client = stripe.StripeClient('sk_test_x', stripe_version='2024-06-20')\n"
        "client.v1.invoices.retrieve('in_1', {'expand': ['payment_intent']})\n"
    )
    found = scan_snippet(tmp_path, code, "16.1.0@2024-06-20", "16.1.0@2025-03-31.basil")
    assert {(f.line, f.rule) for f in found} == {
        (4, "api:invoice.payment_intent"), (5, "api:invoice.charge"), (6, "api:invoice.subscription"),
        (8, "api:invoice.payment_intent")}


def test_namespaced_resources_are_stripe_objects_too(tmp_path: Path) -> None:
    code = PIN + (
        "session = stripe.checkout.Session.retrieve('cs_1')\n"
        "body = dict(session)\n"
        "portal = stripe.billing_portal.Session.create(customer='cus_1', return_url='https://x')\n"
        "url = portal.get('url')\n"
        "reader = stripe.terminal.Reader\n"
    )
    found = scan_snippet(tmp_path, code, *UP)
    assert [(f.line, f.rule) for f in found] == [(5, "library:stripeobject-not-a-mapping"), (7, DICT_METHODS)]


def test_a_match_on_the_event_type_narrows_like_an_if(tmp_path: Path) -> None:
    code = PIN + (
        "def hook(body: bytes, sig: str) -> None:\n"
        "    event = stripe.Webhook.construct_event(body, sig, 'whsec_x')\n"
        "    obj = event.data.object\n"
        "    match event.type:\n"
        "        case 'invoice.paid' | 'invoice.payment_succeeded':\n"
        "            sub = obj.subscription\n"
        "        case 'customer.updated':\n"
        "            coupon = obj.discount.coupon\n"
        "        case _:\n"
        "            other = obj.subscription\n"
    )
    found = scan_snippet(tmp_path, code, "16.1.0@2024-06-20", "16.1.0@2026-10-28.endive")
    assert {(f.line, f.rule) for f in found} == {(9, "api:invoice.subscription"), (11, "api:customer.discount")}

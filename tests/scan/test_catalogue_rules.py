"""One test per catalogue entry: code that reads the changed field (or sends the removed parameter) is
found at the version that changes it; the same code reading a field that did not change is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.contracts.catalogue import Change, RequestChange, load_catalogue, version_key
from harness.contracts.registry import resolve_contracts_dir

from .helpers import rules, scan_snippet

RELEASES = load_catalogue(resolve_contracts_dir(None))
#: How a snippet gets a Stripe object of each catalogue object (a followed assignment, not a name).
RECEIVERS = {
    "customer": 'obj = stripe.Customer.retrieve("cus_1")',
    "deleted_customer": 'obj = stripe.Customer.delete("cus_1")',
    "invoice": 'obj = stripe.Invoice.retrieve("in_1")',
    "deleted_invoice": 'obj = stripe.Invoice.delete("in_1")',
    "invoiceitem": 'obj = stripe.InvoiceItem.retrieve("ii_1")',
    "deleted_invoiceitem": 'obj = stripe.InvoiceItem.delete("ii_1")',
    "line_item": 'obj = stripe.Invoice.retrieve("in_1").lines.data[0]',
    "payment_method": 'obj = stripe.PaymentMethod.retrieve("pm_1")',
    "setup_intent": 'obj = stripe.SetupIntent.retrieve("seti_1")',
    "payment_intent": 'obj = stripe.PaymentIntent.retrieve("pi_1")',
    "event": 'obj = stripe.Event.retrieve("evt_1")',
}
CLASSES = {"customer": "Customer", "invoiceitem": "InvoiceItem", "setup_intent": "SetupIntent",
           "payment_intent": "PaymentIntent", "invoice": "Invoice"}


def _previous(version: str) -> str:
    older = [r.version for r in RELEASES if version_key(r.version) < version_key(version)]
    return older[-1] if older else "2020-08-27"


def _cases() -> list[tuple[str, Change]]:
    return [(r.version, c) for r in RELEASES for c in r.changes if not c.backfill and c.object in RECEIVERS]


def test_changes_the_scan_cannot_see_are_additions() -> None:
    """Error bodies are read from exceptions, not response objects: fine while they only gain fields."""
    unseen = [c for r in RELEASES for c in r.changes if c.object not in RECEIVERS]
    assert unseen
    assert {c.change for c in unseen} == {"added"}


def _snippet(version: str, receiver: str, read: str) -> str:
    return f'import stripe\nstripe.api_version = "{version}"\n{receiver}\nvalue = {read}\n'


def _subscripts(path: str) -> str:
    return "obj" + "".join(f'["{part}"]' for part in path.split("."))


@pytest.mark.parametrize(("version", "change"), _cases(),
                         ids=[f"{v}:{c.object}.{c.path}:{c.change}" for v, c in _cases()])
def test_each_field_change(tmp_path: Path, version: str, change: Change) -> None:
    receiver = RECEIVERS[change.object]
    before, after = f"16.1.0@{_previous(version)}", f"16.1.0@{version}"
    if change.change in ("removed", "moved"):
        reads = [_subscripts(change.path), "obj." + change.path, f'obj.get("{change.path.split(".")[0]}")']
        for read in reads:
            found = scan_snippet(tmp_path, _snippet(before.split("@")[1], receiver, read), before, after)
            assert f"api:{change.object}.{change.path}" in rules(found), read
            assert {f.changed_in for f in found if f.rule.startswith("api:")} == {f"API {version}"}
    elif change.change == "retyped" and change.schema and "properties" in change.schema:
        gone = f"{change.path}.__not_in_the_new_shape__"
        found = scan_snippet(tmp_path, _snippet(_previous(version), receiver, "obj." + gone), before, after)
        assert f"api:{change.object}.{change.path}" in rules(found)
        kept = f"{change.path}.{sorted(change.schema['properties'])[0]}"
        assert not scan_snippet(tmp_path, _snippet(_previous(version), receiver, "obj." + kept), before, after)
    else:  # added, required, or retyped without a new object shape: reading it cannot break
        found = scan_snippet(tmp_path, _snippet(_previous(version), receiver, "obj." + change.path), before, after)
        assert not [f for f in found if f.rule.startswith("api:")]
        if change.change == "added" and not change.required:
            # ... but rolling back below the version that added it, it is not there.
            back = scan_snippet(tmp_path, _snippet(version, receiver, "obj." + change.path), after, before)
            assert [(f.rule, f.changed_in) for f in back] == [(f"api:{change.object}.{change.path}", f"API {version}")]
    # The same object, a field no version changed: nothing.
    unchanged = scan_snippet(tmp_path, _snippet(_previous(version), receiver, 'obj["id"]'), before, after)
    assert not unchanged


def _request_cases() -> list[tuple[str, RequestChange]]:
    return [(r.version, c) for r in RELEASES for c in r.requests]


@pytest.mark.parametrize(("version", "change"), _request_cases(),
                         ids=[f"{v}:{c.object}.{c.param}" for v, c in _request_cases()])
def test_each_request_change(tmp_path: Path, version: str, change: RequestChange) -> None:
    before, after = f"16.1.0@{_previous(version)}", f"16.1.0@{version}"
    head = f'import stripe\nstripe.api_version = "{_previous(version)}"\n'
    call = f"stripe.{CLASSES[change.object]}.{change.operations[0]}"
    sent = scan_snippet(tmp_path, head + f'{call}(customer="cus_1", {change.param}=["card"])\n', before, after)
    assert {f.changed_in for f in sent} == {f"API {version}"}
    assert len(sent) == 1
    # The StripeClient style, parameters in a dict.
    client = (head + 'client = stripe.StripeClient("sk_test_x", stripe_version="2020-08-27")\n'
              f'client.v1.{_service(change.object)}.create({{"{change.param}": ["card"]}})\n')
    assert len(scan_snippet(tmp_path, client, before, after)) == 1
    # A call that names its own API version is not moved by the upgrade.
    fixed = head + f'{call}(customer="cus_1", {change.param}=["card"], stripe_version="{_previous(version)}")\n'
    assert not scan_snippet(tmp_path, fixed, before, after)
    options = head + (f'OLD = "{_previous(version)}"\noptions = {{"stripe_version": OLD}}\n'
                      f'{call}(customer="cus_1", {change.param}=["card"], **options)\n')
    assert not scan_snippet(tmp_path, options, before, after)
    # Other parameters of the same call, or the same parameter on the way back: nothing.
    assert not scan_snippet(tmp_path, head + f'{call}(customer="cus_1", metadata={{"a": "b"}})\n', before, after)
    assert not scan_snippet(tmp_path, head + f'{call}({change.param}=["card"])\n', after, before)


def _service(obj: str) -> str:
    return {"customer": "customers", "invoiceitem": "invoice_items", "setup_intent": "setup_intents",
            "payment_intent": "payment_intents", "invoice": "invoices"}[obj]

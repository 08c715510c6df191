"""One test per library break: a snippet that uses it is found with the release that breaks it, the
portable spelling of the same code is not, and neither is the break outside the releases it affects."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.upgrade.causes import library_breaks

from .helpers import rules, scan_snippet

PIN = 'import stripe\nstripe.api_version = "2024-06-20"\nstripe.max_network_retries = 0\n'
CUSTOMER = PIN + 'customer = stripe.Customer.retrieve("cus_1")\n'
CLIENT = PIN + 'client = stripe.StripeClient("sk_test_x", stripe_version="2024-06-20")\n'

#: break id -> (code that uses it, the same code written portably, an upgrade that crosses the break).
CASES: dict[str, tuple[str, str, str, str]] = {
    "stripe-error-import": (PIN + "from stripe.error import CardError\n", PIN + "CardError = stripe.CardError\n",
                            "12.5.1@2024-06-20", "16.1.0@2024-06-20"),
    "stripe-error-attribute": (PIN + "try:\n    pass\nexcept stripe.error.CardError:\n    pass\n",
                               PIN + "try:\n    pass\nexcept stripe.CardError:\n    pass\n",
                               "12.5.1@2024-06-20", "13.2.0@2024-06-20"),
    "module-shims-removed": (PIN + "from stripe.util import convert_to_stripe_object\n",
                             PIN + "convert = stripe.convert_to_stripe_object\n", "12.5.1@2024-06-20",
                             "13.2.0@2024-06-20"),
    "api-requestor-private": (PIN + "requestor = stripe.api_requestor.APIRequestor()\n",
                              PIN + 'client = stripe.StripeClient("sk_test_x")\n', "7.14.0@2024-06-20",
                              "8.11.0@2024-06-20"),
    "positional-request-options": (PIN + 'stripe.Customer.create("sk_test_x", "idem-1")\n',
                                   PIN + 'stripe.Customer.create(api_key="sk_test_x", idempotency_key="idem-1")\n',
                                   "7.14.0@2024-06-20", "8.11.0@2024-06-20"),
    "global-retries-default": ('import stripe\nstripe.api_version = "2024-06-20"\nstripe.Customer.list()\n',
                               PIN + "stripe.Customer.list()\n", "10.12.0@2024-06-20", "11.6.0@2024-06-20"),
    "invoice-upcoming-removed": (PIN + 'stripe.Invoice.upcoming(customer="cus_1")\n',
                                 PIN + 'stripe.Invoice.create_preview(customer="cus_1")\n', "11.6.0@2024-06-20",
                                 "12.5.1@2024-06-20"),
    "bools-lower-case": (PIN + 'stripe.Invoice.create(customer="cus_1", auto_advance=False)\n',
                         PIN + 'stripe.Invoice.create(customer="cus_1", auto_advance="false")\n',
                         "11.6.0@2024-06-20", "12.5.1@2024-06-20"),
    "v1-services": (CLIENT + 'client.v1.customers.retrieve("cus_1")\n',
                    CLIENT + 'client.customers.retrieve("cus_1")\n', "12.5.1@2024-06-20", "10.12.0@2024-06-20"),
    "flat-services-deprecated": (CLIENT + 'client.customers.retrieve("cus_1")\n',
                                 CLIENT + 'client.v1.customers.retrieve("cus_1")\n', "12.5.1@2024-06-20",
                                 "13.2.0@2024-06-20"),
    "stripeobject-dict-methods": (CUSTOMER + 'email = customer.get("email")\n',
                                  CUSTOMER + 'email = customer["email"]\n', "14.4.1@2024-06-20",
                                  "15.6.2@2024-06-20"),
    "stripeobject-not-a-mapping": (CUSTOMER + "import json\nbody = json.dumps(customer)\n",
                                   CUSTOMER + "import json\nbody = json.dumps(customer.to_dict())\n",
                                   "14.4.1@2024-06-20", "15.6.2@2024-06-20"),
    "to-dict-recursive-removed": (CUSTOMER + "plain = customer.to_dict_recursive()\n",
                                  CUSTOMER + "plain = customer.to_dict()\n", "14.4.1@2024-06-20",
                                  "15.6.2@2024-06-20"),
    "decimal-string-fields": (PIN + 'item = stripe.InvoiceItem.retrieve("ii_1")\nq = item.quantity_decimal\n',
                              PIN + 'item = stripe.InvoiceItem.retrieve("ii_1")\nq = item.quantity\n',
                              "14.4.1@2024-06-20", "15.6.2@2024-06-20"),
    "stripeobject-request-removed": (CUSTOMER + 'customer.request("get", "/v1/customers")\n',
                                     CLIENT + 'client.raw_request("get", "/v1/customers")\n', "15.6.2@2024-06-20",
                                     "16.1.0@2024-06-20"),
    "reversal-renamed": (PIN + "reversal_class = stripe.Reversal\n", PIN + "reversal_class = stripe.TransferReversal\n",
                         "15.6.2@2024-06-20", "16.1.0@2024-06-20"),
    "library-pins-the-api-version": ('import stripe\nstripe.max_network_retries = 0\nstripe.Customer.list()\n',
                                     PIN + "stripe.Customer.list()\n", "10.12.0@2024-06-20", "16.1.0@2024-06-20"),
}


def test_every_library_break_has_a_case() -> None:
    assert set(CASES) == {b.id for b in library_breaks()}


@pytest.mark.parametrize("break_id", sorted(CASES))
def test_each_library_break(tmp_path: Path, break_id: str) -> None:
    uses, portable, source, target = CASES[break_id]
    brk = next(b for b in library_breaks() if b.id == break_id)
    found = [f for f in scan_snippet(tmp_path, uses, source, target, notes=True) if f.rule == f"library:{break_id}"]
    assert len(found) == 1, found
    # The unpinned finding names the release whose pin it moves to; the others the release that broke it.
    expected = target.split("@")[0] if break_id == "library-pins-the-api-version" else brk.release
    assert found[0].changed_in == f"stripe {expected}"
    assert found[0].source == brk.source
    assert f"library:{break_id}" not in rules(scan_snippet(tmp_path, portable, source, target, notes=True))
    # The same code on an upgrade that stays on one side of the break (another API version only): nothing.
    same_side = target.replace("@2024-06-20", "@2024-09-30.acacia")
    assert f"library:{break_id}" not in rules(scan_snippet(tmp_path, uses, target, same_side, notes=True))


def test_from_stripe_import_error_is_the_attribute_not_the_module(tmp_path: Path) -> None:
    code = PIN + "from stripe import error\n"
    assert rules(scan_snippet(tmp_path, code, "12.5.1@2024-06-20", "13.2.0@2024-06-20")) == {
        "library:stripe-error-attribute"}
    assert scan_snippet(tmp_path, code, "12.5.1@2024-06-20", "16.1.0@2024-06-20") == []  # back in 14.0.1
    module = PIN + "import stripe.error\n"
    assert rules(scan_snippet(tmp_path, module, "12.5.1@2024-06-20", "16.1.0@2024-06-20")) == {
        "library:stripe-error-import"}

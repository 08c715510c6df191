import pytest
from vcr.request import Request as VcrRequest

from harness.cassettes.matching import normalized_form, stripe_form_body


def _req(body: str) -> VcrRequest:
    return VcrRequest("POST", "https://api.stripe.com/v1/invoices", body, {})


def test_booleans_match_across_library_spellings_and_order_is_ignored() -> None:
    old = _req("auto_advance=False&customer=cus_1")  # stripe < 12.0.1
    new = _req("customer=cus_1&auto_advance=false")  # stripe >= 12.0.1
    stripe_form_body(old, new)
    assert normalized_form(old.body) == (("auto_advance", "false"), ("customer", "cus_1"))


def test_a_changed_parameter_is_reported_with_both_sides() -> None:
    expected = r"sent \[\('customer', 'cus_2'\)\] but recorded \[\('customer', 'cus_1'\)\]"
    with pytest.raises(AssertionError, match=expected):
        stripe_form_body(_req("customer=cus_2"), _req("customer=cus_1"))

"""``STRIPE_API_KEY`` must be exactly one test-mode key; the refusal never echoes the value."""

from __future__ import annotations

import pytest

from harness.backends.sources import live_api_key
from harness.errors import ConfigError

LIVE = "sk_live_51Hrealkey0123456789"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (f"sk_test_ {LIVE}", "LIVE key"),
        (f"sk_test_abc\n{LIVE}", "LIVE key"),
        (f"rk_test_abc,{LIVE}", "LIVE key"),
        ("sk_test_51Hkey0123 sk_test_51Hother456", "not one Stripe test-mode key"),
        ("'sk_test_51Hkey0123456789'", "not one Stripe test-mode key"),
        ("sk_test_51Hkey\t0123456789", "not one Stripe test-mode key"),
        ("sk_test_", "not one Stripe test-mode key"),
        ("pk_test_51Hkey0123456789", "not one Stripe test-mode key"),
    ],
)
def test_anything_but_one_test_key_is_refused_without_echoing_it(
    value: str, says: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", value)
    with pytest.raises(ConfigError) as refused:
        live_api_key()
    assert says in str(refused.value)
    assert "51Hkey" not in str(refused.value)
    assert "realkey" not in str(refused.value)


@pytest.mark.parametrize("value", ["sk_test_51Hkey0123456789", "rk_test_51Hkey0123456789", " sk_test_51Hkey0123\n"])
def test_one_test_key_is_accepted(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", value)
    assert live_api_key() == value.strip()

"""Opening the backend a run asked for: the one place that knows every kind.

Server-like backends (localstripe, stripe-mock, live Stripe) are opened once per
session and reset between scenarios; replay opens one cassette per scenario.
"""

from __future__ import annotations

import os

from ..config import OFFLINE_API_KEY, BackendKind, HarnessConfig
from ..errors import ConfigError
from .base import Backend

LIVE_API_BASE = "https://api.stripe.com"
#: Where the live backend sends requests instead of api.stripe.com. For the harness's own
#: tests only (they point it at localstripe to prove the live path); never set it in CI.
API_BASE_OVERRIDE = "STRIPE_COMPAT_LIVE_API_BASE"


def live_api_key() -> str:
    """The test-mode key from ``STRIPE_API_KEY``; a live key is refused before any request."""
    key = os.environ.get("STRIPE_API_KEY", "").strip()
    if not key:
        msg = "--stripe-backend=live needs a test-mode key in STRIPE_API_KEY (sk_test_... or rk_test_...)."
        raise ConfigError(msg)
    if key.startswith(("sk_live_", "rk_live_")):
        msg = (
            "STRIPE_API_KEY holds a LIVE key; the harness refuses it and sent nothing. "
            "Use a test-mode key (sk_test_... or rk_test_...) from the Stripe dashboard."
        )
        raise ConfigError(msg)
    if not key.startswith(("sk_test_", "rk_test_")):
        msg = "STRIPE_API_KEY does not look like a Stripe test-mode key (sk_test_... or rk_test_...)."
        raise ConfigError(msg)
    return key


def api_key_for(config: HarnessConfig) -> str:
    """The key scenarios authenticate with on this backend."""
    return live_api_key() if config.backend is BackendKind.LIVE else OFFLINE_API_KEY


def open_server(config: HarnessConfig) -> Backend | None:
    """The session's shared server backend, or None for replay."""
    if config.backend is BackendKind.REPLAY:
        return None
    if config.backend is BackendKind.LOCALSTRIPE:
        from .localstripe import LocalstripeBackend

        return LocalstripeBackend(api_key=OFFLINE_API_KEY)
    if config.backend is BackendKind.LIVE:
        from .http import HTTPBackend

        live_api_key()
        return HTTPBackend(os.environ.get(API_BASE_OVERRIDE) or LIVE_API_BASE, name="live")
    from .stripe_mock import open_stripe_mock

    return open_stripe_mock()

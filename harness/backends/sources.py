"""Opening the backend a run asked for: the one place that knows every kind.

Server-like backends (localstripe, stripe-mock, live Stripe) are opened once per
session and reset between scenarios; replay opens one cassette per scenario.
"""

from __future__ import annotations

import os
import re

from ..config import OFFLINE_API_KEY, BackendKind, HarnessConfig
from ..errors import ConfigError
from .base import Backend

LIVE_API_BASE = "https://api.stripe.com"
#: Where the live backend sends requests instead of api.stripe.com. For the harness's own
#: tests only (they point it at localstripe to prove the live path); never set it in CI.
API_BASE_OVERRIDE = "STRIPE_COMPAT_LIVE_API_BASE"
_TEST_KEY = re.compile(r"(?:sk|rk)_test_[A-Za-z0-9]+")
#: A live key anywhere in the value means the user holds one: say so, whatever surrounds it.
_LIVE_KEY = re.compile(r"(?:sk|rk)_live_")


def live_api_key() -> str:
    """The test-mode key from ``STRIPE_API_KEY``; anything else is refused before any request.

    The whole value must be one test key (surrounding whitespace aside): a prefix check
    would pass ``"sk_test_ sk_live_…"`` and send it, live key included.
    """
    key = os.environ.get("STRIPE_API_KEY", "").strip()
    if not key:
        msg = "--stripe-backend=live needs a test-mode key in STRIPE_API_KEY (sk_test_... or rk_test_...)."
        raise ConfigError(msg)
    if _LIVE_KEY.search(key):
        msg = (
            "STRIPE_API_KEY holds a LIVE key; the harness refuses it and sent nothing. "
            "Use a test-mode key (sk_test_... or rk_test_...) from the Stripe dashboard."
        )
        raise ConfigError(msg)
    if not _TEST_KEY.fullmatch(key):
        msg = (
            "STRIPE_API_KEY is not one Stripe test-mode key: it must be sk_test_ or rk_test_ followed by "
            "letters and digits only, with no spaces, quotes or second value. Nothing was sent."
        )
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

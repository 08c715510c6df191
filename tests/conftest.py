"""Every test starts from stripe-python's own globals, whatever an earlier test's code set.

The reference gateway and worker set ``stripe.max_network_retries`` (and the worker
``stripe.api_base``) for their whole process, as production code does; in-process tests
of them would otherwise leave those settings to every test that runs after.
"""

from __future__ import annotations

import pytest
import stripe

_GLOBALS = ("api_base", "api_key", "api_version", "default_http_client", "max_network_retries")


@pytest.fixture(autouse=True)
def _stripe_globals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put stripe's module globals back after each test (the fixture stripe-python's own tests use)."""
    for name in _GLOBALS:
        monkeypatch.setattr(stripe, name, getattr(stripe, name))

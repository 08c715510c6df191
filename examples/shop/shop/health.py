"""Whether the shop can use Stripe right now, as the ``/health/stripe`` monitoring route shows it."""

from __future__ import annotations

import time
from typing import Any

from .store import DocumentStore
from .stripe_api import StripeFailure

_KEY = ("health", "stripe")


class StripeHealth:
    """Observes every Stripe call; only outages count, a declined card means Stripe answered."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    def observe(self, failure: StripeFailure | None) -> None:
        """Record one call's outcome (None when it succeeded)."""
        doc = self._doc()
        if failure is None or failure.kind != "outage":
            doc.update(last_success_at=time.time(), consecutive_failures=0)
        else:
            doc.update(last_error_at=time.time(), last_error=str(failure))
            doc["consecutive_failures"] += 1
        self._store.put(*_KEY, doc)

    def status(self) -> dict[str, Any]:
        """``healthy`` is false while the latest Stripe calls failed."""
        doc = self._doc()
        return {"healthy": doc["consecutive_failures"] == 0, **doc}

    def _doc(self) -> dict[str, Any]:
        empty = {"last_success_at": None, "last_error_at": None, "last_error": None, "consecutive_failures": 0}
        return self._store.get(*_KEY) or empty

"""Reading a Stripe account's real state, past the fault injector, to judge a chaos run."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import stripe

from ..backends.base import Backend
from ..stripe_http import routed_to


class Account:
    """The whole account behind ``backend``, listed page by page (works on stripe 5.x to 16.x)."""

    def __init__(self, backend: Backend, api_key: str, api_version: str) -> None:
        self.backend = backend
        self.options = {"api_key": api_key, "stripe_version": api_version}

    def _all(self, resource: Any) -> Iterator[dict[str, Any]]:
        # Manual paging: auto_paging_iter's handling of per-request options changed across releases.
        with routed_to(self.backend):
            after = None
            while True:
                paging = {"starting_after": after} if after else {}
                page = resource.list(limit=100, **paging, **self.options)
                items = [json.loads(str(obj)) for obj in page["data"]]
                yield from items
                if not items or not page["has_more"]:
                    return
                after = items[-1]["id"]

    def customers_by_user(self) -> dict[str | None, list[str]]:
        """Live customer ids grouped by ``metadata.user_id`` (None: a customer no user claims)."""
        grouped: dict[str | None, list[str]] = defaultdict(list)
        for customer in self._all(stripe.Customer):
            if not customer.get("deleted"):
                grouped[(customer.get("metadata") or {}).get("user_id")].append(customer["id"])
        return dict(grouped)

    def invoices(self) -> list[dict[str, Any]]:
        """Every invoice in the account, as plain dicts."""
        return list(self._all(stripe.Invoice))

"""Accounts: signup and e-mail verification, which never touch Stripe.

The billing sub-document starts in state ``none`` and stays there until a payment
feature needs a Stripe customer (see :mod:`shop.billing`), so a Stripe outage or a bad
key can never stop anyone from signing up.
"""

from __future__ import annotations

import secrets
from typing import Any

from .store import DocumentStore


class NotFound(LookupError):
    """The user, token or invoice asked for does not exist."""


class Conflict(ValueError):
    """The request clashes with what exists (an e-mail address already registered)."""


def new_billing() -> dict[str, Any]:
    """The billing part of a user document before any Stripe customer exists."""
    return {"state": "none", "customer": None, "card": None, "error": None, "attempts": 0, "generation": 0}


class Accounts:
    """Users as documents in the ``users`` collection; outgoing mail in ``outbox``."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    def signup(self, email: str) -> str:
        """Create the user and mail them a verification link; returns the user id."""
        address = email.strip().lower()
        if self._store.find("users", "$.email", address):
            msg = f"{address} already has an account; sign in instead."
            raise Conflict(msg)
        token = secrets.token_urlsafe(16)
        with self._store.transaction():
            user_id = self._store.next_id("users")
            self._store.put("users", user_id, {"email": address, "verified": False, "billing": new_billing()})
            self._store.put("verification", token, {"user_id": user_id})
            # Stands in for the e-mail provider; /dev/outbox shows what was sent.
            self._store.put("outbox", user_id, {"to": address, "link": f"/verify/{token}"})
        return user_id

    def verify(self, token: str) -> str:
        """Mark the owner of ``token`` verified; a token works once."""
        found = self._store.get("verification", token)
        if found is None or found.get("used"):
            msg = "This verification link is unknown or was already used."
            raise NotFound(msg)
        user = self.load(found["user_id"])
        user["verified"] = True
        with self._store.transaction():
            self._store.put("users", found["user_id"], user)
            self._store.put("verification", token, {**found, "used": True})
        return found["user_id"]

    def load(self, user_id: str) -> dict[str, Any]:
        """The user document; raises :class:`NotFound`."""
        user = self._store.get("users", user_id)
        if user is None:
            msg = f"No user {user_id}."
            raise NotFound(msg)
        return user

    def save(self, user_id: str, user: dict[str, Any]) -> None:
        """Write the whole user document back."""
        self._store.put("users", user_id, user)

    def outbox(self, user_id: str) -> dict[str, Any]:
        """The last e-mail sent to the user (development only)."""
        mail = self._store.get("outbox", user_id)
        if mail is None:
            msg = f"No mail was sent to user {user_id}."
            raise NotFound(msg)
        return mail

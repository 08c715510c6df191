"""A mutant of the reference integration: the error handling around customer creation removed.

The mutant is what the original incident's code looked like in spirit: a failed customer
create is not recorded and a read that needs a customer lets Stripe's failure through.
The scenarios must notice (tests/chaos/test_mutant.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.adapter import StripeSettings
from harness.reference.adapter import ReferenceAdapter
from harness.reference.billing import BillingService


class MutantBilling(BillingService):
    """Creates customers with no safety net: no 'failed' state, no queued repair, reads fail with Stripe."""

    def get_user(self, user_id: int) -> dict[str, Any]:
        user = self._user(user_id)
        self._repair(user)
        return dict(self._user(user_id))

    def ensure_customer(self, user_id: int) -> str:
        user = self._user(user_id)
        if user["billing_state"] == "ready" and user["stripe_customer_id"]:
            return user["stripe_customer_id"]
        customer_id = self._find_or_create(user, look_first=False)
        self.conn.execute(
            "UPDATE users SET billing_state = 'ready', stripe_customer_id = ? WHERE id = ?", (customer_id, user_id)
        )
        return customer_id


class MutantAdapter(ReferenceAdapter):
    """The reference adapter driving :class:`MutantBilling`."""

    def __init__(self, settings: StripeSettings, workdir: Path, *, verify_ttl: float = 3600.0) -> None:
        super().__init__(settings, workdir, verify_ttl=verify_ttl)
        self.billing = MutantBilling(self.conn, self.billing.gateway, verify_ttl=verify_ttl)

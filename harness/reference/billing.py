"""The billing service: accounts that never wait for Stripe, customers made when needed.

Every method that touches Stripe writes the attempt to the user record first, so a
crash or an outage leaves a visible, repairable state (``pending`` or ``failed``)
rather than a half-made customer nobody knows about.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ..adapter import InvoiceView, PaymentUnavailable
from .gateway import OUTAGE_KINDS, GatewayError, StripeGateway
from .jobs import LEASE_SECONDS, JobQueue, describe_failure

T = TypeVar("T")

UNAVAILABLE = (
    "Payments are temporarily unavailable. Your account is fine; please try again in a few minutes."
)
DECLINED = "Your card was declined. Please try another card."
#: Seconds a parked ``discard_invoice`` job waits before it may touch an invoice still
#: being generated; far longer than any generation, far shorter than a billing cycle.
DISCARD_GRACE = 600.0


def _user_message(exc: GatewayError) -> str:
    return DECLINED if exc.kind == "card" else UNAVAILABLE


def _customer_is_gone(exc: GatewayError) -> bool:
    """A payment call failed because the customer no longer exists at Stripe."""
    return exc.kind == "missing" and (exc.param == "customer" or "customer" in str(exc).lower())


class BillingService:
    """Signup, lazy customers, repair on read, cards and invoices for one database."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        gateway: StripeGateway,
        *,
        clock: Callable[[], float] = time.time,
        verify_ttl: float = 3600.0,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.conn = conn
        self.gateway = gateway
        self.clock = clock
        self.verify_ttl = verify_ttl
        self.jobs = JobQueue(conn, clock, lease_seconds=lease_seconds)

    # -- accounts: no Stripe here, ever -------------------------------------------------

    def signup(self, email: str) -> int:
        """Create the account; billing starts in state ``none`` and waits for a payment feature."""
        cur = self.conn.execute(
            "INSERT INTO users (email, created_at, verification_token) VALUES (?, ?, ?)",
            (email.strip().lower(), self.clock(), secrets.token_urlsafe(16)),
        )
        return int(cur.lastrowid or 0)

    def verification_token(self, user_id: int) -> str:
        """The token the verification e-mail would carry."""
        return self._user(user_id)["verification_token"]

    def verify_email(self, token: str) -> int:
        """Mark the owner of ``token`` verified; returns their id."""
        row = self.conn.execute("SELECT id FROM users WHERE verification_token = ?", (token,)).fetchone()
        if row is None:
            msg = "Unknown or already used verification token."
            raise ValueError(msg)
        self.conn.execute(
            "UPDATE users SET verified = 1, verification_token = NULL WHERE id = ?", (row["id"],)
        )
        return int(row["id"])

    def get_user(self, user_id: int) -> dict[str, Any]:
        """Read a user, repairing a missing customer on the way; Stripe never fails the read."""
        user = self._user(user_id)
        try:
            self._repair(user)
        except Exception as exc:  # a read must survive anything Stripe does
            self._mark(user_id, "failed", error=f"repair failed: {exc}")
            self._queue_repair(user_id)
        return dict(self._user(user_id))

    def _queue_repair(self, user_id: int) -> None:
        self.jobs.enqueue("ensure_customer", {"user_id": user_id}, dedupe_key=f"ensure_customer:{user_id}")

    def _repair(self, user: sqlite3.Row) -> None:
        state = user["billing_state"]
        if state in ("pending", "failed", "missing"):
            self.ensure_customer(user["id"])
        elif state == "ready" and self.clock() - (user["customer_checked_at"] or 0) >= self.verify_ttl:
            if self.gateway.customer_exists(user["stripe_customer_id"]):
                self.conn.execute(
                    "UPDATE users SET customer_checked_at = ? WHERE id = ?", (self.clock(), user["id"])
                )
            else:
                self._mark_customer_gone(user["id"])
                self.ensure_customer(user["id"])

    # -- the lazy customer ----------------------------------------------------------------

    def ensure_customer(self, user_id: int) -> str:
        """The user's Stripe customer, created now if they have none; exactly one per user."""
        user = self._user(user_id)
        if user["billing_state"] == "ready" and user["stripe_customer_id"]:
            return user["stripe_customer_id"]
        earlier_attempts = user["billing_attempts"]
        self.conn.execute(
            "UPDATE users SET billing_state = 'pending', billing_attempts = billing_attempts + 1 WHERE id = ?",
            (user_id,),
        )
        try:
            customer_id = self._find_or_create(user, look_first=earlier_attempts > 0)
        except GatewayError as exc:
            # The queue finishes the job even if the user never comes back to retry.
            self._mark(user_id, "failed", error=str(exc))
            self._queue_repair(user_id)
            raise
        self.conn.execute(
            "UPDATE users SET billing_state = 'ready', stripe_customer_id = ?, billing_error = NULL, "
            "customer_checked_at = ? WHERE id = ?",
            (customer_id, self.clock(), user_id),
        )
        return customer_id

    def _find_or_create(self, user: sqlite3.Row, *, look_first: bool) -> str:
        user_id, email = str(user["id"]), user["email"]
        if look_first:
            # An earlier attempt may have reached Stripe after its idempotency key expired.
            found = self.gateway.find_customer(email=email, user_id=user_id)
            if found:
                return found
        key = f"customer-{user_id}-{user['customer_generation']}"
        try:
            return self.gateway.create_customer(user_id=user_id, email=email, idempotency_key=key)
        except GatewayError as exc:
            if exc.kind != "network":
                raise
            # The create may have succeeded unseen; the same key returns that customer.
            return self.gateway.create_customer(user_id=user_id, email=email, idempotency_key=key)

    def _mark(self, user_id: int, state: str, *, error: str | None = None) -> None:
        self.conn.execute(
            "UPDATE users SET billing_state = ?, billing_error = ? WHERE id = ?", (state, error, user_id)
        )

    def _mark_customer_gone(self, user_id: int) -> None:
        self.conn.execute(
            "UPDATE users SET billing_state = 'missing', stripe_customer_id = NULL, default_payment_method = NULL, "
            "customer_generation = customer_generation + 1 WHERE id = ?",
            (user_id,),
        )

    def _with_customer(self, user_id: int, action: Callable[[str], T]) -> T:
        """Run a payment action with the user's customer, recreating it once if Stripe lost it."""
        try:
            customer_id = self.ensure_customer(user_id)
            try:
                return action(customer_id)
            except GatewayError as exc:
                if not _customer_is_gone(exc):
                    raise
                self._mark_customer_gone(user_id)
                return action(self.ensure_customer(user_id))
        except GatewayError as exc:
            raise PaymentUnavailable(_user_message(exc)) from exc

    # -- payment features -------------------------------------------------------------------

    def add_card(self, user_id: int, payment_method: str) -> str:
        """Attach a card and make it the default; the first call creates the customer."""
        pm_id = self._with_customer(
            user_id, lambda cid: self.gateway.attach_card(customer_id=cid, payment_method=payment_method)
        )
        self.conn.execute("UPDATE users SET default_payment_method = ? WHERE id = ?", (pm_id, user_id))
        return pm_id

    def save_card_with_setup_intent(self, user_id: int, payment_method: str, payment_method_types: list[str]) -> str:
        """Save a card through a SetupIntent limited to the given types and make it the default."""
        key = f"setup-card-{user_id}-{int(self.clock())}"
        pm_id = self._with_customer(
            user_id,
            lambda cid: self.gateway.save_card_with_setup_intent(
                customer_id=cid, payment_method=payment_method,
                payment_method_types=payment_method_types, idempotency_key=key,
            ),
        )
        self.conn.execute("UPDATE users SET default_payment_method = ? WHERE id = ?", (pm_id, user_id))
        return pm_id

    def coupon_of(self, user_id: int) -> str | None:
        """The coupon Stripe applies to the user's customer (None without a customer or a discount)."""
        customer_id = self._user(user_id)["stripe_customer_id"]
        if customer_id is None:
            return None
        try:
            return self.gateway.coupon_of(customer_id)
        except GatewayError as exc:
            raise PaymentUnavailable(_user_message(exc)) from exc

    def start_card_setup(self, user_id: int) -> str:
        """A SetupIntent's client secret for the front end (the Stripe.js card flow)."""
        key = f"setup-{user_id}-{int(self.clock())}"
        _, client_secret = self._with_customer(
            user_id, lambda cid: self.gateway.create_setup_intent(customer_id=cid, idempotency_key=key)
        )
        return client_secret

    def generate_invoice(self, user_id: int, items: list[tuple[int, str]], currency: str) -> InvoiceView:
        """Bill ``items`` on a new invoice and finalize it; a failure leaves no open draft behind."""
        cur = self.conn.execute(
            "INSERT INTO invoices (user_id, status, currency, updated_at) VALUES (?, 'creating', ?, ?)",
            (user_id, currency, self.clock()),
        )
        local_id = int(cur.lastrowid or 0)
        try:
            status, total, cur_code, stripe_id = self._with_customer(
                user_id, lambda cid: self._bill(local_id, cid, items, currency)
            )
        except PaymentUnavailable:
            self.conn.execute("UPDATE invoices SET status = 'failed' WHERE id = ?", (local_id,))
            raise
        self.conn.execute(
            "UPDATE invoices SET status = ?, total = ?, currency = ?, updated_at = ? WHERE id = ?",
            (status, total, cur_code, self.clock(), local_id),
        )
        return InvoiceView(stripe_id, status, total, cur_code)

    def _bill(
        self, local_id: int, customer_id: str, items: list[tuple[int, str]], currency: str
    ) -> tuple[str, int, str, str]:
        """Create, fill and finalize one invoice, with its cleanup parked before the first call.

        The ``discard_invoice`` job is queued before the create, not after a failure: a
        create that timed out after Stripe made the draft, or a process killed between
        create and finalize, would otherwise leave a draft nobody knows about.
        """
        key = f"invoice-{local_id}-{customer_id}"  # a recreated customer needs a fresh key
        discard = f"discard_invoice:{key}"
        self.jobs.enqueue(
            "discard_invoice",
            {"invoice": local_id, "customer_id": customer_id, "idempotency_key": key},
            dedupe_key=discard,
            delay=DISCARD_GRACE,
        )
        invoice_id = None
        try:
            invoice_id = self.gateway.create_invoice(customer_id=customer_id, idempotency_key=key)
            self.conn.execute("UPDATE invoices SET stripe_invoice_id = ? WHERE id = ?", (invoice_id, local_id))
            for n, (amount, description) in enumerate(items):
                self.gateway.add_invoice_item(
                    customer_id=customer_id, invoice_id=invoice_id, amount=amount, currency=currency,
                    description=description, idempotency_key=f"{key}-item-{n}",
                )
            status, total, cur_code = self.gateway.finalize_invoice(invoice_id)
        except GatewayError as exc:
            if invoice_id is None and not exc.maybe_applied:
                self.jobs.cancel(discard)  # Stripe refused the create: there is no draft
            else:
                self.jobs.expedite(discard)
            raise
        self.jobs.cancel(discard)
        return status, total, cur_code, invoice_id

    def _discard_invoice(self, payload: dict[str, Any]) -> None:
        """Remove what a failed generation left at Stripe: delete its draft, void it if finalized unseen.

        The create is replayed with the failed attempt's idempotency key, which returns
        that attempt's invoice if it reached Stripe (its id may never have come back),
        and otherwise makes a draft that is deleted at once: either way nothing is left.
        """
        local_id = int(payload["invoice"])
        row = self.conn.execute("SELECT status FROM invoices WHERE id = ?", (local_id,)).fetchone()
        if row["status"] not in ("creating", "failed"):
            return  # the generation succeeded and was recorded: the invoice stands
        try:
            invoice_id = self.gateway.create_invoice(
                customer_id=payload["customer_id"], idempotency_key=payload["idempotency_key"]
            )
        except GatewayError as exc:
            if exc.kind != "missing":
                raise
            return  # the customer is gone at Stripe, and its drafts with it
        status = self.gateway.invoice_status(invoice_id)
        if status == "draft":
            self.gateway.delete_draft_invoice(invoice_id)
        elif status == "open":
            self.gateway.void_invoice(invoice_id)
        # A generation whose process died stays 'creating' until this job settles it.
        self.conn.execute("UPDATE invoices SET status = 'failed' WHERE id = ?", (local_id,))

    # -- the queue ----------------------------------------------------------------------------

    def run_jobs(self, *, ignore_backoff: bool = False) -> int:
        """Run each due job once; returns how many were attempted.

        Whatever a job raises fails that job only: a KeyError from a deleted user is as
        much the job's problem as a declined card, and must not stop the worker. Only an
        outage is transient; everything else counts towards the job's dead letter.
        """
        attempted: set[int] = set()
        while (job := self.jobs.claim(ignore_backoff=ignore_backoff, skip=frozenset(attempted))) is not None:
            attempted.add(job.id)
            try:
                self._run_job(job.kind, job.payload)
            except Exception as exc:
                outage = isinstance(exc, GatewayError) and exc.kind in OUTAGE_KINDS
                self.jobs.fail(job, describe_failure(exc), transient=outage)
            except BaseException:  # SystemExit from SIGTERM, KeyboardInterrupt: a stop, not the job's fault
                self.jobs.release(job)
                raise
            else:
                self.jobs.complete(job)
        return len(attempted)

    def _run_job(self, kind: str, payload: dict[str, Any]) -> None:
        if kind == "ensure_customer":
            self.ensure_customer(int(payload["user_id"]))
        elif kind == "discard_invoice":
            self._discard_invoice(payload)
        else:
            msg = f"unknown job kind {kind!r}: this worker is older than the code that queued it; upgrade it."
            raise ValueError(msg)

    def _user(self, user_id: int) -> sqlite3.Row:
        row = self.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            msg = f"No user with id {user_id}."
            raise KeyError(msg)
        return row

"""The design rules the scenarios prove, one small checker each, failing with one sentence.

Each checker raises :class:`RuleBroken`, whose message reads
``<rule>: <what the integration did>; <what the rule expects>``, e.g.
``decoupled signup: signup sent POST /v1/customers; signup and e-mail verification must
never call Stripe``. The plugin makes that sentence the first line of the failure, so
the terminal, every report format and the upgrade output speak in rules, not in
``assert 1 == 2``.

An exception the integration itself raises is not a harness assertion: :func:`step`
wraps each integration call with the scenario step it belongs to, and the plugin shows
the integration's exception and traceback under ``step 'add card': the integration raised …``.
"""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .adapter import Capability, PaymentUnavailable, UserView, lacks
from .backends.spy import RequestLog
from .errors import HarnessError

DECOUPLED_SIGNUP = "decoupled signup"
ONE_CUSTOMER = "one customer per user"
LAZY_CUSTOMER = "customer created lazily"
READS_NEVER_FAIL = "reads never fail"
REPAIR = "repair"
IDEMPOTENT_CREATE = "idempotent create"
WEBHOOK_EXACTLY_ONCE = "webhook exactly-once"
WEBHOOK_ORDER = "webhook order"
WEBHOOK_VERIFICATION = "webhook verification"
CLEAN_FAILURE = "clean failure under faults"
MONITORING = "outage monitoring"
INVOICING = "invoicing"
PINNED_VERSION = "pinned API version"
#: Every rule's name, the start of each of its sentences.
RULES = (DECOUPLED_SIGNUP, ONE_CUSTOMER, LAZY_CUSTOMER, READS_NEVER_FAIL, REPAIR, IDEMPOTENT_CREATE,
         WEBHOOK_EXACTLY_ONCE, WEBHOOK_ORDER, WEBHOOK_VERIFICATION, CLEAN_FAILURE, MONITORING, INVOICING,
         PINNED_VERSION)
#: What a customer-facing message must never contain.
LEAKS = ("sk_", "req_", "Error", "http", "Traceback")


class RuleBroken(HarnessError, AssertionError):
    """A design rule the integration broke: the rule, what it did, what was expected."""

    def __init__(self, rule: str, did: str, expected: str) -> None:
        self.rule, self.did, self.expected = rule, did, expected
        super().__init__(f"{rule}: {did}; {expected}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.rule, self.did, self.expected))


class IntegrationRaised(HarnessError):
    """The integration raised during a scenario step; kept as its own exception's text and traceback."""

    def __init__(self, step: str, error: str, trace: str) -> None:
        self.step, self.error, self.trace = step, error, trace
        super().__init__(f"step {step!r}: the integration raised {error}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.step, self.error, self.trace))


def _describe_error(exc: BaseException) -> str:
    name = f"{type(exc).__module__}.{type(exc).__qualname__}".removeprefix("builtins.")
    text = str(exc).strip().splitlines()
    return f"{name}: {text[0]}" if text else name


def _passes_through(exc: BaseException) -> bool:
    """Harness verdicts and pytest outcomes are not the integration's exceptions."""
    import pytest

    outcomes = (pytest.fail.Exception, pytest.skip.Exception)
    return isinstance(exc, (HarnessError, *outcomes)) or not isinstance(exc, Exception)


def _integration_trace(exc: BaseException) -> str:
    """The exception's traceback without the harness's own wrapping frames (this module, contextlib)."""
    shown = traceback.TracebackException.from_exception(exc)
    shown.stack = traceback.StackSummary.from_list(
        [f for f in shown.stack if not f.filename.endswith(("harness/rules.py", "contextlib.py"))]
    )
    return "".join(shown.format())


@contextlib.contextmanager
def step(name: str) -> Iterator[None]:
    """Attribute any exception the integration raises inside to the scenario step ``name``."""
    try:
        yield
    except BaseException as exc:
        if _passes_through(exc):
            raise
        raise IntegrationRaised(name, _describe_error(exc), _integration_trace(exc)) from exc


def failure_text(exc: BaseException) -> str | None:
    """How the plugin shows a rule or integration failure (first line first), or None for others."""
    if isinstance(exc, RuleBroken):
        return str(exc)
    if isinstance(exc, IntegrationRaised):
        return f"{exc}\n\n{exc.trace}"
    return None


def _requests(log: RequestLog, since: int) -> str:
    calls = log.calls()[since:]
    return ", ".join(f"{c.request.method} {c.request.path}" for c in calls[:3]) + (" …" if len(calls) > 3 else "")


@contextlib.contextmanager
def no_stripe(log: RequestLog, what: str) -> Iterator[None]:
    """Decoupled signup: ``what`` (signup, e-mail verification) must send nothing to Stripe, raise or not."""
    since = len(log.calls())
    expected = "signup and e-mail verification must never call Stripe"
    try:
        with step(what):
            yield
    except HarnessError as exc:  # the integration raised, or a cassette miss: the request was the mistake
        if len(log.calls()) > since:
            raised = f" and raised {exc.error}" if isinstance(exc, IntegrationRaised) else ""
            raise RuleBroken(DECOUPLED_SIGNUP, f"{what} sent {_requests(log, since)}{raised}", expected) from exc
        raise
    if len(log.calls()) > since:
        raise RuleBroken(DECOUPLED_SIGNUP, f"{what} sent {_requests(log, since)}", expected)


def untouched_by_signup(user: UserView) -> None:
    """Decoupled signup: a user who never paid is verified, in billing state ``none``, without a customer."""
    if not user.verified:
        raise RuleBroken(DECOUPLED_SIGNUP, "e-mail verification left the user unverified",
                         "verifying the address must mark the user verified")
    if (user.billing_state, user.customer_id) != ("none", None):
        raise RuleBroken(
            DECOUPLED_SIGNUP,
            f"after signup the user is in billing state {user.billing_state!r} with customer {user.customer_id}",
            "a user who never needed a payment has billing state 'none' and no customer",
        )


def read_survives(read: Callable[[], UserView], context: str) -> UserView:
    """Reads never fail: reading a user while Stripe misbehaves must not raise."""
    try:
        return read()
    except Exception as exc:
        if _passes_through(exc):
            raise
        raise RuleBroken(READS_NEVER_FAIL, f"reading the user {context} raised {_describe_error(exc)}",
                         "reading a user must never fail because of Stripe") from exc


def fails_cleanly(action: Callable[[], object], what: str, context: str, *, says: str = "try again") -> str:
    """Clean failure: a payment action Stripe cannot serve raises PaymentUnavailable with a message for people."""
    expected = (f"a payment action Stripe cannot serve raises harness.adapter.PaymentUnavailable "
                f"with a message for the customer saying {says!r}")
    try:
        action()
    except PaymentUnavailable as exc:
        message = exc.user_message
    except Exception as exc:
        if _passes_through(exc):
            raise
        raise RuleBroken(CLEAN_FAILURE, f"{what} {context} raised {_describe_error(exc)}", expected) from exc
    else:
        raise RuleBroken(CLEAN_FAILURE, f"{what} {context} returned as if it had succeeded", expected)
    if says not in message:
        raise RuleBroken(CLEAN_FAILURE, f"{what} {context} told the customer {message!r}", expected)
    if leaked := [leak for leak in LEAKS if leak in message]:
        raise RuleBroken(CLEAN_FAILURE, f"{what} {context} showed the customer {message!r} (contains {leaked[0]!r})",
                         "a customer-facing message never shows keys, request ids, exception names or URLs")
    return message


def failed_state(user: UserView, context: str) -> None:
    """Clean failure: a failed customer creation leaves the user ``failed``, without a customer, with the reason."""
    if (user.billing_state, user.customer_id, bool(user.last_error)) != ("failed", None, True):
        raise RuleBroken(
            CLEAN_FAILURE,
            f"{context} the user is in billing state {user.billing_state!r}, customer {user.customer_id}, "
            f"last error {user.last_error!r}",
            "a failed customer creation leaves the user 'failed', with no customer and the reason recorded",
        )


def attempted(user: UserView, context: str) -> None:
    """Clean failure: the failed attempt is counted, so repair knows to try again."""
    if user.attempts < 1:
        raise RuleBroken(CLEAN_FAILURE, f"{context} the user shows {user.attempts} customer-creation attempts",
                         "a failed customer creation is counted in attempts")


def ready(user: UserView, rule: str, context: str) -> None:
    """Repair / lazy customer: the user ends ``ready`` with a customer."""
    if user.billing_state != "ready" or not (user.customer_id or "").startswith("cus_"):
        raise RuleBroken(
            rule,
            f"{context} the user is in billing state {user.billing_state!r} with customer {user.customer_id} "
            f"(last error {user.last_error!r})",
            "once Stripe answers, the user is 'ready' with a Stripe customer",
        )


def replaced(user: UserView, old: str, context: str) -> None:
    """Repair: a customer deleted at Stripe is replaced by a new one."""
    ready(user, REPAIR, context)
    if user.customer_id == old:
        raise RuleBroken(REPAIR, f"{context} the user still points at the deleted customer {old}",
                         "a customer deleted at Stripe is recreated")


def one_customer(found: Sequence[dict[str, Any]], user: UserView, context: str) -> None:
    """One customer per user: Stripe holds exactly the user's customer for their e-mail address."""
    ids = [c["id"] for c in found]
    if ids != [user.customer_id]:
        raise RuleBroken(ONE_CUSTOMER, f"{context} Stripe holds {len(ids)} customers for the user ({', '.join(ids)}) "
                         f"and the integration records {user.customer_id}",
                         "the account holds exactly one customer per user, the one the integration records")


def tagged_with_user(found: Sequence[dict[str, Any]], user_id: str) -> None:
    """One customer per user: the customer carries ``metadata[user_id]`` so it can be found again."""
    tag = (found[0].get("metadata") or {}).get("user_id") if found else None
    if tag != user_id:
        raise RuleBroken(ONE_CUSTOMER, f"the customer's metadata[user_id] is {tag!r}",
                         f"the customer carries metadata[user_id]={user_id!r} so repair finds it, not a duplicate")


def creates(log: RequestLog, count: int, rule: str, context: str) -> None:
    """Lazy / one customer: exactly ``count`` customer creations (library retries counted once)."""
    made = log.count("POST", "/v1/customers")
    if made != count:
        raise RuleBroken(rule, f"{context} the integration sent {made} customer creations",
                         f"exactly {count} (POST /v1/customers) were due")


def customer_first(log: RequestLog, context: str) -> None:
    """Lazy customer: the first Stripe call of a payment for a user without a customer creates the customer."""
    calls = log.calls()
    first = f"{calls[0].request.method} {calls[0].request.path}" if calls else "nothing"
    if first != "POST /v1/customers":
        raise RuleBroken(LAZY_CUSTOMER, f"{context} the first request was {first}",
                         "the first payment feature creates the customer before anything that needs it")


def sent_with(log: RequestLog, method: str, path: str, field: str, value: str | None, rule: str, what: str) -> None:
    """The one request ``method path`` carried ``field=value``."""
    found = log.matching(method, path)
    if len(found) != 1 or (field, value) not in found[0].request.form:
        sent = [dict(c.request.form).get(field) for c in found]
        raise RuleBroken(rule, f"{what}: {len(found)} {method} {path} sent {field} = {sent}",
                         f"one {method} {path} with {field}={value}")


def one_key_for_every_attempt(log: RequestLog) -> None:
    """Idempotent create: every attempt of the customer creation carried the same Idempotency-Key."""
    attempts = [e for c in log.matching("POST", "/v1/customers") for e in c.attempts]
    keys = [e.request.header("Idempotency-Key") for e in attempts]
    expected = "a create retried after a timeout must reuse the first attempt's Idempotency-Key"
    if len(attempts) < 2:
        raise RuleBroken(IDEMPOTENT_CREATE, f"the timed-out create was sent {len(attempts)} time(s), never retried",
                         "a create whose answer timed out is retried with the same Idempotency-Key")
    if None in keys:
        raise RuleBroken(IDEMPOTENT_CREATE, "the customer creation was sent without an Idempotency-Key", expected)
    if len(set(keys)) != 1:
        raise RuleBroken(IDEMPOTENT_CREATE, f"the retry sent {len(set(keys))} different Idempotency-Keys", expected)


def healthy(adapter: Any, expected: bool, context: str) -> None:
    """Outage monitoring: connectivity is unhealthy exactly while Stripe calls fail for outage reasons.

    Not applicable (nothing checked) to an integration that declares it lacks monitoring.
    """
    if lacks(adapter, Capability.MONITORING):
        return
    with step("connectivity"):
        connectivity = adapter.connectivity()
    if connectivity.get("healthy") is not expected:
        did = f"{context} monitoring reported healthy={connectivity.get('healthy')!r}"
        want = ("monitoring reports healthy while Stripe answers" if expected
                else "monitoring reports an outage while Stripe calls fail")
        raise RuleBroken(MONITORING, f"{did} ({connectivity})", want)
    if not expected and connectivity.get("consecutive_failures", 0) < 1:
        raise RuleBroken(MONITORING, f"{context} monitoring counted no consecutive failures",
                         "monitoring counts each failed Stripe call")


def nothing_before_customer(log: RequestLog, context: str) -> None:
    """Lazy customer: while the customer cannot be created, nothing that needs it is sent."""
    paths = sorted({c.request.path for c in log.calls()})
    if paths != ["/v1/customers"]:
        raise RuleBroken(LAZY_CUSTOMER, f"{context} the integration sent {', '.join(paths) or 'nothing'}",
                         "a payment action first creates the customer, and sends nothing that needs it before")


def run_queue(adapter: Any) -> int:
    """Run the integration's queued work (0 for one that declares it has no queue)."""
    if lacks(adapter, Capability.QUEUE):
        return 0
    with step("run queued work"):
        return int(adapter.run_queued_work())


def drained(adapter: Any, rule: str, context: str) -> None:
    """Clean failure / repair: once Stripe is back and the queue ran, nothing is left queued."""
    left = run_queue(adapter)
    if left:
        raise RuleBroken(rule, f"{context} {left} queued jobs still ran after the queue was drained",
                         "after recovery the queue drains completely")


def default_card(user: UserView, context: str) -> None:
    """Lazy customer: the first card becomes the customer's default."""
    if not (user.default_payment_method or "").startswith("pm_"):
        raise RuleBroken(LAZY_CUSTOMER, f"{context} the default card is {user.default_payment_method!r}",
                         "the first card becomes the customer's default")


def invoice_open(invoice: Any, total: int, currency: str) -> None:
    """Invoicing: the invoice the integration reports is finalized for the lines' total."""
    if (invoice.status, invoice.total, invoice.currency) != ("open", total, currency):
        raise RuleBroken(INVOICING, f"the invoice came back {invoice.status} for {invoice.total} {invoice.currency}",
                         f"the lines make an open invoice of {total} {currency}")


def invoiced(log: RequestLog, lines: int, customer: str | None) -> None:
    """Invoicing: one invoice for the customer, one item per line, finalized at Stripe."""
    if (items := log.count("POST", "/v1/invoiceitems")) != lines:
        raise RuleBroken(INVOICING, f"the integration sent {items} invoice items for {lines} lines",
                         "one invoice item per line")
    finalized = [c for c in log.matching("POST", r"/v1/invoices/in_[A-Za-z0-9]+/finalize")
                 if c.response is not None and c.response.status == 200]
    if len(finalized) != 1:
        raise RuleBroken(INVOICING, f"the invoice was finalized {len(finalized)} times", "it is finalized once")
    sent_with(log, "POST", "/v1/invoices", "customer", customer, INVOICING, "creating the invoice")


def accepted(result: Any, what: str) -> None:
    """Webhook exactly-once: a correctly signed delivery of an event is acknowledged with 2xx."""
    if not 200 <= result.status < 300:
        raise RuleBroken(WEBHOOK_EXACTLY_ONCE, f"the endpoint answered {result.status} {result.body!r} to {what}",
                         "a correctly signed event is acknowledged with 2xx, or Stripe retries it for days")


def refused(result: Any, what: str, changed: bool) -> None:
    """Webhook verification: a delivery that must be refused gets 400 and changes nothing."""
    expected = "a delivery that fails verification is answered 400 and changes nothing"
    if result.status != 400:
        raise RuleBroken(WEBHOOK_VERIFICATION, f"the endpoint answered {result.status} {result.body!r} to a {what}",
                         expected)
    if changed:
        raise RuleBroken(WEBHOOK_VERIFICATION, f"a refused {what} changed the billing state", expected)


def applied(before: dict[str, Any], after: dict[str, Any], event_ids: Sequence[str]) -> None:
    """Webhook exactly-once: acknowledged events were applied, each recorded in the ledger."""
    expected = "an acknowledged event is applied and recorded once in the webhook ledger"
    if after == before:
        raise RuleBroken(WEBHOOK_EXACTLY_ONCE, "the endpoint acknowledged the events but nothing changed", expected)
    if missing := [e for e in event_ids if e not in after.get("processed_events", [])]:
        raise RuleBroken(WEBHOOK_EXACTLY_ONCE, f"{len(missing)} acknowledged events are not in the ledger "
                         f"(first {missing[:3]})", expected)


def names_versions(result: Any, sent: str, pinned: str) -> None:
    """Webhook verification: refusing an event of another API version says both versions."""
    if sent not in result.body or pinned not in result.body:
        raise RuleBroken(WEBHOOK_VERIFICATION,
                         f"refusing an event rendered at {sent} the endpoint said {result.body!r}",
                         f"the refusal names the event's version ({sent}) and the endpoint's ({pinned})")


def nothing_left_behind(left: dict[str, str], context: str) -> None:
    """Clean failure: a failed invoice run leaves no draft or unrecorded open invoice at Stripe."""
    if left:
        found = ", ".join(f"{i} ({fate})" for i, fate in list(left.items())[:3])
        raise RuleBroken(CLEAN_FAILURE, f"{context} Stripe still holds invoices the integration does not "
                         f"record: {found}", "a failed payment action leaves nothing half-done at Stripe")

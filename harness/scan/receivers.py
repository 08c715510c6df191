"""What an expression is, as far as Stripe goes: the library, a resource class, a client, an object.

Only what the code shows is believed: a name bound from a Stripe call, a parameter
annotated with a Stripe class, a value iterated out of a Stripe list. A name that is
bound to anything else (a dict from ``json.loads``, a parameter annotated ``dict``) is
not a Stripe object whatever it is called; an unannotated parameter or free name counts
only by its name (:data:`NAME_HINTS`), and findings on it say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .findings import Confidence

#: stripe.<Class> -> the catalogue's object name (None: a Stripe object the catalogue does not describe).
CLASSES: dict[str, str] = {
    "Customer": "customer", "Invoice": "invoice", "InvoiceItem": "invoiceitem", "InvoiceLineItem": "line_item",
    "SetupIntent": "setup_intent", "PaymentMethod": "payment_method", "PaymentIntent": "payment_intent",
    "Event": "event", "Subscription": "subscription", "Charge": "charge", "Price": "price", "Product": "product",
    "Refund": "refund", "Coupon": "coupon", "PromotionCode": "promotion_code", "TaxRate": "tax_rate",
    "Checkout": "checkout", "StripeObject": "", "ListObject": "",
}
#: stripe.<namespace>.<Class>: resources outside the top level (stripe.checkout.Session).
NAMESPACES = frozenset({
    "apps", "billing", "billing_portal", "checkout", "climate", "entitlements", "financial_connections",
    "forwarding", "identity", "issuing", "radar", "reporting", "sigma", "tax", "terminal", "test_helpers",
    "treasury",
})
#: StripeClient service attribute -> object name.
SERVICES: dict[str, str] = {
    "customers": "customer", "invoices": "invoice", "invoice_items": "invoiceitem", "setup_intents": "setup_intent",
    "payment_methods": "payment_method", "payment_intents": "payment_intent", "events": "event",
    "subscriptions": "subscription", "charges": "charge", "prices": "price", "products": "product",
    "refunds": "refund", "coupons": "coupon", "promotion_codes": "promotion_code", "tax_rates": "tax_rate",
}
#: Operations that answer a list of objects; every other API operation answers one object.
LIST_OPERATIONS = frozenset({"list", "search", "list_lines", "list_line_items", "list_payment_methods"})
#: Attributes of a StripeObject that are methods or library state, never response fields.
OBJECT_METHODS = frozenset({
    "get", "keys", "items", "values", "pop", "setdefault", "copy", "update", "to_dict", "to_dict_recursive",
    "refresh", "save", "delete", "request", "serialize", "refresh_from", "auto_paging_iter", "last_response",
    "api_key", "stripe_version", "stripe_account", "instance_url", "class_url", "pay", "finalize_invoice",
    "void_invoice", "send_invoice", "mark_uncollectible", "attach", "detach", "confirm", "cancel", "capture",
    "list_lines", "has_more", "next_page", "previous_page", "is_empty",
})
#: Request options: keyword arguments of a global-style call that are not API parameters.
REQUEST_OPTIONS = frozenset({"api_key", "stripe_version", "stripe_account", "idempotency_key", "headers",
                             "max_network_retries", "stripe_context", "content_type"})
#: Fields that hold a list of another object (``invoice.lines`` is a list of line items).
NESTED_LISTS: dict[tuple[str, str], str] = {("invoice", "lines"): "line_item"}
#: Expandable fields: once expanded (``expand=[...]``) they hold that object, not its id.
EXPANDED: dict[tuple[str, str], str] = {
    ("subscription", "latest_invoice"): "invoice", ("invoice", "payment_intent"): "payment_intent",
    ("invoice", "customer"): "customer", ("invoice", "subscription"): "subscription",
    ("setup_intent", "payment_method"): "payment_method", ("payment_intent", "payment_method"): "payment_method",
    ("payment_intent", "latest_charge"): "charge", ("payment_method", "customer"): "customer",
    ("charge", "invoice"): "invoice", ("customer", "invoice_settings.default_payment_method"): "payment_method",
}
#: Names that say "this is a Stripe <object>" when nothing else does.
NAME_HINTS: dict[str, str] = {
    "invoice": "invoice", "inv": "invoice", "stripe_invoice": "invoice",
    "customer": "customer", "cus": "customer", "stripe_customer": "customer",
    "setup_intent": "setup_intent", "payment_method": "payment_method", "payment_intent": "payment_intent",
    "invoice_item": "invoiceitem", "invoiceitem": "invoiceitem", "line_item": "line_item",
    "event": "event", "evt": "event", "stripe_event": "event", "subscription": "subscription",
}


@dataclass(frozen=True)
class SType:
    """The Stripe meaning of an expression.

    ``kind``: ``module`` (the stripe package), ``namespace`` (``stripe.checkout``),
    ``resource`` (a class such as stripe.Invoice),
    ``api`` (a method that calls Stripe, not yet called), ``client`` (a StripeClient),
    ``services`` (``client.v1``), ``service`` (``client.v1.invoices``), ``object`` (a response
    object, ``path`` deep into it) or ``list`` (a list of ``object``).
    """

    kind: str
    object: str | None = None
    path: tuple[str, ...] = ()
    operation: str | None = None
    style: str = "global"
    confidence: Confidence = Confidence.CERTAIN
    #: For an event inside ``if event.type == "invoice.paid":``, what ``event.data.object`` is.
    subject: str | None = None
    #: The name of the event a value was read from (``obj = event.data.object``), so a later
    #: branch on that event's type can say what ``obj`` is.
    origin: str | None = None

    def weaker(self, confidence: Confidence) -> SType:
        """The same type, no surer than ``confidence``."""
        order = list(Confidence)
        return replace(self, confidence=max(self.confidence, confidence, key=order.index))

    @property
    def is_stripe_object(self) -> bool:
        """A response object or list, or a field of one: what StripeObject's dict methods (15.0) apply to."""
        return self.kind in ("object", "list")

    @property
    def is_whole_object(self) -> bool:
        """A response object or list itself, not one of its fields (``customer.id`` is a str)."""
        return self.is_stripe_object and not self.path


def api_result(api: SType) -> SType:
    """What calling a Stripe method answers."""
    obj = api.object or None
    if api.operation in LIST_OPERATIONS:
        return SType("list", obj, confidence=api.confidence)
    if api.operation == "delete" and obj in ("customer", "invoice", "invoiceitem"):
        return SType("object", f"deleted_{obj}", confidence=api.confidence)
    return SType("object", obj, confidence=api.confidence)


def member(base: SType, name: str) -> SType | None:
    """``base.name``: a deeper field, an element list, a service or a method."""
    if base.kind == "module":
        if name == "StripeClient":
            return SType("resource", "StripeClient")
        if name in CLASSES:
            return SType("resource", CLASSES[name])
        return SType("namespace", name) if name in NAMESPACES else None
    if base.kind == "namespace":  # stripe.checkout.Session -> "checkout.session"
        snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
        return SType("resource", f"{base.object}.{snake}") if name[:1].isupper() else None
    if base.kind == "resource":
        return None if base.object == "StripeClient" else SType("api", base.object, operation=name)
    if base.kind == "client":
        if name == "v1":
            return SType("services", style="client", confidence=base.confidence)
        return SType("service", SERVICES[name], style="client", confidence=base.confidence) if name in SERVICES \
            else None
    if base.kind == "services":
        return SType("service", SERVICES[name], style="client", confidence=base.confidence) if name in SERVICES \
            else None
    if base.kind == "service":
        return SType("api", base.object, operation=name, style="client", confidence=base.confidence)
    if base.kind == "list":
        return base if name == "data" else None
    if base.kind == "object" and name not in OBJECT_METHODS:
        if base.object and not base.path and (base.object, name) in NESTED_LISTS:
            return SType("list", NESTED_LISTS[(base.object, name)], confidence=base.confidence)
        if base.object == "event" and base.path == ("data",) and name == "object":
            return SType("object", base.subject, confidence=base.confidence, origin=base.origin)
        return replace(base, path=(*base.path, name))
    return None


#: Event type prefixes -> the object its ``data.object`` is (longest prefix first).
EVENT_SUBJECTS: tuple[tuple[str, str | None], ...] = (
    ("customer.subscription.", "subscription"), ("customer.discount.", None), ("customer.source.", None),
    ("customer.tax_id.", None), ("customer.", "customer"), ("invoiceitem.", "invoiceitem"),
    ("invoice_payment.", None), ("invoice.", "invoice"), ("payment_method.", "payment_method"),
    ("setup_intent.", "setup_intent"), ("payment_intent.", "payment_intent"), ("charge.", "charge"),
)


def event_subject(event_types: list[str]) -> str | None:
    """The object every one of ``event_types`` carries, when they agree (``invoice.paid`` -> invoice)."""
    subjects = {next((obj for prefix, obj in EVENT_SUBJECTS if t.startswith(prefix)), None) for t in event_types}
    return subjects.pop() if len(subjects) == 1 else None


def expanded(typ: SType) -> SType | None:
    """The object an expandable field holds once expanded (``subscription.latest_invoice``: an invoice)."""
    inner = EXPANDED.get((typ.object or "", ".".join(typ.path))) if typ.kind == "object" else None
    return SType("object", inner, confidence=typ.confidence) if inner else None


def element(base: SType) -> SType | None:
    """What iterating or indexing ``base`` gives: the objects of a list."""
    return SType("object", base.object, confidence=base.confidence) if base.kind == "list" else None

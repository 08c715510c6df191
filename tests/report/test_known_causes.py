"""Known causes in stripe-python's own words, release by release, and knock-on failures left unfiled."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import HarnessConfig
from harness.errors import ConfigError
from harness.matrix import Cell
from harness.report.results import CellResult
from harness.upgrade.causes import explain, library_breaks, load_causes
from harness.upgrade.compare import breaks
from harness.upgrade.render import CellCheck, _cell_text

OLD, NEW = Cell("7.14.0", "2023-10-16"), Cell("16.1.0", "2026-10-28.endive")


@pytest.mark.parametrize(("reason", "kind", "expected"), [
    # Import-time breaks: the adapter cannot even be imported, and that is the library's doing.
    ("ModuleNotFoundError: No module named 'stripe.error'", "library", "stripe.error was removed in stripe 13.0"),
    ("Cannot load the adapter 'shop.adapter:Adapter' (No module named 'stripe.error'). Set "
     "[tool.stripe-compat] adapter = \"your_package.module:YourAdapter\"", "library", "from stripe.error import X"),
    ("ImportError: cannot import name 'error' from 'stripe'", "library", "stripe.error was removed in stripe 13.0"),
    ("ModuleNotFoundError: No module named 'stripe.util'", "library", "module shims"),
    # 15.0.0's plain wording, and the later descriptive one.
    ("AttributeError: get", "library", "StripeObject is no longer a dict since stripe 15.0"),
    ("AttributeError: 'get' is a dict method, but a Customer is not a dict. Use .to_dict() to convert it.",
     "library", "StripeObject is no longer a dict since stripe 15.0"),
    # dict(event) on 15.0+ (measured on 16.1.0).
    ("TypeError: Event is not iterable or a mapping; call .to_dict() for a plain dict.", "library",
     "dict(obj) and {**obj} raise TypeError"),
    ("TypeError: Object of type Customer is not JSON serializable", "library", "jsonify(obj)"),
    # invoice.payment_intent removed in basil: <= 12.x says only the name, 14.0.1+ explains.
    ("AttributeError: payment_intent", "api", "invoice.payment_intent was removed in API version 2025-03-31.basil"),
    ("AttributeError: The 'payment_intent' attribute is no longer available on Invoice objects. See the docs",
     "api", "invoice.payment_intent was removed"),
    ("AttributeError: paid", "api", "invoice.paid was removed in API version 2025-03-31.basil"),
    ("KeyError: 'charge'", "api", "invoice.charge was removed"),
])
def test_library_and_api_breaks_are_recognised_in_each_releases_wording(reason: str, kind: str, expected: str) -> None:
    cause = explain(reason)
    assert cause is not None, reason
    assert cause.kind == kind
    assert expected in cause.explanation
    assert cause.source.startswith("https://")


def test_a_cause_applies_only_when_the_upgrade_crosses_it() -> None:
    assert explain("AttributeError: get", source=OLD, target=NEW) is not None
    assert explain("AttributeError: get", source=Cell("15.6.2", "2023-10-16"), target=NEW) is None  # already 15+
    assert explain("KeyError: 'paid'", source=OLD, target=Cell("16.1.0", "2023-10-16")) is None  # same API version
    assert explain("KeyError: 'paid'", source=OLD, target=NEW) is not None
    # 13.0.0-14.0.0 only: the attribute came back in 14.0.1.
    attribute = "AttributeError: module 'stripe' has no attribute 'error'"
    assert explain(attribute, source=OLD, target=Cell("13.2.0", "2023-10-16")) is not None
    assert explain(attribute, source=OLD, target=Cell("14.4.1", "2023-10-16")) is None
    # One cell alone (a matrix report): only what is in effect there.
    assert explain("AttributeError: get", target=Cell("14.4.1", "2023-10-16")) is None
    assert explain("AttributeError: get", target=NEW) is not None
    assert explain("KeyError: 'paid'", target=Cell("16.1.0", "2024-06-20")) is None
    assert explain("KeyError: 'paid'", target=NEW) is not None


_MISS = ("Failed: No recorded response for GET /v1/customers email=repair-lookup.slow@example.com&limit=10\n"
         "  cassette: cassettes/2026-10-28.endive/test_faults/x.json\n"
         "  nearest recorded request: GET /v1/customers email=repair-lookup.slow@example.com&limit=10"
         " (already played)\n")


def test_a_knock_on_cassette_miss_is_not_filed_as_the_cause() -> None:
    # The scenario repeats a request it already got an answer to: an earlier step failed.
    assert explain(_MISS + "and then the scenario raised AssertionError('failed' == 'ready')") is None
    # A real cause anywhere in what the scenario left wins over the miss it led to.
    raised = _MISS + "and then the scenario raised AttributeError(\"'get' is a dict method, but a X is not a dict\")"
    cause = explain(raised, source=OLD, target=NEW)
    assert cause is not None
    assert cause.kind == "library"
    # A miss for a request never answered is the harness's own diagnosis.
    changed = "Failed: No recorded response for POST /v1/customers email=a%40b.c\n  nearest recorded request: POST"
    found = explain(changed)
    assert found is not None
    assert found.kind == "harness"


def test_breaks_read_the_scenarios_detail_and_mark_knock_ons() -> None:
    scenarios = [
        {"id": "knock", "outcome": "failed", "reason": _MISS},
        {"id": "dict", "outcome": "failed", "reason": "AttributeError: get"},
    ]
    before = CellResult(OLD, 2, 0, 0, 0, [])
    after = CellResult(NEW, 0, 2, 0, 1, scenarios)
    found = {b.scenario: b for b in breaks(before, after)}
    assert found["knock"].knock_on
    assert found["knock"].cause is None
    assert not found["dict"].knock_on
    assert found["dict"].cause is not None
    assert found["dict"].cause.release == "15.0.0"


def _just_before(release: str) -> str:
    major, minor, patch = (int(p) for p in release.split("."))
    if patch:
        return f"{major}.{minor}.{patch - 1}"
    return f"{major}.{minor - 1}.999" if minor else f"{major - 1}.999.999"


def test_every_library_break_names_the_release_where_it_starts_its_source_and_a_code_pattern() -> None:
    explained = {c.library_break.id for c in load_causes() if c.library_break is not None}
    for brk in library_breaks():
        assert brk.source.startswith("https://github.com/stripe/stripe-python/"), brk.id
        assert brk.code, brk.id
        assert brk.severity in ("error", "warning", "note")
        # The release it names is where the range flips (a break, or for "<X" ranges, its end).
        assert brk.broken_on(brk.release) != brk.broken_on(_just_before(brk.release)), brk.id
        assert bool(brk.failures) == (brk.id in explained), brk.id


def test_knock_ons_are_listed_last_under_their_own_heading_and_keep_their_kind() -> None:
    rule = ("clean failure under faults: after slow at repair-lookup the user is in billing state 'failed'\n"
            "and so: " + _MISS.removeprefix("Failed: "))
    scenarios = [
        {"id": "knock", "outcome": "failed", "reason": rule},
        {"id": "dict", "outcome": "failed", "reason": "AttributeError: get"},
    ]
    before = CellResult(OLD, 2, 0, 0, 0, [])
    after = CellResult(NEW, 0, 2, 0, 1, scenarios)
    found = breaks(before, after)
    assert [b.kind for b in found] == ["broken rule", "library exception"]  # from the first line only
    text = "\n".join(_cell_text(CellCheck(NEW, "to", after, found)))
    assert text.index("known cause (1 scenario): StripeObject") < text.index("knock-on failures (1 scenario)")
    assert "no known cause" not in text


def test_an_adapter_that_stripe_breaks_at_import_is_a_library_break_not_a_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What `from stripe.error import CardError` raises on stripe 13.0+, whatever release runs this test.
    (tmp_path / "old_adapter.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'stripe.error'\", name='stripe.error')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    config = HarnessConfig.__new__(HarnessConfig)
    object.__setattr__(config, "adapter", "old_adapter:Adapter")
    with pytest.raises(ConfigError) as raised:
        config.adapter_factory()
    message = str(raised.value)
    assert "A library break, not a configuration mistake" in message
    assert "stripe.error was removed in stripe 13.0" in message
    assert "Set [tool.stripe-compat] adapter" not in message
    # An adapter that is simply not there is still a setting to fix.
    object.__setattr__(config, "adapter", "no_such_module:Adapter")
    with pytest.raises(ConfigError, match=r"Set \[tool.stripe-compat\] adapter"):
        config.adapter_factory()

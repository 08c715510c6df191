"""The scan on the repository's integrations: every planted idiom of examples/legacy_integration at its
line with the version that breaks it, and not one finding on the reference integration or examples/shop."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from harness.matrix import Cell, load_matrix
from harness.scan.engine import scan

ROOT = Path(__file__).resolve().parents[2]
LEGACY = ROOT / "examples" / "legacy_integration"
GATEWAY = LEGACY / "gateway.py"


def _line(text: str) -> int:
    """The line of ``examples/legacy_integration/gateway.py`` that holds ``text`` (one only)."""
    lines = [i for i, line in enumerate(GATEWAY.read_text().splitlines(), 1) if text in line]
    assert len(lines) == 1, (text, lines)
    return lines[0]


def _found(source: str, target: str, paths: list[Path]) -> set[tuple[str, int, str, str]]:
    result = scan(paths, Cell.parse(source), Cell.parse(target))
    return {(f.path.name, f.line, f.rule, f.changed_in) for f in result.findings}


DICT_READS = ['found.get("data"', 'customer.get("metadata"', 'customer.get("deleted", False)', 'attached.get("id")',
              'invoice.get("paid")', 'invoice.get("subscription")']
STRIPE_ERROR = ["stripe.error.CardError", "stripe.error.InvalidRequestError", "stripe.error.AuthenticationError",
                "stripe.error.APIConnectionError", "stripe.error.RateLimitError", "stripe.error.APIError)",
                "except stripe.error.StripeError"]
BASIL = [('invoice.get("paid")', "api:invoice.paid"), ('invoice.get("subscription")', "api:invoice.subscription"),
         ("invoice['subscription']", "api:invoice.subscription")]
RETRIES = ("gateway.py", _line("self._call(stripe.Customer.list"), "library:global-retries-default", "stripe 11.0.0")


def test_legacy_integration_to_16x_every_dict_read_and_basil_field() -> None:
    expected = {("gateway.py", _line(t), "library:stripeobject-dict-methods", "stripe 15.0.0") for t in DICT_READS}
    expected |= {("gateway.py", _line(t), rule, "API 2025-03-31.basil") for t, rule in BASIL}
    expected.add(RETRIES)
    # stripe.error.X works again from 14.0.1: not a break on the way to 16.1.0.
    assert _found("7.14.0@2023-10-16", "16.1.0@2026-10-28.endive", [LEGACY]) == expected


def test_legacy_integration_to_13x_every_stripe_error_use() -> None:
    expected = {("gateway.py", _line(t), "library:stripe-error-attribute", "stripe 13.0.0") for t in STRIPE_ERROR}
    expected |= {("gateway.py", _line(t), rule, "API 2025-03-31.basil") for t, rule in BASIL}
    expected.add(RETRIES)
    assert _found("7.14.0@2023-10-16", "13.2.0@2025-10-29.clover", [LEGACY]) == expected


def test_legacy_integration_on_one_side_of_every_break_is_clean() -> None:
    assert _found("15.6.2@2025-03-31.basil", "16.1.0@2026-10-28.endive", [LEGACY]) == set()


MATRIX = load_matrix(ROOT / "pyproject.toml")
_FORWARD = [(f"{a}@{MATRIX.api_versions[0]}", f"{b}@{MATRIX.api_versions[-1]}")
            for a, b in combinations(MATRIX.stripe, 2)]
UPGRADES = _FORWARD + [(b, a) for a, b in _FORWARD]  # and every rollback


@pytest.mark.parametrize(("source", "target"), UPGRADES, ids=[f"{a}->{b}" for a, b in UPGRADES])
def test_no_false_finding_on_the_reference_integration_and_the_shop(source: str, target: str) -> None:
    result = scan([ROOT / "harness" / "reference", ROOT / "examples" / "shop"], Cell.parse(source),
                  Cell.parse(target))
    assert result.files > 20
    assert not result.unreadable
    assert result.findings == []

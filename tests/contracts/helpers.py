"""Shared test data: real recordings copied into tests/data/realdata (see SOURCES.md there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.contracts.payloads import read_payloads

REALDATA = Path(__file__).resolve().parents[1] / "data" / "realdata"
INVOICE_CASSETTE = REALDATA / "pay" / "test_stripe_can_create_an_invoice.yml"


def first_object(kind: str, version: str, path: Path = INVOICE_CASSETTE) -> dict[str, Any]:
    """The first top-level response body of ``kind`` recorded at ``version`` in a cassette."""
    for payload in read_payloads(path):
        if (
            payload.recorded_version == version
            and isinstance(payload.body, dict)
            and payload.body.get("object") == kind
        ):
            return payload.body
    raise LookupError(f"no {kind} recorded at {version} in {path}")

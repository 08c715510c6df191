"""Contracts: JSON Schemas per Stripe API version, and the validation of every payload against them.

    from harness.contracts import load_contracts, Violation, known_api_versions
    load_contracts("2025-03-31.basil").violations(payload)  # -> list[Violation]

Layout and provenance of the data: contracts/README.md.
"""

from .registry import Contracts, known_api_versions, load_contracts
from .validate import Violation

__all__ = ["Contracts", "Violation", "known_api_versions", "load_contracts"]

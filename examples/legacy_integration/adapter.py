"""The legacy integration behind the adapter interface.

    nox -s upgrade -- --from 7.14.0@2023-10-16 --to 16.1.0@2026-10-28.endive \\
        --adapter examples.legacy_integration.adapter:LegacyAdapter
"""

from __future__ import annotations

from pathlib import Path

from harness.adapter import StripeSettings
from harness.reference.adapter import ReferenceAdapter

from .gateway import LegacyGateway


class LegacyAdapter(ReferenceAdapter):
    """The reference service and database, with every Stripe call made the old way."""

    def __init__(self, settings: StripeSettings, workdir: Path, *, verify_ttl: float = 3600.0) -> None:
        super().__init__(settings, workdir, verify_ttl=verify_ttl)
        self.billing.gateway = LegacyGateway(settings.api_key, settings.api_version, self.monitor)

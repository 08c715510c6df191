"""Hooks a team implements (in its ``conftest.py`` or a plugin) to extend stripe-compat.

    # conftest.py
    import re

    def pytest_stripe_compat_scrubbers(config):
        account = re.compile(r"\\bacct_[A-Za-z0-9]+")
        return [lambda text: account.sub("acct_REDACTED", text)]
"""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.hookspec
def pytest_stripe_compat_scrubbers(config: pytest.Config) -> list[Callable[[str], str]]:
    """Text filters for a team's own secrets and personal data (internal ids, account numbers).

    Each takes text and returns it scrubbed, like vcrpy's filters. They run after the
    harness's own rules on everything a cassette keeps (request URL and body, response
    body and kept headers, events), and on every replayed request before it is matched,
    so a recording made with them replays with them. Called once per run, for the
    scenarios that use the harness; every implementation's list is applied, in order.
    """

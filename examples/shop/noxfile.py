"""The shop's compatibility matrix, run like the harness's own: ``nox -s compat``.

The sessions are stripe-compat's (:mod:`harness.nox_sessions`); they read the matrix
from this folder's pyproject.toml and install the harness from where its
``[tool.stripe-compat] install`` says (the checkout two levels up), the shop from
this folder, both editable.

    nox -s compat                              every cell, replayed from cassettes/
    nox -t compat -j auto                      the same, one cell per CPU at once, the table after the last
    nox -s "compat(16.1.0@2025-03-31.basil)"   one cell
    nox -s "record(2025-03-31.basil)"          re-record one API version (localstripe, or STRIPE_API_KEY's test account)
    nox -s upgrade -- --from 14.4.1@2024-06-20 --to 16.1.0@2024-06-20
"""

from __future__ import annotations

import sys
from pathlib import Path

import nox

nox.needs_version = ">=2026.8.17"

# A team installs stripe-compat beside nox instead (docs/adopting.md); the example
# imports it from the checkout it lives in.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from harness.nox_sessions import *  # noqa: E402, F403

"""The naive integration's matrix: ``nox -s compat``, ``nox -s "record(library-default)"``, ``nox -s upgrade``."""

from __future__ import annotations

import sys
from pathlib import Path

import nox

nox.needs_version = ">=2026.8.17"

# A team installs stripe-compat beside nox instead (docs/adopting.md); the example
# imports it from the checkout it lives in.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from harness.nox_sessions import *  # noqa: E402, F403

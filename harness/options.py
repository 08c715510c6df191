"""The plugin's settings, each one a command-line option, an ini key and an environment variable.

    --stripe-backend         stripe_backend           STRIPE_COMPAT_BACKEND
    --stripe-api-version     stripe_api_version       STRIPE_COMPAT_API_VERSION
    --stripe-record-mode     stripe_record_mode       STRIPE_COMPAT_RECORD_MODE
    --stripe-cassettes       stripe_cassettes         STRIPE_COMPAT_CASSETTES
    --stripe-adapter         stripe_adapter           STRIPE_COMPAT_ADAPTER
    --stripe-strict-provider stripe_strict_provider   STRIPE_COMPAT_STRICT_PROVIDER
    --stripe-results         stripe_results           STRIPE_COMPAT_RESULTS
    --stripe-api-versions    stripe_api_versions      STRIPE_COMPAT_API_VERSIONS
    --stripe-jobs            stripe_jobs              STRIPE_COMPAT_JOBS

Precedence, highest first: the command line, the environment (what CI sets), the ini
file (``[tool.pytest.ini_options]`` in pyproject.toml, pytest.ini, tox.ini), then the
harness's own default (:mod:`harness.config`). Ini keys are registered with ``addini``,
so pytest knows them (no ``PytestConfigWarning: Unknown config option``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from .config import RECORD_MODE_CHOICES, BackendKind

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class Setting:
    """One plugin setting and the three places it can come from."""

    flag: str
    help: str
    choices: tuple[str, ...] = ()
    boolean: bool = False

    @property
    def ini(self) -> str:
        """``--stripe-api-version`` -> ``stripe_api_version``."""
        return self.flag.removeprefix("--").replace("-", "_")

    @property
    def env(self) -> str:
        """``--stripe-api-version`` -> ``STRIPE_COMPAT_API_VERSION``."""
        return "STRIPE_COMPAT_" + self.flag.removeprefix("--stripe-").replace("-", "_").upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("--stripe-backend", "where stripe-python's requests go (default: replay from cassettes)",
            choices=tuple(k.value for k in BackendKind)),
    Setting("--stripe-api-version", "the Stripe API version to pin (default: the newest in the matrix)"),
    Setting("--stripe-record-mode", "vcrpy's modes: none (default), once, new_episodes, all (or rewrite); "
            "recording needs a non-replay backend", choices=tuple(RECORD_MODE_CHOICES)),
    Setting("--stripe-cassettes", "cassette folder (default: from pyproject)"),
    Setting("--stripe-adapter", "integration adapter as module:Class"),
    Setting("--stripe-strict-provider", "fail scenarios on provider-schema violations too, not only consumer contracts",
            boolean=True),
    Setting("--stripe-results", "write this cell's results as JSON to this file ({cell} becomes LIB@API)"),
    Setting("--stripe-api-versions", "run each of these API versions (A,B,C) as its own cell, forked from this "
            "process; {cell} in --stripe-results and --junitxml names each cell's file"),
    Setting("--stripe-jobs", "cells of --stripe-api-versions run at once (default: all, up to 4 per CPU)"),
)
BY_FLAG = {s.flag: s for s in SETTINGS}


def add_options(parser: pytest.Parser, group_name: str, description: str) -> None:
    """Register every setting as an option of ``group_name`` and as an ini key."""
    group = parser.getgroup(group_name, description)
    for s in SETTINGS:
        where = f" [ini {s.ini}, env {s.env}]"
        if s.boolean:
            group.addoption(s.flag, action="store_true", default=None, help=s.help + where)
            parser.addini(s.ini, s.help, type="bool", default=None)
        else:
            group.addoption(s.flag, choices=list(s.choices) or None, default=None, help=s.help + where)
            parser.addini(s.ini, s.help, type="string", default=None)


def value(config: pytest.Config, flag: str) -> Any:
    """The setting's value from the command line, else the environment, else the ini file; None if unset."""
    s = BY_FLAG[flag]
    given = config.getoption(flag)
    if given is not None:
        return given
    if (raw := os.environ.get(s.env)) is not None:
        return _parse(s, raw, s.env)
    ini = config.getini(s.ini)
    if ini is None or ini == "":
        return None
    return ini if s.boolean else _parse(s, str(ini), s.ini)


def explicit(config: pytest.Config, flags: Sequence[str] = tuple(BY_FLAG)) -> bool:
    """Whether any of these settings was given anywhere: what puts the harness in play."""
    return any(value(config, flag) not in (None, False) for flag in flags)


def _parse(s: Setting, raw: str, source: str) -> Any:
    text = raw.strip()
    if s.boolean:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        msg = f"{source}={raw!r} is not a boolean; use one of: {', '.join(_TRUE + _FALSE[:-1])}."
        raise pytest.UsageError(msg)
    if s.choices and text not in s.choices:
        msg = f"{source}={raw!r} is not one of: {', '.join(s.choices)}."
        raise pytest.UsageError(msg)
    return text or None

"""Keys and other credentials kept out of what pytest prints and writes.

A failing scenario's traceback shows the arguments of every frame it passes through,
and stripe-python hands its HTTP client the request headers as a plain dict, so
``'Authorization': 'Bearer sk_test_…'`` would be printed by pytest (and nox after it),
stored in ``--junitxml`` files and in the run's results, frames of stripe-python and
requests included, where no ``__repr__`` of ours can reach. Masking the finished
report instead covers every frame, every ``--tb`` style, ``--showlocals`` and captured
output alike, because each of those outputs is rendered from the report.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from _pytest._code.code import TerminalRepr

from .cassettes.secret_patterns import mask_credentials


def _masked(node: Any) -> Any:
    """``node`` with its strings masked: strings and tuples are rebuilt, pytest's repr objects edited in place."""
    if isinstance(node, str):
        return mask_credentials(node)
    if isinstance(node, tuple):
        return tuple(_masked(item) for item in node)
    if isinstance(node, list):
        node[:] = [_masked(item) for item in node]
    elif isinstance(node, dict):
        for key, value in node.items():
            node[key] = _masked(value)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            object.__setattr__(node, field.name, _masked(getattr(node, field.name)))
    return node


def mask_report(report: pytest.TestReport) -> None:
    """Mask credentials in ``report``'s failure text and captured output before anyone renders it."""
    longrepr = report.longrepr
    if isinstance(longrepr, TerminalRepr) and not dataclasses.is_dataclass(longrepr):
        report.longrepr = mask_credentials(str(longrepr))  # a repr we cannot walk: keep its text only
    else:
        report.longrepr = _masked(longrepr)
    report.sections = _masked(report.sections)

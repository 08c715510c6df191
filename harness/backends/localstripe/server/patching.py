# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright (C) stripe-compat contributors
#
# This program is free software: you can redistribute it and/or modify it under the terms of
# the GNU General Public License as published by the Free Software Foundation, either version 3
# of the License, or (at your option) any later version.
#
# This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY;
# without even the implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.
# See the GNU General Public License for more details: <https://www.gnu.org/licenses/>.
"""Replacing localstripe class methods so that both its routes and its own callers see the fix.

localstripe registers its extra routes (``/attach``, ``/pay`` ...) by capturing bound
class methods in ``resources.extra_apis`` when ``localstripe.server`` is imported. A fix
therefore has to replace the class attribute (for internal callers) *and* the captured
entry (for the route), and has to run before ``localstripe.server`` is imported.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


def _resources() -> ModuleType:
    return sys.modules["localstripe.resources"]


def replace_classmethod(cls: type, name: str, replacement: Callable[..., Any]) -> Callable[..., Any]:
    """Install ``replacement`` as ``cls.<name>`` and return the original, bound to ``cls``."""
    if "localstripe.server" in sys.modules:
        msg = "compat patches must be applied before localstripe.server is imported"
        raise RuntimeError(msg)
    original = getattr(cls, name)
    setattr(cls, name, classmethod(replacement))
    patched = getattr(cls, name)
    routes = _resources().extra_apis
    routes[:] = [(method, url, patched if func == original else func) for method, url, func in routes]
    return original


def add_route(method: str, url: str, func: Callable[..., Any]) -> None:
    """Serve ``func`` at ``method url`` the way localstripe serves its own extra routes."""
    _resources().extra_apis.append((method, url, func))

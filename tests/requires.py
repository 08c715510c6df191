"""Optional packages the harness's own tests need: missing, they fail with the install line, never skip.

`nox -s tests` installs all of them; a skip would let a run without them pass as green.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def require(module: str, install: str) -> ModuleType:
    """Import ``module`` or fail the test (or its file, at collection) saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        pytest.fail(f"{module} is not installed; {install} (nox -s tests installs it)", pytrace=False)

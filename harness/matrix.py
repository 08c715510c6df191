"""The compatibility matrix: stripe-python releases × pinned Stripe API versions.

It is read from ``[tool.stripe-compat.matrix]`` in pyproject.toml, the single place
where it is written down; nox, the pytest plugin, the report and CI all come here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigFileError
from .validation import check_int, check_keys, check_list, fail

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
#: An API version naming "whatever the stripe release sends by default", for integrations that do not pin.
LIBRARY_DEFAULT = "library-default"
_LIB_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
MATRIX_KEYS = ("stripe", "api_versions", "recording_stripe", "xdist_workers")
_EXAMPLES = {"stripe": '["16.1.0"]', "api_versions": '["2025-03-31.basil"]'}
_LIBS = 'a list of exact releases like "16.1.0"'
_APIS = f'a list of API versions as strings, like "2025-03-31.basil" (or "{LIBRARY_DEFAULT}")'


@dataclass(frozen=True, order=True)
class Cell:
    """One cell of the matrix: a stripe-python release and the API version it pins."""

    stripe: str
    api_version: str

    @property
    def id(self) -> str:
        """A name usable in file names and nox session ids: ``16.1.0@2025-03-31.basil``."""
        return f"{self.stripe}@{self.api_version}"

    @classmethod
    def parse(cls, text: str) -> Cell:
        """Parse ``LIB@API`` as written on the command line."""
        lib, sep, api = text.partition("@")
        if not sep:
            msg = f"Expected a cell as STRIPE_VERSION@API_VERSION (e.g. 16.1.0@2025-03-31.basil), got {text!r}."
            raise ConfigError(msg)
        return cls(validate_stripe_version(lib), validate_api_version(api))


@dataclass(frozen=True)
class Matrix:
    """The releases and API versions to cross, plus the release that records cassettes."""

    stripe: tuple[str, ...]
    api_versions: tuple[str, ...]
    recording_stripe: str
    xdist_workers: int = 0

    @property
    def cells(self) -> list[Cell]:
        """Every cell, library-major first, in the order the data file lists them."""
        return [Cell(lib, api) for lib in self.stripe for api in self.api_versions]


def is_api_version(value: str) -> bool:
    """True for the dated form Stripe sends in the Stripe-Version header."""
    return bool(_API_VERSION.match(value))


def is_stripe_release(value: str) -> bool:
    """True for an exact stripe-python release such as 16.1.0."""
    return bool(_LIB_VERSION.match(value))


def validate_api_version(value: str) -> str:
    """Return ``value`` if it looks like a Stripe API version (or is ``library-default``), else explain the format."""
    if value != LIBRARY_DEFAULT and not is_api_version(value):
        msg = (
            f"{value!r} is not a Stripe API version. Use the dated form Stripe sends in the "
            f"Stripe-Version header, e.g. 2024-06-20 or 2025-03-31.basil, or {LIBRARY_DEFAULT!r} for an "
            "integration that does not pin one."
        )
        raise ConfigError(msg)
    return value


def validate_stripe_version(value: str) -> str:
    """Return ``value`` if it is an exact stripe-python release such as 16.1.0."""
    if not is_stripe_release(value):
        msg = f"{value!r} is not an exact stripe-python release; write it as X.Y.Z, e.g. 16.1.0."
        raise ConfigError(msg)
    return value


def find_pyproject(start: Path | None = None) -> Path:
    """The nearest pyproject.toml at or above ``start`` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    msg = f"No pyproject.toml found at or above {here}; run from your project's root."
    raise ConfigError(msg)


def read_tool_table(pyproject: Path) -> dict[str, Any]:
    """``[tool.stripe-compat]`` of ``pyproject`` (empty when absent); unreadable TOML names the file."""
    try:
        with pyproject.open("rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigFileError(f"Cannot read {pyproject}: {exc.strerror}.", pyproject) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{pyproject} is not valid TOML ({exc}); fix the file.", pyproject) from None
    table = data.get("tool", {}).get("stripe-compat", {})
    if not isinstance(table, dict):
        raise fail("tool.stripe-compat", pyproject, "a table ([tool.stripe-compat])", table)
    return table


def load_matrix(pyproject: Path | None = None) -> Matrix:
    """Read and check ``[tool.stripe-compat.matrix]`` of ``pyproject``; every mistake names the file and the fix."""
    path = pyproject or find_pyproject()
    table = read_tool_table(path).get("matrix")
    if not table:
        msg = f"{path} has no [tool.stripe-compat.matrix] table; add `stripe = [...]` and `api_versions = [...]` there."
        raise ConfigFileError(msg, path)
    if not isinstance(table, dict):
        raise fail("matrix", path, "a table ([tool.stripe-compat.matrix])", table)
    check_keys("tool.stripe-compat.matrix", path, table, MATRIX_KEYS)
    for key in ("stripe", "api_versions"):
        if key not in table:
            msg = f"[tool.stripe-compat.matrix] in {path} is missing the key {key!r}; add `{key} = {_EXAMPLES[key]}`."
            raise ConfigFileError(msg, path)
    libs = check_list("matrix.stripe", path, table["stripe"], _LIBS, is_stripe_release)
    apis = check_list(
        "matrix.api_versions", path, table["api_versions"], _APIS, lambda v: v == LIBRARY_DEFAULT or is_api_version(v)
    )
    recorder = table.get("recording_stripe", libs[-1])
    if not isinstance(recorder, str) or not is_stripe_release(recorder):
        raise fail("matrix.recording_stripe", path, 'an exact release like "16.1.0"', recorder)
    workers = check_int("matrix.xdist_workers", path, table.get("xdist_workers", 0), minimum=0)
    return Matrix(stripe=libs, api_versions=apis, recording_stripe=recorder, xdist_workers=workers)

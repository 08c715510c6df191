"""The compatibility matrix: stripe-python releases × pinned Stripe API versions.

It is read from ``[tool.stripe-compat.matrix]`` in pyproject.toml, the single place
where it is written down; nox, the pytest plugin, the report and CI all come here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

_API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$")
#: An API version naming "whatever the stripe release sends by default", for integrations that do not pin.
LIBRARY_DEFAULT = "library-default"
_LIB_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


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

    @property
    def cells(self) -> list[Cell]:
        """Every cell, library-major first, in the order the data file lists them."""
        return [Cell(lib, api) for lib in self.stripe for api in self.api_versions]


def validate_api_version(value: str) -> str:
    """Return ``value`` if it looks like a Stripe API version (or is ``library-default``), else explain the format."""
    if value != LIBRARY_DEFAULT and not _API_VERSION.match(value):
        msg = (
            f"{value!r} is not a Stripe API version. Use the dated form Stripe sends in the "
            f"Stripe-Version header, e.g. 2024-06-20 or 2025-03-31.basil, or {LIBRARY_DEFAULT!r} for an "
            "integration that does not pin one."
        )
        raise ConfigError(msg)
    return value


def validate_stripe_version(value: str) -> str:
    """Return ``value`` if it is an exact stripe-python release such as 16.1.0."""
    if not _LIB_VERSION.match(value):
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


def load_matrix(pyproject: Path | None = None) -> Matrix:
    """Read the matrix from ``[tool.stripe-compat.matrix]`` of ``pyproject``."""
    path = pyproject or find_pyproject()
    with path.open("rb") as f:
        data = tomllib.load(f)
    table = data.get("tool", {}).get("stripe-compat", {}).get("matrix")
    if not table:
        msg = f"{path} has no [tool.stripe-compat.matrix] table; add `stripe = [...]` and `api_versions = [...]` there."
        raise ConfigError(msg)
    try:
        libs = tuple(validate_stripe_version(v) for v in table["stripe"])
        apis = tuple(validate_api_version(v) for v in table["api_versions"])
    except KeyError as exc:
        msg = f"[tool.stripe-compat.matrix] in {path} is missing the key {exc.args[0]!r}."
        raise ConfigError(msg) from None
    recorder = validate_stripe_version(table.get("recording_stripe", libs[-1]))
    return Matrix(stripe=libs, api_versions=apis, recording_stripe=recorder)

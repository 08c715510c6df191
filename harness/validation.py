"""Type checks for values read from ``[tool.stripe-compat]``, in hypothesis's ``check_type`` style.

TOML hands back whatever the user wrote: a string where a list belongs, a number where a
version belongs. Each check names the key, the file, what was expected with an example,
and what came, so the message is the fix. :func:`parse_count` is the same for a count
given on a command line (``--stripe-jobs``, ``chaos --users``), whose caller words the error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import ConfigFileError

_ADAPTER = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")


def parse_count(text: str) -> int | None:
    """``text`` as a whole number of at least 1 (a count given on a command line), or None if it is not one."""
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 1 else None


def _got(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})"


def fail(key: str, path: Path, expected: str, value: Any) -> ConfigFileError:
    """The error for ``key`` in ``path`` holding ``value`` instead of ``expected``."""
    return ConfigFileError(f"{key} in {path} must be {expected}; got {_got(value)}.", path)


def check_str(key: str, path: Path, value: Any, expected: str) -> str:
    """``value`` if it is a non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise fail(key, path, expected, value)
    return value


def check_list(key: str, path: Path, value: Any, expected: str, item: Callable[[str], bool]) -> tuple[str, ...]:
    """``value`` as a tuple if it is a non-empty list of strings each accepted by ``item``."""
    if not isinstance(value, list) or not value:
        raise fail(key, path, expected, value)
    for index, element in enumerate(value):
        if not isinstance(element, str) or not item(element):
            raise fail(f"{key}[{index}]", path, expected, element)
    if len(set(value)) != len(value):
        duplicates = sorted({v for v in value if value.count(v) > 1})
        raise ConfigFileError(f"{key} in {path} lists {', '.join(duplicates)} more than once; keep one of each.", path)
    return tuple(value)


def check_int(key: str, path: Path, value: Any, *, minimum: int) -> int:
    """``value`` if it is an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise fail(key, path, f"an integer >= {minimum}", value)
    return value


def is_adapter_path(value: Any) -> bool:
    """True for ``package.module:Class``, the form an adapter is named in."""
    return isinstance(value, str) and bool(_ADAPTER.match(value))


def check_keys(table: str, path: Path, data: dict[str, Any], known: tuple[str, ...]) -> None:
    """Refuse keys nobody reads: a misspelt key would otherwise fall back to its default silently."""
    unknown = sorted(set(data) - set(known))
    if unknown:
        msg = (
            f"[{table}] in {path} has unknown key(s) {', '.join(unknown)}; "
            f"the keys it takes are: {', '.join(known)}."
        )
        raise ConfigFileError(msg, path)

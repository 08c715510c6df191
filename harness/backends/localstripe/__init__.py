"""The localstripe backend (MIT side): starts the GPL server in ``server/`` and talks HTTP to it.

Nothing here may import ``server/``; see ``server/README.md``. The names below load
lazily because the server process passes through this package on its way to
``server/`` (``python -m harness.backends.localstripe.server``) and must not need, or pay
for, the client side's ``requests``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import LocalstripeBackend, require_localstripe

__all__ = ["LocalstripeBackend", "require_localstripe"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import backend

        return getattr(backend, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)

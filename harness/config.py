"""The harness's settings for one run: pyproject's ``[tool.stripe-compat]`` plus options.

Precedence, highest first: command-line option, environment variable (for what CI
sets: ``STRIPE_API_KEY``, ``STRIPE_MOCK_URL``), pyproject.toml, built-in default.
"""

from __future__ import annotations

import enum
import importlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .matrix import LIBRARY_DEFAULT, Matrix, load_matrix, validate_api_version

DEFAULT_ADAPTER = "harness.reference.adapter:ReferenceAdapter"
#: The key replay and localstripe use. Never a real key, so cassettes cannot leak one.
OFFLINE_API_KEY = "sk_test_stripecompat0000000000000000"
#: The secret the harness signs test webhooks with.
WEBHOOK_SECRET = "whsec_stripecompat_test_only"


class BackendKind(enum.StrEnum):
    """Where stripe-python's requests go."""

    REPLAY = "replay"
    LOCALSTRIPE = "localstripe"
    STRIPE_MOCK = "stripe-mock"
    LIVE = "live"


class RecordMode(enum.StrEnum):
    """vcrpy's record modes, with its meanings; ``rewrite`` (pytest-recording's name) is ``all``.

    ``none`` replays (or runs against a server) and writes nothing; ``once`` records a
    scenario with no cassette yet and replays the others; ``new_episodes`` replays what is
    recorded and records the requests that are not; ``all`` re-records every scenario.
    """

    NONE = "none"
    ONCE = "once"
    NEW_EPISODES = "new_episodes"
    ALL = "all"

    @classmethod
    def _missing_(cls, value: object) -> RecordMode | None:
        return cls.ALL if value == "rewrite" else None


#: What ``--stripe-record-mode`` accepts: the modes and the alias.
RECORD_MODE_CHOICES = (*(m.value for m in RecordMode), "rewrite")


@dataclass(frozen=True)
class HarnessConfig:
    """Everything a scenario's fixtures need to know about the run."""

    root: Path
    backend: BackendKind
    api_version: str
    record_mode: RecordMode
    cassettes: Path
    contracts: Path | None
    adapter: str
    matrix: Matrix
    strict_provider: bool

    def adapter_factory(self) -> Any:
        """Import the adapter class named ``module:Class``."""
        module_name, _, attr = self.adapter.partition(":")
        try:
            return getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            msg = (
                f"Cannot load the adapter {self.adapter!r} ({exc}). Set "
                "[tool.stripe-compat] adapter = \"your_package.module:YourAdapter\" in pyproject.toml "
                "or pass --stripe-adapter."
            )
            raise ConfigError(msg) from exc

    def rerecord_hint(self, test_name: str) -> str:
        """The command that re-records one scenario for this API version."""
        return f"nox -s \"record({self.api_version})\" -- -k '{test_name}'"


def read_tool_table(pyproject: Path) -> dict[str, Any]:
    """``[tool.stripe-compat]`` of ``pyproject`` (empty when absent)."""
    with pyproject.open("rb") as f:
        return tomllib.load(f).get("tool", {}).get("stripe-compat", {})


def resolve(
    pyproject: Path,
    *,
    backend: str | None,
    api_version: str | None,
    record_mode: str | None,
    cassettes: str | None,
    adapter: str | None,
    strict_provider: bool,
) -> HarnessConfig:
    """Merge options over pyproject and validate every value, naming the valid choices."""
    table = read_tool_table(pyproject)
    root = pyproject.parent
    matrix = load_matrix(pyproject)
    version = resolve_api_version(validate_api_version(api_version or matrix.api_versions[-1]))
    mode = _choice(RecordMode, record_mode or "none", "--stripe-record-mode")
    kind = _choice(BackendKind, backend or "replay", "--stripe-backend")
    if mode is not RecordMode.NONE and kind is BackendKind.REPLAY:
        msg = (
            f"--stripe-record-mode={record_mode} needs a backend to record from: add --stripe-backend=localstripe "
            "(default for recording), --stripe-backend=live with STRIPE_API_KEY set, or --stripe-backend=stripe-mock."
        )
        raise ConfigError(msg)
    return HarnessConfig(
        root=root,
        backend=kind,
        api_version=version,
        record_mode=mode,
        cassettes=root / (cassettes or table.get("cassettes", "cassettes")),
        contracts=root / table["contracts"] if "contracts" in table else None,
        adapter=adapter or table.get("adapter", DEFAULT_ADAPTER),
        matrix=matrix,
        strict_provider=strict_provider,
    )


def resolve_api_version(version: str) -> str:
    """``version``, or for ``library-default`` the version the installed stripe release sends unpinned."""
    if version != LIBRARY_DEFAULT:
        return version
    from .stripe_http import library_default_api_version, stripe_version

    sent = library_default_api_version()
    if sent is None:
        msg = (
            f"stripe {stripe_version()} sends no Stripe-Version unless the integration pins one, so an unpinned "
            f"integration runs at the Stripe account's default API version. Name that version in api_versions "
            f"instead of {LIBRARY_DEFAULT!r} for this release, or leave the release out of the matrix."
        )
        raise ConfigError(msg)
    return sent


def _choice(enum_type: type[enum.StrEnum], value: str, option: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        valid = ", ".join(m.value for m in enum_type)
        msg = f"{option}={value!r} is not one of: {valid}."
        raise ConfigError(msg) from None

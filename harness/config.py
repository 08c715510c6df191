"""The harness's settings for one run: pyproject's ``[tool.stripe-compat]`` plus options.

Precedence, highest first: command-line option, environment variable (for what CI
sets: ``STRIPE_API_KEY``, ``STRIPE_MOCK_URL``), pyproject.toml, built-in default.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import ConfigError, ConfigFileError
from .matrix import LIBRARY_DEFAULT, Matrix, load_matrix, read_tool_table, validate_api_version
from .upgrade.causes import library_cause
from .validation import check_keys, check_str, fail, is_adapter_path

DEFAULT_ADAPTER = "harness.reference.adapter:ReferenceAdapter"
#: Every key ``[tool.stripe-compat]`` takes; any other is a typo that would otherwise be ignored.
TABLE_KEYS = ("adapter", "cassettes", "contracts", "install", "matrix", "python")
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
        """Import the adapter class named ``module:Class``; any failure is one message naming the fix."""
        module_name, _, attr = self.adapter.partition(":")
        try:
            return getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            if (cause := library_cause(str(exc))) is not None:
                # The adapter is found but stripe itself breaks its import: a library break, not a setting.
                release = metadata.version("stripe")
                msg = (f"The adapter {self.adapter!r} cannot be imported with stripe {release}: {exc}. "
                       f"A library break, not a configuration mistake: {cause.explanation} Source: {cause.source}")
                raise ConfigError(msg) from exc
            problem = str(exc)
        except Exception as exc:  # the adapter's own module raised while importing
            problem = (
                f"importing {module_name} raised {type(exc).__name__}: {exc}; "
                f"`python -c 'import {module_name}'` shows the traceback"
            )
        msg = (
            f"Cannot load the adapter {self.adapter!r} ({problem}). Set "
            "[tool.stripe-compat] adapter = \"your_package.module:YourAdapter\" in pyproject.toml "
            "or pass --stripe-adapter."
        )
        raise ConfigError(msg)

    def rerecord_hint(self, test_name: str) -> str:
        """The command that re-records one scenario for this API version."""
        return rerecord_command(self.api_version, test_name)


def rerecord_command(api_version: str, test_name: str) -> str:
    """The command that re-records one scenario's cassette for ``api_version``."""
    return f"nox -s \"record({api_version})\" -- -k '{test_name}'"


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
    check_keys("tool.stripe-compat", pyproject, table, TABLE_KEYS)
    if "python" in table:  # the interpreter nox builds cell virtualenvs with
        check_str("python", pyproject, table["python"], 'a Python version like "3.11"')
    if "install" in table:  # where cell virtualenvs get stripe-compat (harness.install_source)
        check_str("install", pyproject, table["install"], 'a requirement or a path, like "../stripe-compat"')
    root = pyproject.parent
    matrix = load_matrix(pyproject)
    contracts = _contracts_dir(pyproject, table)
    _check_contracts(matrix.api_versions, contracts, pyproject)
    chosen = validate_api_version(api_version) if api_version is not None else matrix.api_versions[-1]
    version = resolve_api_version(chosen)
    if version not in matrix.api_versions:
        _check_contracts((version,), contracts, None)
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
        cassettes=root / _cassettes(pyproject, table, cassettes),
        contracts=contracts,
        adapter=_adapter(pyproject, table, adapter),
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


def _adapter(pyproject: Path, table: dict[str, Any], option: str | None) -> str:
    if option is not None:  # an empty --stripe-adapter= is a mistake, not a request for the default
        if not is_adapter_path(option):
            msg = f'--stripe-adapter must name your adapter class as "package.module:Class"; got {option!r}.'
            raise ConfigError(msg)
        return option
    value = table.get("adapter", DEFAULT_ADAPTER)
    if not is_adapter_path(value):
        raise fail("adapter", pyproject, 'your adapter class as "package.module:Class"', value)
    return value


def _cassettes(pyproject: Path, table: dict[str, Any], option: str | None) -> str:
    if option is not None:
        if not option.strip():
            raise ConfigError("--stripe-cassettes needs a folder, e.g. --stripe-cassettes=cassettes.")
        return option
    return check_str("cassettes", pyproject, table.get("cassettes", "cassettes"), 'a folder like "cassettes"')


def _contracts_dir(pyproject: Path, table: dict[str, Any]) -> Path | None:
    if "contracts" not in table:
        return None
    folder = pyproject.parent / check_str("contracts", pyproject, table["contracts"], 'a folder like "contracts"')
    if not (folder / "provider").is_dir():
        msg = (
            f"contracts in {pyproject} names {folder}, which holds no provider/ contracts; "
            "point it at a contracts folder or remove the key to use the contracts the harness ships."
        )
        raise ConfigFileError(msg, pyproject)
    return folder


def _check_contracts(versions: tuple[str, ...], contracts: Path | None, pyproject: Path | None) -> None:
    """Refuse API versions without contracts, and contracts without a consumer contract, now
    rather than failing (or vacuously passing) every scenario on them later."""
    from .contracts.registry import consumer_files, known_api_versions, load_contracts

    consumer_files(contracts)
    known = known_api_versions(contracts)
    for index, version in enumerate(versions):
        if version == LIBRARY_DEFAULT:  # resolved per release, then checked
            continue
        if version in known:
            load_contracts(version, contracts).check_files()
            continue
        fix = (
            f"use a known one ({_neighbours(version, known)}; all {len(known)} are listed by "
            "`stripe-compat contracts check --help`), or add a catalogue file under contracts/catalogue/ "
            "(see contracts/README.md) to support a new version"
        )
        if pyproject is None:
            msg = f"--stripe-api-version={version!r} is an API version the harness has no contracts for; {fix}."
            raise ConfigError(msg)
        msg = f"matrix.api_versions[{index}] in {pyproject} is {version!r}, an API version with no contracts; {fix}."
        raise ConfigFileError(msg, pyproject)


def _neighbours(version: str, known: list[str]) -> str:
    """The known versions just before and after ``version``: the likeliest intended ones."""
    before = [v for v in known if v[:10] < version[:10]]
    after = [v for v in known if v[:10] >= version[:10]]
    near = [*before[-1:], *after[:1]]
    return "nearest: " + " or ".join(near)


def _choice(enum_type: type[enum.StrEnum], value: str, option: str) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        valid = ", ".join(m.value for m in enum_type)
        msg = f"{option}={value!r} is not one of: {valid}."
        raise ConfigError(msg) from None

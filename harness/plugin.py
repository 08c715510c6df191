"""pytest plugin: a thin layer of options, markers and fixtures over the harness's backends.

Registered through the ``pytest11`` entry point, so installing stripe-compat is enough
for ``pytest --pyargs harness.scenarios`` to run the billing scenarios against the
integration named in ``[tool.stripe-compat]``. Every fixture restores what it changes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from . import hookspecs, options
from .account_state import PROPERTY as RELAXED
from .account_state import AccountState, relaxable_flow, relaxed
from .adapter import BillingAdapter, StripeSettings, declared_lacks, make_adapter
from .backends.base import Backend
from .backends.contract_check import ContractCheck
from .backends.faults import FaultInjector
from .backends.recorder import Recorder
from .backends.replay import ReplayBackend
from .backends.sources import api_key_for, open_server
from .backends.spy import RequestLog
from .backends.stripe_mock import Rejections
from .backends.version_check import PinnedVersionCheck
from .cassettes import scrub
from .cassettes.store import cassette_path, remove_stale_temp_files
from .cell_runner import (
    API_VERSIONS_OPTION,
    CELL_PLACEHOLDER,
    JOBS_OPTION,
    default_jobs,
    fill_cell,
    in_cell,
    parse_api_versions,
    parse_jobs,
    run_cells,
)
from .config import WEBHOOK_SECRET, BackendKind, HarnessConfig, RecordMode, resolve
from .errors import CassetteError, HarnessError
from .lifeline import Lifeline, ParentExited, stop_with_parent
from .matrix import Cell, find_pyproject
from .output_masking import mask_report
from .record_flow import RecordingSummary, attach, finish, outcome_of, source_for
from .report.collect import ResultsWriter, reason_of
from .rules import RuleBroken, failure_text
from .stripe_http import HarnessHTTPClient, routed_to, stripe_version

GROUP = "stripe-compat"
_CONFIG_KEY = pytest.StashKey[HarnessConfig]()
_CHAIN_KEY = pytest.StashKey["Chain"]()
_PHASES_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()
_LIFELINE_KEY = pytest.StashKey[Lifeline]()

MARKERS = (
    "stripe_backends(*kinds, reason): run only on these backends (e.g. stateful flows need state)",
    "stripe_api_versions(min=None, max=None): run only on API versions in this range (inclusive)",
    "stripe_fault(fault, **selectors): inject this Stripe fault for the whole scenario (see FaultRule)",
    "stripe_needs(*capabilities): not applicable to an integration that lacks one (see harness.adapter.Capability)",
    "stripe_stateful(reason): the scenario's flow depends on the account's state; on a stateless backend "
    "(stripe-mock) its requests are still validated and its first failure is relaxed and reported",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    options.add_options(parser, GROUP, "stripe-compat: billing scenarios across Stripe versions")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


#: Settings that configure a run; any of them given puts the harness in play from the start.
_OPTIONS = (
    "--stripe-backend", "--stripe-api-version", "--stripe-record-mode", "--stripe-cassettes", "--stripe-adapter",
)
#: What ``pytest --pyargs`` names to run the harness's own scenarios.
SCENARIOS = "harness.scenarios"


def in_play(config: pytest.Config) -> bool:
    """A stripe-compat setting was given or its scenarios were asked for: otherwise the plugin stays silent.

    A suite that merely shares the virtualenv (``pytest``, ``pytest --pyargs theirs``)
    gets no header and no configuration read; markers and fixtures wake it per test.
    """
    return options.explicit(config, _OPTIONS) or any(str(a).split("::")[0].startswith(SCENARIOS)
                                                      for a in config.args)


#: Modules whose fixtures the plugin provides besides its own (each owns one concern).
FIXTURE_MODULES = ("harness.webhooks.fixtures",)


def pytest_configure(config: pytest.Config) -> None:
    for name in FIXTURE_MODULES:
        if not config.pluginmanager.has_plugin(name):
            config.pluginmanager.import_plugin(name)
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    if options.explicit(config, _OPTIONS):
        harness_config(config)  # bad options (an empty one too) are a usage error before anything runs
    if options.value(config, "--stripe-record-mode") not in (None, RecordMode.NONE.value):
        config.pluginmanager.register(RecordingSummary(harness_config(config)), "stripe-compat-recording")
    if target := options.value(config, "--stripe-results"):
        if CELL_PLACEHOLDER in target:  # from the ini or the environment, or a one-cell run: this cell's file
            target = fill_cell(target, Cell(stripe_version(), harness_config(config).api_version))
        writer = ResultsWriter(Path(target), lambda: harness_config(config))
        config.pluginmanager.register(writer, "stripe-compat-results")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> int | None:
    """With ``--stripe-api-versions``, this process runs no scenario itself: each cell is a run of its own."""
    versions = options.value(config, API_VERSIONS_OPTION)
    if versions is None or in_cell():  # a cell inherits the environment (and ini) that named the list
        return None
    if config.getoption("--stripe-api-version") is not None:
        raise pytest.UsageError(f"Give --stripe-api-version (one cell) or {API_VERSIONS_OPTION} (several), not both.")
    apis, jobs = parse_api_versions(versions), options.value(config, JOBS_OPTION)
    return run_cells(config.invocation_params.args, stripe_version(), apis,
                     default_jobs(len(apis)) if jobs is None else parse_jobs(jobs),
                     options.value(config, "--stripe-results"))


def harness_config(config: pytest.Config) -> HarnessConfig:
    """The run's :class:`HarnessConfig`, resolved once from options and pyproject."""
    if _CONFIG_KEY not in config.stash:
        try:
            cfg = resolve(
                find_pyproject(config.rootpath),
                backend=options.value(config, "--stripe-backend"),
                api_version=options.value(config, "--stripe-api-version"),
                record_mode=options.value(config, "--stripe-record-mode"),
                cassettes=options.value(config, "--stripe-cassettes"),
                adapter=options.value(config, "--stripe-adapter"),
                strict_provider=bool(options.value(config, "--stripe-strict-provider")),
            )
        except HarnessError as exc:
            raise pytest.UsageError(str(exc)) from None
        config.stash[_CONFIG_KEY] = cfg
    return config.stash[_CONFIG_KEY]


def pytest_report_header(config: pytest.Config) -> str | None:
    if not in_play(config):
        return None
    cfg = harness_config(config)
    return (
        f"stripe-compat: backend={cfg.backend.value} stripe=={stripe_version()} "
        f"api_version={cfg.api_version} record_mode={cfg.record_mode.value} adapter={cfg.adapter}"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markers = ("stripe_backends", "stripe_api_versions")
    if not any(item.get_closest_marker(m) for item in items for m in markers):
        return
    cfg = harness_config(config)
    for item in items:
        backends = item.get_closest_marker("stripe_backends")
        if backends and cfg.backend.value not in backends.args:
            reason = backends.kwargs.get("reason", "not supported by this backend")
            item.add_marker(pytest.mark.skip(reason=f"{cfg.backend.value}: {reason}"))
        versions = item.get_closest_marker("stripe_api_versions")
        if versions:
            low, high = versions.kwargs.get("min"), versions.kwargs.get("max")
            if (low and cfg.api_version < low) or (high and cfg.api_version > high):
                item.add_marker(pytest.mark.skip(reason=f"not applicable to API version {cfg.api_version}"))


def pytest_collection_finish(session: pytest.Session) -> None:
    """A wrong adapter path is one usage error before any scenario runs, not one error each.

    Checked after collection rather than at start-up because an adapter may live beside
    the tests, importable only once pytest has put their folder on sys.path.
    """
    if not any("stripe_billing" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    try:
        harness_config(session.config).adapter_factory()
    except HarnessError as exc:
        pytest.exit(f"stripe-compat: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)


def _skip_if_not_applicable(item: pytest.Item) -> None:
    """Skip, as ``not applicable: <capability>``, a scenario needing what the integration lacks."""
    needs = item.get_closest_marker("stripe_needs")
    if needs is None:
        return
    cfg = harness_config(item.config)
    try:
        absent = declared_lacks(cfg.adapter_factory())
    except HarnessError as exc:
        pytest.exit(f"stripe-compat: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    if missing := [name for name in needs.args if name in absent]:
        pytest.skip(f"not applicable: {missing[0]}")


@dataclass
class Chain:
    """One scenario's backend stack, top (what stripe-python calls) to bottom (the source).

    integration -> RequestLog -> PinnedVersionCheck -> FaultInjector -> ContractCheck -> [Recorder] -> source
    admin       ----------------------------------------------------> ContractCheck -> [Recorder] -> source
    """

    source: Backend
    checked: ContractCheck
    faults: FaultInjector
    pinned: PinnedVersionCheck
    log: RequestLog
    recorder: Recorder | None
    replay: ReplayBackend | None
    state: AccountState
    rejections: Rejections | None = None
    warnings: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """What must fail the scenario even if the integration swallowed it, a broken rule first."""
        found = [str(b) for b in self.pinned.broken]
        found += [str(m) for m in (self.replay.misses if self.replay else [])]
        found += self.rejections.found if self.rejections else []
        found += [f"contract violation: {v}" for v in self.checked.blockers]
        return found


@pytest.fixture(scope="session")
def stripe_compat_config(request: pytest.FixtureRequest) -> HarnessConfig:
    """The resolved harness configuration for this run."""
    return harness_config(request.config)


@pytest.fixture(scope="session")
def _stripe_server(request: pytest.FixtureRequest, stripe_compat_config: HarnessConfig) -> Iterator[Backend | None]:
    """The session's server backend (localstripe, stripe-mock, live); None when replaying."""
    if stripe_compat_config.record_mode is not RecordMode.NONE:
        remove_stale_temp_files(stripe_compat_config.cassettes)  # left by a recording killed mid-write
    with stop_with_parent() as lifeline:
        request.config.stash[_LIFELINE_KEY] = lifeline
        try:
            server = open_server(stripe_compat_config)
        except HarnessError as exc:
            pytest.exit(f"stripe-compat: {exc}", returncode=2)
        yield server
        if server is not None:
            server.close()


@pytest.fixture(scope="session")
def _stripe_scrubbers(request: pytest.FixtureRequest) -> Iterator[None]:
    """A team's ``pytest_stripe_compat_scrubbers`` hook rules, active while the scenarios run, removed after."""
    found = request.config.hook.pytest_stripe_compat_scrubbers(config=request.config)
    scrub.TEAM_RULES[:] = [rule for rules in found for rule in rules]
    yield
    scrub.TEAM_RULES.clear()


@pytest.fixture
def _stripe_chain(
    request: pytest.FixtureRequest,
    stripe_compat_config: HarnessConfig,
    _stripe_server: Backend | None,
    _stripe_scrubbers: None,
) -> Iterator[Chain]:
    cfg = stripe_compat_config
    path = cassette_path(cfg.cassettes, cfg.api_version, request.node.path, request.node.name)
    try:
        source, replay, recorder = source_for(cfg, path, _stripe_server, cfg.rerecord_hint(request.node.name))
    except CassetteError as exc:  # a cassette of another API version: the scenario's failure, said once
        pytest.fail(str(exc), pytrace=False)
    below: Backend = recorder or source
    rejections = None
    if cfg.backend is BackendKind.STRIPE_MOCK:
        below = rejections = Rejections(below)
    state = AccountState(cfg.backend.value, stateful=getattr(_stripe_server, "stateful", True))
    checked = ContractCheck(below, api_version=cfg.api_version, contracts_dir=cfg.contracts)
    faults = FaultInjector(checked)
    for marker in request.node.iter_markers("stripe_fault"):
        faults.add(*marker.args, **marker.kwargs)
    pinned = PinnedVersionCheck(faults, api_version=cfg.api_version)
    chain = Chain(source, checked, faults, pinned, RequestLog(pinned), recorder, replay, state, rejections)
    request.node.stash[_CHAIN_KEY] = chain
    yield chain
    if cfg.record_mode is not RecordMode.NONE:
        reports = request.node.stash.get(_PHASES_KEY, {})
        failed = next((r for r in reports.values() if r.failed), None)
        recorded = finish(
            recorder, path, request.node.nodeid, outcome=outcome_of(reports),
            reason=reason_of(failed).splitlines()[0] if failed is not None else "", api_key=api_key_for(cfg),
            orphaned=request.config.stash[_LIFELINE_KEY].gone,
        )
        attach(request.node, recorded)


@pytest.fixture
def stripe_stateful(_stripe_chain: Chain) -> AccountState:
    """``with stripe_stateful("what the account holds"): assert ...``: relaxed (and reported) on stripe-mock."""
    return _stripe_chain.state


@pytest.fixture
def stripe_requests(_stripe_chain: Chain) -> RequestLog:
    """Every request the integration sent to Stripe in this scenario, with its outcome."""
    return _stripe_chain.log


@pytest.fixture
def stripe_faults(_stripe_chain: Chain) -> FaultInjector:
    """Inject Stripe failures into the integration's traffic: ``stripe_faults.add("timeout", ...)``."""
    return _stripe_chain.faults


@pytest.fixture
def stripe_settings(_stripe_chain: Chain, stripe_compat_config: HarnessConfig) -> Iterator[StripeSettings]:
    """The Stripe settings the integration under test is built with; globals routed and restored."""
    with routed_to(_stripe_chain.log) as client:
        yield StripeSettings(
            api_key=api_key_for(stripe_compat_config),
            api_version=stripe_compat_config.api_version,
            api_base=_stripe_chain.log.api_base,
            http_client=client,
            webhook_secret=WEBHOOK_SECRET,
        )


@pytest.fixture
def stripe_billing(
    stripe_settings: StripeSettings, stripe_compat_config: HarnessConfig, tmp_path: Path
) -> Iterator[BillingAdapter]:
    """The integration under test, fresh for this scenario, behind the adapter interface."""
    try:
        factory = stripe_compat_config.adapter_factory()
    except HarnessError as exc:
        pytest.exit(f"stripe-compat: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    adapter = make_adapter(factory, stripe_settings, tmp_path)
    yield adapter
    adapter.close()


class StripeAdmin:
    """The scenario's own access to the Stripe account, outside the integration's traffic.

    Used to arrange (delete a customer behind the integration's back) and to check the
    account's real state (how many customers a user has). Its requests are recorded and
    contract-checked, but neither faulted nor counted as the integration's.
    """

    def __init__(self, chain: Chain, settings: StripeSettings) -> None:
        self._client = HarnessHTTPClient(chain.checked)
        self._settings = settings

    def _options(self) -> dict[str, str]:
        return {"api_key": self._settings.api_key, "stripe_version": self._settings.api_version}

    def _swap(self) -> Any:
        import stripe

        previous, stripe.default_http_client = stripe.default_http_client, self._client
        return previous

    def customers_for(self, email: str) -> list[dict[str, Any]]:
        """Live customers with this e-mail address, as plain dicts (id, metadata)."""
        import stripe

        previous = self._swap()
        try:
            found = stripe.Customer.list(email=email, limit=100, **self._options())
            # str() is the object's JSON in every release; to_dict() changed meaning in 15.0.
            return [json.loads(str(c)) for c in found["data"]]
        finally:
            stripe.default_http_client = previous

    def delete_customer(self, customer_id: str) -> dict[str, Any]:
        """Delete a customer as someone in the dashboard would; returns it as it was before."""
        import stripe

        previous = self._swap()
        try:
            before = stripe.Customer.retrieve(customer_id, **self._options())
            stripe.Customer.delete(customer_id, **self._options())
            return json.loads(str(before))
        finally:
            stripe.default_http_client = previous


    def give_discount(self, customer_id: str, coupon_id: str, percent_off: int) -> None:
        """Create a coupon and apply it to the customer, as someone in the dashboard would.

        Sent at 2024-06-20: from basil on, the Customer endpoints take no ``coupon``; the
        discount then reads back in the shape of whatever version asks.
        """
        import stripe

        previous = self._swap()
        options = {**self._options(), "stripe_version": DISCOUNT_VERSION}
        try:
            stripe.Coupon.create(id=coupon_id, percent_off=percent_off, duration="forever", **options)
            stripe.Customer.modify(customer_id, coupon=coupon_id, **options)
        finally:
            stripe.default_http_client = previous


#: The API version StripeAdmin applies a customer discount at (the last before basil removed ``coupon``).
DISCOUNT_VERSION = "2024-06-20"


@pytest.fixture
def stripe_admin(_stripe_chain: Chain, stripe_settings: StripeSettings) -> StripeAdmin:
    """Direct access to the backend's Stripe account for arranging and checking scenarios."""
    return StripeAdmin(_stripe_chain, stripe_settings)


def _relaxed_by_marker(item: pytest.Item, chain: Chain | None, exc: BaseException) -> bool:
    """Relax ``exc`` when a ``stripe_stateful`` scenario meets a stateless backend; True when it did."""
    marker = item.get_closest_marker("stripe_stateful")
    if chain is None or marker is None or chain.state.stateful or not relaxable_flow(exc):
        return False
    chain.state.relax(marker.kwargs.get("reason") or "the scenario's account state", exc)
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    """Skip what does not apply; end a ``stripe_stateful`` scenario whose fixtures need the account's state.

    On stripe-mock such a scenario is skipped, not passed: its own body never ran. The
    requests its fixtures made were validated all the same, and a rejection among them fails it.
    """
    _skip_if_not_applicable(item)
    try:
        return (yield)
    except BaseException as exc:
        chain = item.stash.get(_CHAIN_KEY, None)
        if chain is not None and (problems := chain.problems()):
            raise pytest.fail.Exception("\n".join(problems), pytrace=False) from None
        if not _relaxed_by_marker(item, chain, exc):
            raise
        assert chain is not None  # _relaxed_by_marker said so
        item.user_properties.extend((RELAXED, text) for text in chain.state.relaxed)
        raise pytest.skip.Exception(f"{chain.state.backend}: {chain.state.relaxed[-1]}") from None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail on cassette misses and contract violations, even ones the integration swallowed.

    When the scenario also raised, the violations come first: a response missing a
    field usually *is* the cause of the KeyError that follows. The scenario's body is
    where the parent's death interrupts the run (see harness.lifeline).
    """
    lifeline = item.config.stash.get(_LIFELINE_KEY, None)
    try:
        with lifeline.interruptible() if lifeline is not None else contextlib.nullcontext():
            result = yield
    except ParentExited as gone:  # one line, not the traceback of whatever Stripe call it cut short
        raise pytest.exit.Exception(f"stripe-compat: {gone}", returncode=pytest.ExitCode.INTERRUPTED) from None
    except BaseException as exc:
        chain = item.stash.get(_CHAIN_KEY, None)
        problems = chain.problems() if chain is not None else []
        if not problems and _relaxed_by_marker(item, chain, exc):
            return _report_relaxed(item, chain)
        text = failure_text(exc)
        if text is not None and item.config.getoption("showlocals"):
            raise  # --showlocals asks for pytest's own traceback, frames and locals
        if isinstance(exc, RuleBroken):  # the rule first; a cassette miss it caused is a consequence
            lines = [text, *(f"and so: {p}" for p in problems)]
        elif problems and not isinstance(exc, (CassetteError, pytest.fail.Exception)):
            lines = [*problems, f"and then: {(text or repr(exc)).splitlines()[0]}"]
        elif text is not None:  # the integration's own exception, under its step
            lines = [text]
        else:
            raise
        # `from None`: the sentence is the whole story; pytest would print the chain above it.
        raise pytest.fail.Exception("\n".join(lines), pytrace=False) from None
    return _report_relaxed(item, item.stash.get(_CHAIN_KEY, None), result)


def _report_relaxed(item: pytest.Item, chain: Chain | None, result: Any = None) -> Any:
    """Put what was relaxed on the report, then fail on what no scenario may swallow."""
    if chain is not None:
        item.user_properties.extend((RELAXED, text) for text in chain.state.relaxed)
        if problems := chain.problems():
            pytest.fail("\n".join(problems), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    shown_whole = item.config.getoption("showlocals")
    if call.when == "setup" and call.excinfo and not shown_whole and (text := failure_text(call.excinfo.value)):
        report.longrepr = text  # a story fixture's broken rule or integration exception, said like a scenario's
    mask_report(report)  # before the terminal, --junitxml or the results file render it
    item.stash.setdefault(_PHASES_KEY, {})[report.when] = report
    return report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say which assertions were relaxed, so a green stripe-mock run is never read as more than it is."""
    reports = [r for kind in ("passed", "failed", "skipped") for r in terminalreporter.getreports(kind)]
    lines = list(dict.fromkeys(f"{r.nodeid}: {text}" for r in reports for text in relaxed(r)))
    if lines:
        terminalreporter.section("stripe-compat: account-state assertions relaxed")
        for line in lines:
            terminalreporter.write_line(line)

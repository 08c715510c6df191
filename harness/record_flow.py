"""The recording flow: where a scenario's traffic comes from, what is written, and the summary.

With ``--stripe-record-mode`` (vcrpy's modes) and a server backend, each scenario
either replays its cassette or records one (:func:`source_for`). At teardown
:func:`finish` writes a cassette for every scenario that reached Stripe, passed or
failed, with the outcome and the failure's first line in its metadata, as vcrpy does:
replaying it shows the same failure, and a team sees what its integration did rather
than an empty folder. What is refused is said: a server answering at another API
version, a live-mode key, events that cannot be read. :class:`RecordingSummary` prints
the tally at the end of the run, from each scenario's teardown report, so it also
works when pytest-xdist runs the scenarios in workers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest

from .backends.base import Backend
from .backends.recorder import LiveModeRefused, Recorder
from .backends.replay import NewEpisodes, ReplayBackend
from .config import HarnessConfig, RecordMode
from .errors import BackendError
from .stripe_http import stripe_version

PROPERTY = "stripe_compat_recording"


@dataclass(frozen=True)
class Recorded:
    """What became of one scenario's recording."""

    scenario: str
    status: str  # written | unchanged | not written
    why: str
    outcome: str
    reason: str


def source_for(
    cfg: HarnessConfig, path: Path, server: Backend | None, rerecord_hint: str
) -> tuple[Backend, ReplayBackend | None, Recorder | None]:
    """The scenario's source, its replay (when it replays) and its recorder (when it records)."""
    exists = path.exists()
    if server is None or (cfg.record_mode is RecordMode.ONCE and exists):
        replay = ReplayBackend(path, api_version=cfg.api_version, rerecord_hint=rerecord_hint)
        return replay, replay, None
    server.reset()
    if cfg.record_mode is RecordMode.NONE:
        return server, None, None
    source: Backend = server
    if cfg.record_mode is RecordMode.NEW_EPISODES and exists:
        source = NewEpisodes(ReplayBackend(path, api_version=cfg.api_version, rerecord_hint=rerecord_hint), server)
    return source, None, Recorder(source, api_version=cfg.api_version, stripe_python=stripe_version())


def finish(
    recorder: Recorder | None,
    path: Path,
    scenario: str,
    *,
    outcome: str,
    reason: str,
    api_key: str,
    orphaned: bool = False,
) -> Recorded:
    """Write the scenario's cassette if it reached Stripe and the recording is sound; say what happened.

    ``recorder`` is None when mode ``once`` replayed an existing cassette instead;
    ``orphaned`` when the process that started the run has exited (see harness.lifeline).
    """

    def result(status: str, why: str) -> Recorded:
        return Recorded(scenario, status, why, outcome, reason)

    if recorder is None:
        return result("unchanged", f"{path} (mode once: replayed, not re-recorded)")
    if orphaned:
        recorder.discard()
        return result("not written", "the process that started the run exited")
    if not recorder.interactions:
        recorder.discard()
        return result("not written", "made no Stripe request")
    if recorder.void is not None:
        recorder.discard()
        return result("not written", str(recorder.void))
    if other := recorder.other_answered_versions():
        recorder.discard()
        return result("not written", f"the server answered at {', '.join(sorted(other))}, not the requested "
                      f"{recorder.api_version}; its answers would be filed under the wrong version")
    try:
        events = recorder.account_events(api_key)
        written = recorder.commit(path, scenario, events=events, outcome=outcome, reason=reason)
    except (BackendError, LiveModeRefused) as exc:
        recorder.discard()
        return result("not written", str(exc))
    return result("written" if written else "unchanged", str(path))


def outcome_of(reports: dict[str, pytest.TestReport]) -> str:
    """``passed``/``failed``/``skipped`` for the scenario, counting a failed setup (a story fixture) as failed."""
    setup, call = reports.get("setup"), reports.get("call")
    if call is not None:
        return call.outcome
    return "failed" if setup is not None and setup.failed else "skipped"


def attach(item: pytest.Item, recorded: Recorded) -> None:
    """Carry the result in the teardown report (user_properties travel from xdist workers)."""
    item.user_properties.append((PROPERTY, asdict(recorded)))


class RecordingSummary:
    """Collects each scenario's :class:`Recorded` and prints the tally after the run."""

    def __init__(self, cfg: HarnessConfig) -> None:
        self.cfg = cfg
        self.results: list[Recorded] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "teardown":
            self.results += [Recorded(**value) for name, value in report.user_properties if name == PROPERTY]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        write = terminalreporter.write_line
        for line in summary_lines(self.results, self.cfg):
            write(line)


def summary_lines(results: list[Recorded], cfg: HarnessConfig) -> list[str]:
    """The recording's tally, then every cassette not written and every failed scenario, with why."""
    count = {s: sum(r.status == s for r in results) for s in ("written", "unchanged", "not written")}
    lines = [
        f"stripe-compat recording ({cfg.backend.value}, API {cfg.api_version}, mode {cfg.record_mode.value}, "
        f"into {cfg.cassettes}): {count['written']} cassettes written, {count['unchanged']} unchanged, "
        f"{count['not written']} not written"
    ]
    silent = [r for r in results if r.why == "made no Stripe request"]
    if silent:
        lines.append(f"  not written, made no Stripe request (nothing to replay): {len(silent)} scenarios")
    lines += [f"  not written: {r.scenario}: {r.why}" for r in results if r.status == "not written" and r not in silent]
    failed = [r for r in results if r.outcome == "failed"]
    if failed:
        lines.append(f"  {len(failed)} scenarios failed while recording (their cassettes replay the same failure):")
        lines += [f"    {r.scenario}: {r.reason}" for r in failed]
    return lines

"""Cassette replay: answers from a vcrpy cassette and never touches the network.

vcrpy's :class:`~vcr.cassette.Cassette` does the matching and the play counting (each
recorded response is played once, in order, so a stateful flow replays faithfully).
The harness adds what a user needs when replay fails: which request had no recording,
the nearest recorded one and why it differs, and the command that re-records it.
"""

from __future__ import annotations

from pathlib import Path

from vcr.cassette import Cassette
from vcr.matchers import requests_match
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest

from ..cassettes.matching import MATCH_ON
from ..cassettes.scrub import as_recorded, scrub_request
from ..cassettes.store import CassetteFile, from_vcr_response
from ..errors import CassetteError, CassetteMiss
from .base import Backend, Request, Response


class ReplayBackend(Backend):
    """Plays one scenario's cassette; every miss is kept so a swallowed one still fails the test."""

    name = "replay"

    def __init__(self, path: Path, *, api_version: str, rerecord_hint: str) -> None:
        self.path = path
        self.api_version = api_version
        self.rerecord_hint = rerecord_hint
        self.misses: list[CassetteError] = []
        self._cassette = Cassette(str(path), record_mode=RecordMode.NONE, match_on=MATCH_ON)
        self.metadata = None
        self._routes: dict[tuple[str, str], list[int]] = {}
        self._has_file = path.exists()
        if not self._has_file:
            return  # fine for a scenario that never reaches Stripe; the first request says so
        recorded = CassetteFile.read(path)
        recorded.check_api_version(path, api_version, rerecord_hint)
        self.metadata = recorded.metadata
        for vcr_request, stored in recorded.interactions:
            self._cassette.append(vcr_request, stored)
        for index, (stored_request, _) in enumerate(self._cassette.data):
            self._routes.setdefault((stored_request.method, stored_request.path), []).append(index)

    def handle_request(self, request: Request) -> Response:
        if not self._has_file:
            msg = (
                f"{request.describe()} reached Stripe, but there is no cassette at {self.path} "
                f"for API version {self.api_version}. Record it: {self.rerecord_hint}"
            )
            self.misses.append(CassetteError(msg))
            raise self.misses[-1]
        found = self.play(request)
        if found is not None:
            return found
        miss = CassetteMiss(str(self.path), request.describe(), self._nearest(scrub_request(request)),
                            self.rerecord_hint)
        self.misses.append(miss)
        raise miss

    def play(self, request: Request) -> Response | None:
        """The first unplayed recording matching ``request`` (now played), or None.

        Recordings are scrubbed, and scrubbing is idempotent, so a request that matches one
        as sent is already its own scrubbed form: only a request that does not is scrubbed
        and matched again. Most carry nothing to scrub, and the scan cost up to 140 us each.
        """
        if not self._has_file:
            return None
        found = self._play(as_recorded(request))
        return found if found is not None else self._play(scrub_request(request))

    def _play(self, vcr_request: VcrRequest) -> Response | None:
        # vcrpy's play_response tries every recorded request with every matcher; a
        # webhook or fault cassette holds hundreds, so look only at the same route.
        counts = self._cassette.play_counts
        for index in self._routes.get((vcr_request.method, vcr_request.path), ()):
            stored_request, stored = self._cassette.data[index]
            if counts[index] == 0 and requests_match(vcr_request, stored_request, MATCH_ON):
                counts[index] += 1
                return from_vcr_response(stored)
        return None

    def _nearest(self, vcr_request: object) -> str:
        candidates = self._cassette.find_requests_with_most_matches(vcr_request)
        if not candidates:
            return "none (the cassette has no request with the same method or path)"
        stored, _, fails = candidates[0]
        played = " (already played)" if not fails else ""
        why = "; ".join(f"{name}: {detail}" for name, detail in fails)
        described = Request(stored.method, stored.uri, {}, stored.body or b"").describe()
        return f"{described}{played}" + (f" -- {why}" if why else "")

    @property
    def unplayed(self) -> int:
        """How many recorded interactions the scenario has not asked for (yet)."""
        return len(self._cassette) - len(self._cassette.play_counts)

    def reset(self) -> None:
        self._cassette.rewind()


class NewEpisodes(Backend):
    """vcrpy's ``new_episodes``: play what the cassette holds, send what it lacks to the server."""

    def __init__(self, replay: ReplayBackend, server: Backend) -> None:
        self.replay, self.server = replay, server

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.server.name

    @property
    def api_base(self) -> str:  # type: ignore[override]
        return self.server.api_base

    def handle_request(self, request: Request) -> Response:
        found = self.replay.play(request)
        return found if found is not None else self.server.handle_request(request)

    def reset(self) -> None:
        self.replay.reset()

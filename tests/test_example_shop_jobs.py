"""The shop's retry queue: a job that raises anything fails alone, is retried, then dead with its error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SHOP = Path(__file__).resolve().parents[1] / "examples" / "shop"


class Clock:
    now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_raising_job_neither_stops_the_run_nor_the_jobs_behind_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(SHOP))
    from shop.jobs import LONGEST_DELAY, MAX_ATTEMPTS, RetryQueue
    from shop.store import DocumentStore

    store = DocumentStore(tmp_path / "shop.sqlite3")
    clock = Clock()
    queue = RetryQueue(store, clock)
    done: list[dict[str, Any]] = []

    def user_gone(args: dict[str, Any]) -> None:
        raise KeyError(f"user {args['user']}")

    handlers = {"repair": user_gone, "cleanup": done.append}
    queue.schedule("repair", {"user": "u9"}, key="repair:u9")
    queue.schedule("cleanup", {"invoice": "in_1"}, key="cleanup:in_1")

    assert queue.run(handlers) == 2
    assert done == [{"invoice": "in_1"}]
    for _ in range(MAX_ATTEMPTS - 1):
        clock.now += LONGEST_DELAY
        assert queue.run(handlers) == 1
    assert queue.states() == {"dead": 1, "done": 1}
    assert store.get("jobs", "repair:u9")["error"] == "KeyError: 'user u9'"
    store.close()

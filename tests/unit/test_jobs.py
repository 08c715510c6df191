from pathlib import Path

from harness.reference.db import connect
from harness.reference.jobs import LEASE_SECONDS, JobQueue


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _queue(tmp_path: Path) -> tuple[JobQueue, Clock]:
    clock = Clock()
    return JobQueue(connect(tmp_path / "db.sqlite3"), clock), clock


def test_dedupe_key_keeps_one_live_job(tmp_path: Path) -> None:
    queue, _ = _queue(tmp_path)
    queue.enqueue("ensure_customer", {"user_id": 1}, dedupe_key="ensure_customer:1")
    queue.enqueue("ensure_customer", {"user_id": 1}, dedupe_key="ensure_customer:1")
    assert queue.counts() == {"queued": 1}


def test_failures_back_off_exponentially_then_die(tmp_path: Path) -> None:
    queue, clock = _queue(tmp_path)
    queue.enqueue("x", {})
    delays = []
    while (job := queue.claim()) is not None:
        queue.fail(job, "boom")
        row = queue.conn.execute("SELECT run_after, status FROM jobs").fetchone()
        delays.append(row["run_after"] - clock.now)
        clock.now = row["run_after"]
    assert delays[:4] == [2.0, 4.0, 8.0, 16.0]
    assert queue.counts() == {"dead": 1}


def test_a_job_whose_worker_died_is_claimed_again_after_its_lease(tmp_path: Path) -> None:
    queue, clock = _queue(tmp_path)
    queue.enqueue("x", {"n": 1})
    first = queue.claim()
    assert first is not None
    assert queue.claim() is None  # leased
    clock.now += LEASE_SECONDS + 1
    again = queue.claim()
    assert again is not None
    assert again.id == first.id
    assert again.attempts == 2
    queue.complete(again)
    assert queue.counts() == {"done": 1}

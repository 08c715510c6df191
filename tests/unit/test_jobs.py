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


def test_an_outage_never_kills_a_job_but_a_broken_job_dies(tmp_path: Path) -> None:
    queue, _ = _queue(tmp_path)
    queue.enqueue("outage", {}, dedupe_key="outage")
    queue.enqueue("broken", {}, dedupe_key="broken")
    for _ in range(20):
        tried: set[int] = set()
        while (job := queue.claim(ignore_backoff=True, skip=frozenset(tried))) is not None:
            tried.add(job.id)
            queue.fail(job, "boom", transient=job.kind == "outage")
    assert queue.counts() == {"queued": 1, "dead": 1}
    queue.enqueue("broken", {}, dedupe_key="broken")  # a new need revives the dead letter
    assert queue.counts() == {"queued": 2}


def test_a_parked_safety_net_job_is_expedited_or_cancelled(tmp_path: Path) -> None:
    queue, _ = _queue(tmp_path)
    queue.enqueue("discard", {"n": 1}, dedupe_key="a", delay=600)
    queue.enqueue("discard", {"n": 2}, dedupe_key="b", delay=600)
    assert queue.claim() is None  # parked, not due
    queue.expedite("a")
    queue.cancel("b")
    job = queue.claim()
    assert job is not None
    assert job.payload == {"n": 1}
    assert queue.counts() == {"running": 1, "cancelled": 1}

from pathlib import Path

from harness.reference.db import connect
from harness.reference.jobs import LEASE_EXPIRED, LEASE_SECONDS, DeadLetter, JobQueue, QueueState


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


def _expire_lease_of_next_claim(queue: JobQueue, clock: Clock) -> int | None:
    """Claim the next job and let its worker die: the lease runs out without a complete or fail."""
    job = queue.claim()
    clock.now += LEASE_SECONDS + 1
    return None if job is None else job.id


def test_a_job_that_kills_its_worker_every_time_dies_after_max_attempts(tmp_path: Path) -> None:
    queue, clock = _queue(tmp_path)
    queue.enqueue("kills_the_worker", {})
    lost_runs = 0
    while _expire_lease_of_next_claim(queue, clock) is not None:
        lost_runs += 1
        assert lost_runs <= 8, "a job whose worker never comes back is claimed forever"
    assert lost_runs == 8  # max_attempts
    assert queue.counts() == {"dead": 1}
    assert queue.state().dead == [DeadLetter(1, "kills_the_worker", 8, LEASE_EXPIRED)]


def test_a_reclaimed_job_goes_behind_the_jobs_already_waiting(tmp_path: Path) -> None:
    queue, clock = _queue(tmp_path)
    for n in range(3):
        queue.enqueue("x", {"n": n})
    assert _expire_lease_of_next_claim(queue, clock) == 1

    order = []
    while (job := queue.claim()) is not None:
        order.append((job.id, job.attempts))
        queue.complete(job)
    assert order == [(2, 1), (3, 1), (1, 2)]  # the lost run counted, and the others not held up
    assert queue.counts() == {"done": 3}


def test_transient_failures_do_not_use_up_a_jobs_attempts(tmp_path: Path) -> None:
    queue, clock = _queue(tmp_path)
    queue.enqueue("repair", {})
    for _ in range(20):  # a long outage
        job = queue.claim(ignore_backoff=True)
        assert job is not None
        queue.fail(job, "network: down", transient=True)
    job = queue.claim(ignore_backoff=True)
    assert job is not None
    queue.fail(job, "KeyError: 'user'")  # the job's own first failure
    assert queue.counts() == {"queued": 1}
    row = queue.conn.execute("SELECT attempts, failures, run_after FROM jobs").fetchone()
    assert (row["attempts"], row["failures"]) == (21, 1)
    assert row["run_after"] - clock.now == 3600.0  # the backoff still grew through the outage


def test_queue_state_shows_the_oldest_wait_expired_leases_and_dead_letters(tmp_path: Path) -> None:
    queue, clock = _queue(tmp_path)
    assert queue.state() == QueueState({}, None, 0, [])
    queue.enqueue("waits", {})
    queue.enqueue("parked", {}, delay=600)
    queue.enqueue("leased", {})
    queue.enqueue("broken", {})
    queue.conn.execute("UPDATE jobs SET max_attempts = 1 WHERE kind = 'broken'")
    clock.now += 10
    for _ in range(3):
        job = queue.claim()
        assert job is not None
        if job.kind == "broken":
            queue.fail(job, "TypeError: 'NoneType' object is not subscriptable")
        elif job.kind == "waits":
            queue.fail(job, "declined")  # back off 2 s: no longer due
    clock.now += LEASE_SECONDS + 5

    state = queue.state()
    assert state.counts == {"queued": 2, "running": 1, "dead": 1}
    assert state.oldest_due_seconds == LEASE_SECONDS + 5 - 2  # "waits", due again 2 s after its failure
    assert state.expired_leases == 1  # "leased": its worker died
    assert state.dead == [DeadLetter(4, "broken", 1, "TypeError: 'NoneType' object is not subscriptable")]

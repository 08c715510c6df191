import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.backends.base import ConnectFailed, HandlerBackend, ReadTimeout, Request, Response
from harness.backends.faults import Fault, FaultInjector


def _backend() -> tuple[FaultInjector, list[Request]]:
    reached: list[Request] = []

    def ok(request: Request) -> Response:
        reached.append(request)
        return Response.from_json(200, {"id": "cus_1", "object": "customer"})

    return FaultInjector(HandlerBackend(ok)), reached


def test_rules_select_by_method_path_and_nth_call() -> None:
    injector, reached = _backend()
    injector.add(Fault.SERVER_ERROR, method="POST", path="/v1/customers", nth=2)
    statuses = [injector.handle_request(Request("POST", "https://x/v1/customers")).status for _ in range(3)]
    assert statuses == [200, 500, 200]
    assert injector.handle_request(Request("GET", "https://x/v1/customers")).status == 200
    assert len(reached) == 3


def test_connection_faults_raise_and_never_reach_the_backend() -> None:
    injector, reached = _backend()
    injector.add("connect_refused", times=1)
    with pytest.raises(ConnectFailed):
        injector.handle_request(Request("GET", "https://x/v1/customers/cus_1"))
    assert injector.handle_request(Request("GET", "https://x/v1/customers/cus_1")).status == 200
    assert len(reached) == 1


def test_succeed_then_timeout_reaches_the_backend_but_hides_the_answer() -> None:
    injector, reached = _backend()
    injector.add("succeed_then_timeout")
    with pytest.raises(ReadTimeout):
        injector.handle_request(Request("POST", "https://x/v1/customers"))
    assert len(reached) == 1


def test_probability_is_seeded_and_clear_restores_health() -> None:
    first, _ = _backend()
    second, _ = _backend()
    for injector in (first, second):
        injector.add("unavailable", probability=0.5)
    pattern = [first.handle_request(Request("GET", "https://x/v1/x")).status for _ in range(20)]
    assert pattern == [second.handle_request(Request("GET", "https://x/v1/x")).status for _ in range(20)]
    assert {200, 503} == set(pattern)
    first.clear()
    assert first.handle_request(Request("GET", "https://x/v1/x")).status == 200
    with pytest.raises(ValueError, match="not_a_fault"):
        first.add("not_a_fault")


@pytest.mark.parametrize(
    ("selectors", "named"),
    [
        ({"nth": 0}, "nth=0"),
        ({"times": -1}, "times=-1"),
        ({"probability": 1.5}, "probability=1.5"),
        ({"path": "/v1/(customers"}, "not a regex"),
        ({"method": "PATCH"}, "method='PATCH'"),
        ({"delay": -1}, "delay=-1"),
        ({"pth": "/v1/customers"}, "unknown selector(s) pth"),
    ],
)
def test_bad_rules_are_refused_when_made_naming_the_problem(selectors: dict[str, object], named: str) -> None:
    injector, _ = _backend()
    with pytest.raises(ValueError, match=re.escape(named)):
        injector.add("timeout", **selectors)
    assert injector.rules == []


def test_concurrent_requests_fire_a_limited_rule_exactly_its_times() -> None:
    injector, reached = _backend()
    rule = injector.add("server_error", times=25)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(lambda _: injector.handle_request(Request("GET", "https://x/v1/x")), range(200)))
    statuses = [r.status for r in responses]
    assert statuses.count(500) == 25
    assert (rule.seen, rule.fired, len(reached)) == (200, 25, 175)

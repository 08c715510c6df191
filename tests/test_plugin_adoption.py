"""The plugin as an adopting team meets it: its options, markers and failing adapters.

Run with pytester in-process and offline (replay), like tests/test_plugin.py, whose
project layout and no-Stripe scenario this module reuses. Tests marked ``xfail`` state
behaviour the plugin still lacks (issue #8); strict xfail makes them fail once it lands,
so the marker cannot outlive the gap.
"""

from __future__ import annotations

import pytest

from tests.test_plugin import NEEDS_NO_STRIPE, PYPROJECT

pytest_plugins = ["pytester"]

OPTIONS = (
    "--stripe-backend", "--stripe-api-version", "--stripe-record-mode", "--stripe-cassettes",
    "--stripe-adapter", "--stripe-strict-provider", "--stripe-results",
)
GROUP_HEADING = "stripe-compat: billing scenarios across Stripe versions:"

MARKED = """
import pytest

@pytest.mark.stripe_backends("localstripe", "live", reason="needs an account that keeps state")
def test_stateful():
    pass

@pytest.mark.stripe_api_versions(min="2023-10-16", max="2024-06-20")
def test_window():
    pass
"""

#: An integration whose card storage fails in a way the adapter did not anticipate.
BROKEN_CARDS = """
from harness.reference.adapter import ReferenceAdapter

class CardVaultDown(RuntimeError):
    pass

class BrokenCards(ReferenceAdapter):
    def add_card(self, user_id, payment_method):
        raise CardVaultDown("the card vault is unreachable")
"""

#: An adapter that cannot even be built (its database is down).
BROKEN_INIT = """
class NoDatabase:
    def __init__(self, settings, workdir):
        raise ConnectionError("cannot open the billing database")
"""

REFERENCE = "harness.reference.adapter:ReferenceAdapter"


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".toml", pyproject=PYPROJECT.format(adapter=REFERENCE))
    pytester.syspathinsert()  # adapters written by the tests import as top-level modules
    return pytester


def test_every_option_is_in_the_stripe_compat_group(project: pytest.Pytester) -> None:
    lines = project.runpytest("--help").stdout.lines
    assert GROUP_HEADING in lines
    after = lines[lines.index(GROUP_HEADING) + 1:]
    # The group ends at the first line that is not an indented option or its help.
    group = "\n".join(after[: next((i for i, line in enumerate(after) if not line.startswith(" ")), len(after))])
    missing = [name for name in OPTIONS if name not in group]
    assert not missing, f"options outside the {GROUP_HEADING!r} group: {missing}"


def test_command_line_adapter_overrides_pyproject_in_the_header(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE, other="from harness.reference.adapter import ReferenceAdapter as Other")
    result = project.runpytest("--stripe-adapter=other:Other")
    result.stdout.fnmatch_lines(["stripe-compat: *adapter=other:Other"])
    result.assert_outcomes(passed=1)


def test_backend_marker_skips_with_the_backend_and_the_reason(project: pytest.Pytester) -> None:
    project.makepyfile(test_marked=MARKED)
    result = project.runpytest("--stripe-api-version=2024-06-20", "-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*test_marked.py*replay: needs an account that keeps state"])


@pytest.mark.parametrize(
    ("api_version", "window_runs"),
    [("2020-08-27", False), ("2023-10-16", True), ("2024-06-20", True), ("2025-03-31.basil", False)],
)
def test_api_version_marker_is_an_inclusive_range(
    project: pytest.Pytester, api_version: str, window_runs: bool
) -> None:
    project.makepyfile(test_marked=MARKED)
    result = project.runpytest(f"--stripe-api-version={api_version}", "-k", "window", "-rs")
    if window_runs:
        result.assert_outcomes(passed=1, deselected=1)
    else:
        result.assert_outcomes(skipped=1, deselected=1)
        result.stdout.fnmatch_lines([f"SKIPPED*not applicable to API version {api_version}"])


def test_unexpected_adapter_exception_fails_the_scenario_naming_it(project: pytest.Pytester) -> None:
    project.makepyfile(broken=BROKEN_CARDS)
    result = project.runpytest(
        "--pyargs", "harness.scenarios.test_lazy_customer", "-k", "first_card",
        "--stripe-adapter=broken:BrokenCards", "--stripe-api-version=2024-06-20",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CardVaultDown: the card vault is unreachable*"])


def test_adapter_constructor_failure_errors_the_scenario_with_the_cause(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE, broken=BROKEN_INIT)
    result = project.runpytest("--stripe-adapter=broken:NoDatabase")
    result.assert_outcomes(errors=1)  # an error in setup, not a failed scenario
    result.stdout.fnmatch_lines(["E *ConnectionError: cannot open the billing database", "ERROR test_a.py*"])


def test_adapter_failure_report_shows_no_stripe_secret(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE, broken=BROKEN_INIT)
    output = project.runpytest("--stripe-adapter=broken:NoDatabase").stdout.str()
    # The offline key stands in for a live test key, which would print the same way.
    assert "sk_test_stripecompat" not in output
    assert "whsec_" not in output


def test_missing_adapter_module_is_a_usage_error_naming_the_setting(project: pytest.Pytester) -> None:
    project.makepyfile(test_a=NEEDS_NO_STRIPE)
    result = project.runpytest("--stripe-adapter=no_such_module:Adapter")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(["*no_such_module:Adapter*No module named 'no_such_module'*--stripe-adapter*"])
    assert "test_signup_only" not in result.stdout.str()  # stopped before any scenario ran

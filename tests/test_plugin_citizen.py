"""stripe-compat installed beside the tools its users already have (issue 17).

An unrelated suite, with its own ``billing`` and ``webhook_endpoint`` fixtures and its own
cassette plugin, must run as if stripe-compat were not installed; the harness's scenarios
must run with that cassette plugin active; every setting comes from the command line, the
environment or the ini file; and a team's ``pytest_stripe_compat_scrubbers`` hook reaches
what a recording keeps and what replay matches.

pytest-recording is in the dev dependency group, so the whole suite runs beside it.
pytest-vcr cannot be installed with it (pytest-recording refuses to start beside
pytest-vcr), so its test builds a virtualenv of its own.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.cassettes.store import cassette_files

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = "test_first_card_creates_one_customer_and_sets_default"

UNRELATED_CONFTEST = '''
import pytest

@pytest.fixture
def billing():
    """The team's own billing fixture: a name stripe-compat must not take."""
    return {"plan": "pro"}

@pytest.fixture
def webhook_endpoint():
    return "/hooks/stripe"
'''
UNRELATED_TESTS = '''
import pytest

def test_their_billing_fixture_is_theirs(billing, webhook_endpoint):
    assert billing == {{"plan": "pro"}}
    assert webhook_endpoint == "/hooks/stripe"

def test_stripe_compat_read_no_configuration(request):
    from harness.plugin import _CONFIG_KEY
    assert request.config.pluginmanager.has_plugin("stripe_compat")  # installed, and silent
    assert _CONFIG_KEY not in request.config.stash

@pytest.mark.{marker}
def test_with_their_cassette_plugin({fixture}):
    assert {fixture} is not None
'''


def _unrelated_suite(folder: Path, marker: str, fixture: str) -> None:
    package = folder / "shop_tests"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "conftest.py").write_text(UNRELATED_CONFTEST)
    (package / "test_shop.py").write_text(UNRELATED_TESTS.format(marker=marker, fixture=fixture))


def _run(python: str, *args: str, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_COMPAT_", "PYTEST_ADDOPTS"))}
    if pythonpath:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([python, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def test_an_unrelated_suite_beside_pytest_recording_is_unaffected(tmp_path: Path) -> None:
    _unrelated_suite(tmp_path, "block_network", "record_mode")  # pytest-recording's marker and fixture
    for args in ([], ["--pyargs", "shop_tests"], ["--record-mode=none"]):
        done = _run(sys.executable, *args, cwd=tmp_path, pythonpath=tmp_path)
        out = done.stdout + done.stderr
        assert done.returncode == 0, out[-3000:]
        assert "3 passed" in out
        assert "recording-" in out  # pytest-recording was active
        assert "stripe-compat:" not in out  # no header, no configuration resolved


def test_the_scenarios_run_with_pytest_recording_active() -> None:
    done = _run(sys.executable, "--pyargs", "harness.scenarios", "-k", SCENARIO, "--stripe-backend=replay",
                "--record-mode=none", "--block-network", cwd=ROOT)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "1 passed" in out
    assert re.search(r"plugins:.*recording-.*stripe-compat-", out)


def test_pytest_vcr_beside_stripe_compat(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "uv", "venv", "-q", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    subprocess.run([sys.executable, "-m", "uv", "pip", "install", "-q", "--python", python, "-e", str(ROOT),
                    "pytest-vcr>=1.0.2", "stripe==16.1.0"], check=True, timeout=300)
    suite = tmp_path / "suite"
    _unrelated_suite(suite, "vcr", "vcr")  # pytest-vcr's marker and fixture

    unrelated = _run(python, cwd=suite, pythonpath=suite)
    assert unrelated.returncode == 0, (unrelated.stdout + unrelated.stderr)[-3000:]
    assert "3 passed" in unrelated.stdout
    assert "vcr-" in unrelated.stdout
    assert "stripe-compat:" not in unrelated.stdout

    scenario = _run(python, "--pyargs", "harness.scenarios", "-k", SCENARIO, "--vcr-record=none", cwd=ROOT)
    assert scenario.returncode == 0, (scenario.stdout + scenario.stderr)[-3000:]
    assert re.search(r"plugins:.*vcr-.*", scenario.stdout)
    assert "1 passed" in scenario.stdout


def test_settings_come_from_the_command_line_then_the_environment_then_the_ini_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent('''
        [tool.stripe-compat.matrix]
        stripe = ["16.1.0"]
        api_versions = ["2024-06-20", "2025-03-31.basil", "2026-10-28.endive"]

        [tool.pytest.ini_options]
        stripe_api_version = "2024-06-20"
        stripe_backend = "replay"
        stripe_strict_provider = true
        filterwarnings = ["error"]
    '''))
    (tmp_path / "test_one.py").write_text("def test_one():\n    pass\n")

    def header(*args: str, **env: str) -> str:
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=tmp_path,
                              env={**{k: v for k, v in os.environ.items() if not k.startswith("STRIPE_COMPAT_")},
                                   **env}, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr  # filterwarnings=error: no unknown-ini warning
        return next(line for line in done.stdout.splitlines() if line.startswith("stripe-compat:"))

    assert "api_version=2024-06-20" in header()
    assert "api_version=2025-03-31.basil" in header(STRIPE_COMPAT_API_VERSION="2025-03-31.basil")
    assert "api_version=2026-10-28.endive" in header("--stripe-api-version=2026-10-28.endive",
                                                     STRIPE_COMPAT_API_VERSION="2025-03-31.basil")

    bad = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=tmp_path,
                         env={**os.environ, "STRIPE_COMPAT_BACKEND": "stripe_mock"}, capture_output=True, text=True,
                         timeout=120, check=False)
    assert bad.returncode == pytest.ExitCode.USAGE_ERROR
    assert "STRIPE_COMPAT_BACKEND='stripe_mock' is not one of: replay, localstripe, stripe-mock, live." in bad.stderr


def test_a_teams_scrubbers_reach_the_cassette_and_replay_matching(tmp_path: Path) -> None:
    (tmp_path / "team_scrub.py").write_text(textwrap.dedent('''
        import re

        def pytest_stripe_compat_scrubbers(config):
            return [lambda text: re.sub(r"\\bada(?=@|%40)", "team-redacted", text)]
    '''))
    cassettes = tmp_path / "cassettes"
    common = ["--pyargs", "harness.scenarios", "-k", SCENARIO, f"--stripe-cassettes={cassettes}",
              "--stripe-api-version=2025-03-31.basil"]

    recorded = _run(sys.executable, *common, "--stripe-backend=localstripe", "--stripe-record-mode=all",
                    "-p", "team_scrub", cwd=ROOT, pythonpath=tmp_path)
    assert recorded.returncode == 0, (recorded.stdout + recorded.stderr)[-3000:]
    assert len(cassette_files(cassettes)) == 1
    # the cassette and the shared bases its bodies are stored against
    text = "".join(p.read_text() for p in cassettes.rglob("*.json"))
    assert "team-redacted@example.com" in text
    assert not re.search(r"\bada(@|%40)", text)

    replayed = _run(sys.executable, *common, "-p", "team_scrub", cwd=ROOT, pythonpath=tmp_path)
    assert replayed.returncode == 0, (replayed.stdout + replayed.stderr)[-3000:]
    without = _run(sys.executable, *common, cwd=ROOT)  # the rule is part of matching: without it, no match
    assert without.returncode == 1
    assert "No recorded response for POST /v1/customers email=ada@example.com" in without.stdout

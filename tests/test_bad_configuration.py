"""Bad configuration is one message naming the file and the fix, exit 4 (file) or 2 (usage), never INTERNALERROR.

Issue 15 item 6: each case here crashed with a traceback (exit 3), was misread, or was
accepted and then failed every scenario.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.config import resolve
from harness.contracts.registry import default_contracts_dir
from harness.errors import ConfigError, ConfigFileError

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
GOOD_MATRIX = 'stripe = ["16.1.0"]\napi_versions = ["2025-03-31.basil"]'
BASIL = '\napi_versions = ["2025-03-31.basil"]'
NEEDS_NO_STRIPE = """
def test_signup_only(stripe_billing):
    stripe_billing.signup("ada@example.com")
"""


def _pyproject(folder: Path, table: str = "", matrix: str = GOOD_MATRIX) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[tool.stripe-compat]\n{table}\n[tool.stripe-compat.matrix]\n{matrix}\n")
    return path


def _resolve(pyproject: Path, **options: object) -> object:
    defaults: dict[str, object] = dict(
        backend=None, api_version=None, record_mode=None, cassettes=None, adapter=None, strict_provider=False
    )
    return resolve(pyproject, **{**defaults, **options})


#: (table lines, matrix lines, what the message must say)
FILE_ERRORS = {
    "empty stripe list": ("", "stripe = []" + BASIL, r"matrix.stripe in .* got \[\] \(list\)"),
    "stripe not exact": ("", "stripe = [16.1]" + BASIL, r"matrix.stripe\[0\] .*got 16.1 \(float\)"),
    "stripe a string": (
        "",
        'stripe = "16.1.0"\napi_versions = ["2025-03-31.basil"]',
        r'matrix.stripe in .*pyproject.toml must be a list of exact releases like "16.1.0"; got \'16.1.0\' \(str\)',
    ),
    "api version an int": (
        "",
        'stripe = ["16.1.0"]\napi_versions = [20250331]',
        r"matrix.api_versions\[0\] .*20250331 \(int\)",
    ),
    "recording_stripe an int": (
        "",
        GOOD_MATRIX + "\nrecording_stripe = 16",
        r"matrix.recording_stripe .*got 16 \(int\)",
    ),
    "adapter an int": ("adapter = 42", GOOD_MATRIX, r"adapter in .*package.module:Class.*got 42 \(int\)"),
    "no api_versions": ("", 'stripe = ["16.1.0"]', r"missing the key 'api_versions'; add `api_versions = "),
    "unknown api version far ahead": (
        "",
        'stripe = ["16.1.0"]\napi_versions = ["2099-01-01"]',
        r"'2099-01-01', an API version with no contracts",
    ),
    "unknown api version one day off": (
        "",
        'stripe = ["16.1.0"]\napi_versions = ["2024-06-21"]',
        r"'2024-06-21'.*nearest: 2024-06-20 or 2024-09-30",
    ),
    "misspelt key": ("adaptor = 'x:Y'", GOOD_MATRIX, r"unknown key\(s\) adaptor; the keys it takes are: adapter"),
    "xdist_workers negative": ("", GOOD_MATRIX + "\nxdist_workers = -1", r"matrix.xdist_workers .*>= 0"),
    "duplicate release": ("", 'stripe = ["16.1.0", "16.1.0"]\napi_versions = ["2024-06-20"]', "more than once"),
    "python a number": ("python = 3.11", GOOD_MATRIX, r'python in .*Python version like "3.11"; got 3.11 \(float'),
    "install a list": ("install = ['../..']", GOOD_MATRIX, r"install in .*a requirement or a path.*\(list\)"),
    "contracts folder missing": ("contracts = 'nowhere'", GOOD_MATRIX, r"names .*nowhere, which holds no provider"),
}


@pytest.mark.parametrize(("table", "matrix", "message"), FILE_ERRORS.values(), ids=FILE_ERRORS.keys())
def test_each_bad_table_entry_names_the_file_and_the_fix(tmp_path: Path, table: str, matrix: str, message: str) -> None:
    pyproject = _pyproject(tmp_path, table, matrix)
    with pytest.raises(ConfigFileError, match=message) as raised:
        _resolve(pyproject)
    assert raised.value.exit_code == 4
    assert str(pyproject) in str(raised.value) or str(pyproject.parent) in str(raised.value)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.stripe-compat\n")
    with pytest.raises(ConfigFileError, match=r"pyproject.toml is not valid TOML"):
        _resolve(tmp_path / "pyproject.toml")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"adapter": ""}, r'--stripe-adapter must name your adapter class as "package.module:Class"; got \'\''),
        ({"adapter": "harness.reference.adapter"}, "package.module:Class"),
        ({"api_version": "2024-06-21"}, r"--stripe-api-version='2024-06-21' is an API version the harness has no"),
        ({"cassettes": ""}, "--stripe-cassettes needs a folder"),
    ],
)
def test_bad_options_are_usage_errors(tmp_path: Path, options: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        _resolve(_pyproject(tmp_path), **options)
    assert raised.value.exit_code == 2


def test_a_deleted_consumer_contract_is_an_error_not_silently_no_checks(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    shutil.copytree(default_contracts_dir(), contracts, ignore=shutil.ignore_patterns("consumer"))
    (contracts / "consumer").mkdir()
    with pytest.raises(ConfigFileError, match=r"no consumer contract in .*consumer.*Restore the file") as raised:
        _resolve(_pyproject(tmp_path, "contracts = 'contracts'"))
    assert raised.value.path == (contracts / "consumer").resolve()


def test_the_project_configuration_itself_is_accepted() -> None:
    cfg = _resolve(ROOT / "pyproject.toml")
    assert cfg.matrix.xdist_workers == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("table", "matrix", "options", "message"),
    [
        ("", 'stripe = []\napi_versions = ["2025-03-31.basil"]', (), "ERROR: matrix.stripe in *got [] (list)."),
        ("", 'stripe = "16.1.0"\napi_versions = ["2025-03-31.basil"]', (), "ERROR: matrix.stripe in *'16.1.0' (str)."),
        ("adapter = 42", GOOD_MATRIX, (), "ERROR: adapter in *got 42 (int)."),
        ("", 'stripe = ["16.1.0"]\napi_versions = ["2099-01-01"]', (), "ERROR: matrix.api_versions[[]0] *2099-01-01*"),
        ("", GOOD_MATRIX, ("--stripe-adapter=",), "ERROR: --stripe-adapter must name your adapter class*got ''."),
    ],
    ids=["empty-stripe", "stripe-string", "adapter-int", "unknown-version", "empty-adapter-option"],
)
def test_pytest_stops_with_one_usage_error_and_no_internal_error(
    pytester: pytest.Pytester, table: str, matrix: str, options: tuple[str, ...], message: str
) -> None:
    _pyproject(pytester.path, table, matrix)
    pytester.makepyfile(test_a=NEEDS_NO_STRIPE)
    result = pytester.runpytest("--stripe-backend=replay", *options)
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert len([line for line in output.splitlines() if line.startswith("ERROR: ")]) == 1
    assert "passed" not in output  # nothing ran


def test_an_adapter_raising_on_import_is_one_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(broken_adapter="raise RuntimeError('settings module not configured')\n")
    _pyproject(pytester.path, "adapter = 'broken_adapter:Adapter'")
    pytester.makepyfile(test_a=NEEDS_NO_STRIPE)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "--stripe-backend=replay")
    output = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in output
    assert "importing broken_adapter raised RuntimeError: settings module not configured" in output
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_ci_github_with_an_empty_matrix_exits_4_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _pyproject(tmp_path, "", 'stripe = []\napi_versions = ["2025-03-31.basil"]')
    monkeypatch.chdir(tmp_path)
    assert main(["ci", "github"]) == 4
    err = capsys.readouterr().err
    assert err.startswith("stripe-compat: error: matrix.stripe in ")
    assert not (tmp_path / ".github").exists()


@pytest.mark.parametrize("rate", ["-1", "nan", "5", "inf", "a fifth"])
def test_chaos_fault_rate_outside_0_to_1_is_a_usage_error(rate: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["chaos", "--fault-rate", rate, "--users", "1"])
    assert exited.value.code == 2
    assert f"--fault-rate: must be a number from 0 to 1 (0.2 fails one request in five), got '{rate}'" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize("users", ["0", "-3", "2.5", "many"])
def test_chaos_users_not_a_count_is_a_usage_error(users: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["chaos", "--users", users])
    assert exited.value.code == 2
    assert f"--users: must be a whole number of at least 1, got '{users}'" in capsys.readouterr().err


def test_nox_list_without_api_versions_is_one_message_exit_4(tmp_path: Path) -> None:
    shutil.copy(ROOT / "noxfile.py", tmp_path)
    shutil.copytree(ROOT / "harness", tmp_path / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "pyproject.toml").write_text('[tool.stripe-compat.matrix]\nstripe = ["16.1.0"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "nox", "-l"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert "is missing the key 'api_versions'; add `api_versions = [" in done.stderr

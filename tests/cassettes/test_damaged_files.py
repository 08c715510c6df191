"""Damaged cassettes and contract files: one error naming the file and the fix, in replay and in every command.

Issue 15 item 7: each of these was a bare KeyError / UnicodeDecodeError / JSONDecodeError
with no path, or (a cassette stripped of its metadata) replayed green at the wrong version.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from harness.backends.replay import ReplayBackend
from harness.cassettes.store import CassetteFile
from harness.cli import main
from harness.contracts.registry import default_contracts_dir
from harness.contracts.validate import compiled
from harness.errors import CassetteError, ConfigFileError, DamagedCassette

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "test_lazy_customer/test_first_card_creates_one_customer_and_sets_default.json"
OLD, BASIL = "2024-06-20", "2025-03-31.basil"


def _copy(tmp_path: Path, version: str = BASIL, into: str | None = None) -> Path:
    """A committed cassette copied to ``<tmp>/cassettes/<into or version>/...``, as a project lays them out.

    With its API version folder's shared bases, which its bodies are stored against.
    """
    target = tmp_path / "cassettes" / (into or version) / SCENARIO
    target.parent.mkdir(parents=True)
    shutil.copy(ROOT / "cassettes" / version / SCENARIO, target)
    shutil.copytree(ROOT / "cassettes" / version / "_shared", target.parent.parent / "_shared")
    return target


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _response(data: dict[str, Any]) -> dict[str, Any]:
    return data["interactions"][1]["response"]


DAMAGE: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "status missing": (lambda d: _response(d).pop("status"), r"interactions\[1\].response.status.code is missing"),
    "status not an integer": (
        lambda d: _response(d)["status"].update(code="OK"),
        r"interactions\[1\].response.status.code is 'OK' \(str\), not an integer HTTP status",
    ),
    "status a bool": (lambda d: _response(d)["status"].update(code=True), "not an integer HTTP status"),
    "metadata a string": (lambda d: d.update(metadata="basil"), r"metadata is 'basil' \(str\), not a mapping"),
    "own metadata a list": (
        lambda d: d["metadata"].update(stripe_compat=["2025-03-31.basil"]),
        r"metadata.stripe_compat is .*\(list\), not a mapping",
    ),
    "metadata field missing": (
        lambda d: d["metadata"]["stripe_compat"].pop("api_version_requested"),
        "metadata.stripe_compat.api_version_requested is missing",
    ),
    "events not a list": (
        lambda d: d["metadata"].update(stripe_compat_events={"id": "evt_1"}),
        "metadata.stripe_compat_events is .* not a list of events",
    ),
    "interaction a string": (lambda d: d["interactions"].insert(0, "oops"), r"interactions\[0\] is 'oops'"),
    "body a number": (lambda d: _response(d).update(body=3), r"interactions\[1\].response.body must be a mapping"),
}


@pytest.mark.parametrize(("change", "message"), DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_cassette_names_the_place_the_file_and_the_re_record_command(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    path = _copy(tmp_path)
    _edit(path, change)
    with pytest.raises(DamagedCassette, match=message) as raised:
        ReplayBackend(path, api_version=BASIL, rerecord_hint="unused")
    text = str(raised.value)
    assert text.startswith(f"Cassette {path} is damaged: ")
    assert f"git checkout -- {path}" in text
    assert f"nox -s \"record({BASIL})\" -- -k 'test_first_card_creates_one_customer_and_sets_default'" in text


def test_invalid_utf8_names_the_byte_and_the_file(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    raw = path.read_bytes()
    path.write_bytes(raw[:100] + b"\xff" + raw[100:])
    with pytest.raises(DamagedCassette, match=r"is damaged: byte 100 is not UTF-8 text"):
        CassetteFile.read(path)


def test_diff_of_a_damaged_cassette_exits_4_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = _copy(tmp_path / "a"), _copy(tmp_path / "b")
    bad.write_bytes(bad.read_bytes().replace(b'"code": 200', b'"code": "200"', 1))
    assert main(["cassettes", "diff", str(good), str(bad)]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"Cassette {bad} is damaged: interactions[0].response.status.code is '200' (str)" in err


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:50] + b"\xc3\x28" + raw[50:],
        lambda raw: raw.replace(b'"response": {', b'"response": 7, "x": {', 1),
    ],
    ids=["invalid-utf8", "response-a-number"],
)
def test_contracts_check_of_a_damaged_cassette_exits_4_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: Callable[[bytes], bytes]
) -> None:
    path = _copy(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    assert main(["contracts", "check", "--api-version", "recorded", str(path)]) == 4
    err = capsys.readouterr().err
    assert f"Cassette {path} is damaged: " in err
    assert "Traceback" not in err


def _contracts_copy(tmp_path: Path) -> Path:
    contracts = tmp_path / "contracts"
    shutil.copytree(default_contracts_dir(), contracts)
    return contracts


def test_a_truncated_provider_schema_names_the_file(tmp_path: Path) -> None:
    schema = _contracts_copy(tmp_path) / "provider" / BASIL / "invoice.schema.json"
    schema.write_text(schema.read_text()[:500])
    with pytest.raises(ConfigFileError, match=r"contract file .*invoice.schema.json cannot be read .*contracts build"):
        compiled(schema, "", "customer")


def test_a_schema_the_validator_cannot_compile_names_the_file(tmp_path: Path) -> None:
    schema = tmp_path / "invoice.schema.json"
    schema.write_text('{"type": "objec"}')
    expected = r"invoice.schema.json is not a valid JSON Schema \(\"objec\" is not valid"
    with pytest.raises(ConfigFileError, match=expected):
        compiled(schema, "", "customer")


def test_a_truncated_schema_stops_pytest_before_any_scenario(pytester: pytest.Pytester) -> None:
    contracts = _contracts_copy(pytester.path)
    schema = contracts / "provider" / BASIL / "invoice.schema.json"
    schema.write_text(schema.read_text()[:500])
    pytester.makefile(
        ".toml",
        pyproject=f'[tool.stripe-compat]\ncontracts = "contracts"\n[tool.stripe-compat.matrix]\n'
        f'stripe = ["16.1.0"]\napi_versions = ["{BASIL}"]\n',
    )
    pytester.makepyfile(test_a="def test_one(stripe_billing):\n    stripe_billing.signup('a@example.com')\n")
    result = pytester.runpytest("--stripe-backend=replay")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: contract file {schema} cannot be read*"])
    assert "passed" not in result.stdout.str()


def test_an_old_cassette_without_metadata_is_refused_by_its_responses_stripe_version(tmp_path: Path) -> None:
    path = _copy(tmp_path, OLD, into=BASIL)
    _edit(path, lambda d: d.pop("metadata"))
    with pytest.raises(CassetteError, match=rf"recorded for API version {OLD}, but this run pins {BASIL}") as raised:
        ReplayBackend(path, api_version=BASIL, rerecord_hint="nox -s record")
    assert "Stripe-Version (it has no metadata)" in str(raised.value)


def test_a_cassette_with_neither_metadata_nor_stripe_version_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)

    def strip(data: dict[str, Any]) -> None:
        data.pop("metadata")
        for interaction in data["interactions"]:
            interaction["response"]["headers"].pop("Stripe-Version", None)

    _edit(path, strip)
    with pytest.raises(CassetteError, match="nothing says which API version it is for"):
        ReplayBackend(path, api_version=BASIL, rerecord_hint="x")


def test_the_same_cassette_with_its_metadata_still_replays(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    _edit(path, lambda d: d.pop("metadata"))  # responses alone say basil: accepted
    assert ReplayBackend(path, api_version=BASIL, rerecord_hint="x").metadata is None


def test_a_scenario_on_a_metadata_less_old_cassette_fails_with_the_reason_not_green(pytester: pytest.Pytester) -> None:
    path = _copy(pytester.path, OLD, into=BASIL)
    _edit(path, lambda d: d.pop("metadata"))
    pytester.makefile(
        ".toml",
        pyproject=f'[tool.stripe-compat]\ncassettes = "cassettes"\n[tool.stripe-compat.matrix]\n'
        f'stripe = ["16.1.0"]\napi_versions = ["{OLD}", "{BASIL}"]\n',
    )
    result = pytester.runpytest(
        "--pyargs", "harness.scenarios.test_lazy_customer", "-k", "first_card", f"--stripe-api-version={BASIL}"
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*Cassette {path} says by its responses' Stripe-Version*{OLD}, but this run pins*"])
    assert "Traceback" not in result.stdout.str()


def test_a_damaged_legacy_versions_file_names_itself(tmp_path: Path) -> None:
    from harness.contracts.registry import known_api_versions

    contracts = _contracts_copy(tmp_path)
    (contracts / "legacy_versions.json").write_text('{"versions": ["2020-08-27"')
    with pytest.raises(ConfigFileError, match=r"legacy_versions.json cannot be read \(JSONDecodeError"):
        known_api_versions(contracts)

"""``stripe-compat scan`` as a user runs it: exit codes, the three formats, the default path, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sarif_kit.validate import validation_errors

from harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
UPGRADE = ["--from", "7.14.0@2023-10-16", "--to", "16.1.0@2026-10-28.endive"]
LEGACY = str(ROOT / "examples" / "legacy_integration")


def test_text_output_exits_1_on_breaks_and_0_on_clean_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", LEGACY, *UPGRADE]) == 1
    out = capsys.readouterr().out
    assert out.startswith("SCAN 7.14.0@2023-10-16 -> 16.1.0@2026-10-28.endive: 9 BREAK(S), 1 warning(s) in 3 file(s).")
    assert "examples/legacy_integration/gateway.py:" in out
    assert "invoice.paid was removed (API 2025-03-31.basil) [through a helper]" in out
    assert "fix: use status == 'paid'" in out
    assert main(["scan", str(ROOT / "harness" / "reference"), *UPGRADE]) == 0
    assert "no break found" in capsys.readouterr().out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", LEGACY, *UPGRADE, "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["safe"] is False
    assert data["effective_api_versions"] == ["2023-10-16", "2026-10-28.endive"]
    paid = next(f for f in data["findings"] if f["rule"] == "api:invoice.paid")
    assert paid["path"] == "examples/legacy_integration/gateway.py"
    assert paid["confidence"] == "likely"
    assert paid["source"].startswith("https://docs.stripe.com/changelog/basil/")


def test_sarif_output_is_valid_sarif_2_1_0_with_each_finding_on_its_line(tmp_path: Path) -> None:
    report = tmp_path / "scan.sarif"
    assert main(["scan", LEGACY, *UPGRADE, "--format", "sarif", "--output", str(report)]) == 1
    log = json.loads(report.read_text())
    assert validation_errors(log) == []
    run = log["runs"][0]
    assert len(run["results"]) == 10
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "examples/legacy_integration/gateway.py"
        assert location["region"]["startLine"] > 0
    assert {r["level"] for r in run["results"]} == {"error", "warning"}
    assert all(r["helpUri"].startswith("https://") and not r["helpUri"].endswith(";")
               for r in run["tool"]["driver"]["rules"])
    assert not list(tmp_path.glob(".scan.sarif.*"))  # the temporary file was renamed into place


def test_default_path_is_the_package_of_the_configured_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.stripe-compat]\nadapter = "shop.adapter:Adapter"\n')
    package = tmp_path / "src" / "shop"
    (package / "admin").mkdir(parents=True)
    (package / "adapter.py").write_text("class Adapter: ...\n")
    (package / "admin" / "reports.py").write_text(
        "import stripe\nstripe.api_version = '2023-10-16'\nstripe.max_network_retries = 0\n"
        "def monthly(invoice):\n    return invoice['paid']\n")
    (tmp_path / "outside.py").write_text("invoice = {}\ninvoice['paid']\n")
    monkeypatch.chdir(tmp_path)
    assert main(["scan", *UPGRADE]) == 1
    out = capsys.readouterr().out
    assert "src/shop/admin/reports.py:5:12: invoice['paid']" in out
    assert "[name match only]" in out
    assert "outside.py" not in out


def test_usage_errors_say_what_to_do_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(tmp_path / "missing"), *UPGRADE]) == 2
    assert "does not exist; name a Python file or a folder of them" in capsys.readouterr().err
    assert main(["scan", LEGACY, "--from", "7.14.0@2023-10-16", "--to", "7.14.0@2023-10-16"]) == 2
    assert "same cell" in capsys.readouterr().err
    assert main(["scan", LEGACY, "--from", "7.14.0@2023-10-16", "--to", "16.1.0@2099-01-01"]) == 2
    assert "unknown API version" in capsys.readouterr().err
    (tmp_path / "pyproject.toml").write_text('[tool.stripe-compat]\nadapter = "nowhere.adapter:A"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["scan", *UPGRADE]) == 2
    assert "cannot find the adapter's package nowhere" in capsys.readouterr().err
    assert main(["scan", LEGACY, *UPGRADE, "--output", str(tmp_path / "no" / "such" / "dir.txt")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_file_that_is_not_python_is_reported_and_the_rest_still_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "ok.py").write_text("import stripe\nstripe.Invoice.upcoming(customer='cus_1')\n")
    assert main(["scan", str(tmp_path), *UPGRADE]) == 1
    out = capsys.readouterr().out
    assert "not scanned: " in out
    assert "broken.py: not valid Python (line 1" in out
    assert "Invoice.upcoming is gone" in out


def test_library_default_is_the_version_the_release_sends(capsys: pytest.CaptureFixture[str]) -> None:
    naive = str(ROOT / "examples" / "naive_integration" / "naive")
    assert main(["scan", naive, "--from", "7.14.0@library-default", "--to", "16.1.0@library-default"]) == 1
    out = capsys.readouterr().out
    assert "stripe 7.14.0 sends 2023-10-16, stripe 16.1.0 sends 2026-10-28.endive" in out
    assert main(["scan", naive, "--from", "5.5.0@library-default", "--to", "16.1.0@library-default"]) == 2
    assert "stripe 5.5.0 sends no API version" in capsys.readouterr().err


def test_an_ignore_comment_silences_a_reviewed_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "billing.py").write_text(
        "import stripe\nstripe.api_version = '2023-10-16'\nstripe.max_network_retries = 0\n"
        "inv = stripe.Invoice.retrieve('in_1')\n"
        "a = inv.get('paid')  # stripe-compat: ignore\n"
        "b = inv.get('paid')  # stripe-compat: ignore[api:invoice.paid]\n"
        "c = inv.get('paid')  # stripe-compat: ignore[library:stripeobject-dict-methods, api:invoice.paid]\n"
    )
    assert main(["scan", str(tmp_path), *UPGRADE, "--format", "json"]) == 1
    found = {(f["line"], f["rule"]) for f in json.loads(capsys.readouterr().out)["findings"]}
    assert found == {(6, "library:stripeobject-dict-methods")}

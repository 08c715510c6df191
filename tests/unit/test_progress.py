"""Progress on long commands: shown when asked (or on a terminal), on stderr only, silent in pipes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import recording
from harness.cassettes.store import cassette_files
from harness.cli import main
from harness.progress import ENV

ROOT = Path(__file__).resolve().parents[2]
CASSETTES = ROOT / "cassettes" / "2025-03-31.basil"


def test_asked_for_progress_a_long_check_says_what_runs_and_how_far_on_stderr_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    files = cassette_files(CASSETTES)  # not the shared bases, which the cassettes' check covers
    assert main(["--progress", "contracts", "check", "--api-version", "recorded", "--json", str(CASSETTES)]) in (0, 1)
    out, err = capsys.readouterr()
    json.loads(out)  # stdout is still the JSON, untouched by the bar
    assert "contracts check" in err
    assert f"{len(files)}/{len(files)}" in err


def test_without_a_terminal_progress_is_silent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    assert main(["contracts", "check", "--api-version", "recorded", str(CASSETTES)]) in (0, 1)
    assert "contracts check" not in capsys.readouterr().err


def test_record_says_how_many_cassettes_it_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "2025-03-31.basil" / "test_lazy_customer"
    folder.mkdir(parents=True)
    (folder / "test_kept.json").write_text("{}")
    (folder / "test_rewritten.json").write_text("{}")

    def fake_pytest(command: list[str]) -> int:  # what a recording does to the folder
        (folder / "test_rewritten.json").write_text('{"interactions": []}')
        (folder / "test_new.json").write_text("{}")
        return 0

    monkeypatch.setattr(recording.subprocess, "call", fake_pytest)
    assert main(["record", "--api-version", "2025-03-31.basil", "--cassettes", str(tmp_path)]) == 0
    assert f"wrote 2 cassette(s) in {tmp_path / '2025-03-31.basil'} (1 unchanged)" in capsys.readouterr().out

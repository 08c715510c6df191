"""The reference worker reads its Stripe key from the environment, never from its command line (``ps``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config import OFFLINE_API_KEY
from harness.reference import worker


def _argv(db: Path) -> list[str]:
    return ["--db", str(db), "--api-base", "http://127.0.0.1:9", "--api-version", "2025-03-31.basil", "--until-empty"]


def test_the_key_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", OFFLINE_API_KEY)
    assert worker.main(_argv(tmp_path / "billing.sqlite3")) == 0


def test_without_the_variable_it_says_where_the_key_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    with pytest.raises(SystemExit) as exited:
        worker.main(_argv(tmp_path / "billing.sqlite3"))
    assert exited.value.code == 2
    assert "STRIPE_API_KEY is not set" in capsys.readouterr().err


def test_a_key_on_the_command_line_is_not_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", OFFLINE_API_KEY)
    with pytest.raises(SystemExit) as exited:
        worker.main([*_argv(tmp_path / "billing.sqlite3"), "--api-key", OFFLINE_API_KEY])
    assert exited.value.code == 2

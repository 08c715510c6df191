"""``cassettes scan``: every kind of planted secret is caught, placeholders are not, exit codes hold."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from harness.backends.base import Request, Response
from harness.cassettes import cli
from harness.cassettes.scrub import scrub_request, scrub_response
from harness.cassettes.store import CassetteFile
from harness.errors import ConfigError

PLANTED = {
    "API key": "sk_live_51Habcdefghijklmnop",
    "webhook secret": "whsec_abcdefghijklmnop",
    "client secret": "seti_1Nabcdefgh_secret_Qwertyuiop",
    "credential": "Bearer abcdefghijklmnopqrstu",
    "e-mail address outside the reserved example domains": "jane.doe@bigcorp.io",
}


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["cassettes", *argv])
    return args.func(args)


def _cassette(path: Path, body: str) -> Path:
    request = scrub_request(Request("POST", "https://api.stripe.com/v1/customers", {}, b"email=a%40example.com"))
    CassetteFile([(request, scrub_response(Response(200, {}, b"{}")))], None).write(path)
    path.write_text(path.read_text().replace('"{}"', json.dumps(body)))
    return path


@pytest.mark.parametrize("kind", PLANTED)
def test_each_planted_secret_is_caught_without_being_printed(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _cassette(tmp_path / "c.json", f"the value is {PLANTED[kind]} here")
    assert _run("scan", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert kind in out
    assert PLANTED[kind] not in out


def test_an_authorization_header_is_caught(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("interactions:\n- request:\n    headers:\n      Authorization: [x]\n")
    assert _run("scan", str(tmp_path / "c.yaml")) == 1


def test_scrubbed_recordings_and_placeholders_are_clean(tmp_path: Path) -> None:
    recorded = Request("POST", "https://api.stripe.com/v1/customers", {"Authorization": "Bearer sk_test_abcdefgh"},
                       b"email=jane%40bigcorp.io&note=sk_live_abcdefghij+whsec_abcdefgh")
    body = b'{"client_secret": "seti_123_secret_abc", "email": "jane@bigcorp.io"}'
    response = Response(200, {"Set-Cookie": "x"}, body)
    CassetteFile([(scrub_request(recorded), scrub_response(response))], None).write(tmp_path / "c.json")
    assert _run("scan", str(tmp_path)) == 0


def test_the_committed_cassettes_are_clean() -> None:
    root = Path(__file__).resolve().parents[2]
    assert _run("scan", str(root / "cassettes"), str(root / "examples" / "shop" / "cassettes")) == 0


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        _run("scan", str(tmp_path / "nope"))

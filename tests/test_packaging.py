"""What a user meets before any scenario runs: the distribution's metadata, the command
line's edges, and the README's commands, read from the README itself."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

import harness
from harness.cli import EXIT_BROKEN_PIPE, build_parser

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
CLI = [sys.executable, "-m", "harness.cli"]


def test_version_is_the_distributions() -> None:
    done = subprocess.run([*CLI, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == f"stripe-compat {importlib.metadata.version('stripe-compat')}"


def test_the_package_says_it_is_typed() -> None:
    # PEP 561: without the marker mypy reports import-untyped for every harness import.
    assert (Path(harness.__file__).parent / "py.typed").is_file()


def test_metadata_names_the_framework_and_keeps_dev_tools_and_xdist_out_of_the_install() -> None:
    meta = importlib.metadata.metadata("stripe-compat")
    assert "Framework :: Pytest" in meta.get_all("Classifier")
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert "dev" not in (meta.get_all("Provides-Extra") or [])
    plain = [r for r in importlib.metadata.requires("stripe-compat") or [] if "extra ==" not in r]
    assert not [r for r in plain if r.startswith(("pytest-xdist", "nox", "ruff", "docker"))], plain
    assert {"xdist", "stripe-mock", "localstripe"} <= set(PYPROJECT["project"]["optional-dependencies"])
    assert any(r.startswith("nox") for r in PYPROJECT["dependency-groups"]["dev"])


def test_a_closed_pipe_ends_quietly() -> None:
    # The reader is gone before the first line is written: `stripe-compat contracts diff … | head -0`.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([*CLI, "contracts", "diff", "2024-06-20", "2025-03-31.basil"],
                              stdout=write, stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write)
    assert done.returncode == EXIT_BROKEN_PIPE
    assert done.stderr == ""  # no traceback, no "Exception ignored in ... BrokenPipeError"


def test_pre_commit_hooks_run_commands_that_exist() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"stripe-compat-cassettes-scan", "stripe-compat-ci-github"}
    for hook in hooks.values():
        argv = shlex.split(hook["entry"]) + hook.get("args", [])
        assert argv[0] == "stripe-compat"
        build_parser().parse_args(argv[1:])  # exits 2 (failing the test) on an unknown command or flag
        assert hook["language"] == "python"
    assert "--check" in hooks["stripe-compat-ci-github"]["entry"]


# --- the README: every command it shows works right after its set-up block -------------------

_FENCE = re.compile(r"```bash\n(.*?)```", re.DOTALL)
_INLINE = re.compile(r"`((?:stripe-compat|nox) [^`]+)`")
_ENV = re.compile(r"^[A-Z_]+=\S*$")


def _readme_commands() -> tuple[list[list[str]], list[list[str]]]:
    """(set-up commands, every other command) as argv lists, env assignments dropped."""
    text = (ROOT / "README.md").read_text()
    blocks = _FENCE.findall(text)
    split = [[_argv(part) for line in block.splitlines() for part in line.split("&&") if _argv(part)]
             for block in blocks]
    inline = [_argv(m) for m in _INLINE.findall(_FENCE.sub("", text))]
    return split[0], [c for block in split[1:] for c in block] + inline


def _argv(line: str) -> list[str]:
    words = shlex.split(line, comments=True)
    while words and _ENV.match(words[0]):
        words.pop(0)
    return words


def test_the_set_up_block_puts_both_tools_on_path() -> None:
    setup, _ = _readme_commands()
    assert setup[0][:3] == ["python3", "-m", "venv"]  # PEP 668 systems refuse a bare pip install
    pip = next(c for c in setup if c[:2] == ["pip", "install"])
    project = pip[pip.index("-e") + 1]
    assert re.fullmatch(r"\.(\[[a-z,-]+\])?", project), pip  # the checkout itself: stripe-compat
    assert "stripe-compat" in PYPROJECT["project"]["scripts"]
    assert any(w.startswith("nox") for w in pip[2:]), pip
    extras = set(re.findall(r"[a-z-]+", project.partition("[")[2]))
    assert extras <= set(PYPROJECT["project"]["optional-dependencies"]), extras


def test_every_readme_command_is_provided_by_the_set_up_and_parses() -> None:
    _, commands = _readme_commands()
    assert len(commands) > 15
    programs = {c[0] for c in commands}
    assert programs <= {"nox", "stripe-compat"}, f"the set-up block provides no {programs - {'nox', 'stripe-compat'}}"
    for argv in commands:
        if argv[0] == "stripe-compat":
            try:
                build_parser().parse_args(argv[1:])
            except SystemExit:
                pytest.fail(f"README: `{shlex.join(argv)}` does not parse")


@pytest.mark.parametrize("argv", [c for c in _readme_commands()[1] if c[0] == "nox"], ids=shlex.join)
def test_every_readme_nox_command_selects_sessions(argv: list[str]) -> None:
    selection = argv[1:argv.index("--")] if "--" in argv else argv[1:]
    if selection in ([], ["-l"]):
        selection = []
    done = subprocess.run([sys.executable, "-m", "nox", "-l", "--json", *selection],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"README: `{shlex.join(argv)}`: {done.stderr}"
    assert done.stdout.startswith("[{"), f"README: `{shlex.join(argv)}` selects no session"

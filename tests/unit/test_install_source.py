"""Cell venvs get stripe-compat from where the project has it, or pytest cannot find the scenarios there."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from harness import install_source
from harness.install_source import harness_install_args, install_fingerprint, project_install_args

ROOT = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path, body: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(body)
    return tmp_path


def test_the_harness_checkout_installs_itself_editable_with_extras() -> None:
    assert harness_install_args(ROOT, ("localstripe",)) == ["-e", f"{ROOT}[localstripe]"]
    assert project_install_args(ROOT) == []  # not twice


def test_a_declared_requirement_wins_and_gets_the_extras(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.stripe-compat]\ninstall = "stripe-compat @ git+https://example.org/sc@v0.1.0"\n')
    assert harness_install_args(project, ("localstripe",)) == [
        "stripe-compat[localstripe] @ git+https://example.org/sc@v0.1.0"
    ]


def test_a_declared_path_is_resolved_from_the_project_and_editable(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    project = _project(tmp_path / "app", '[tool.stripe-compat]\ninstall = "../harness"\n')
    assert harness_install_args(project) == ["-e", str(tmp_path / "harness")]


def test_an_installable_project_is_installed_editable_and_a_bare_folder_is_not(tmp_path: Path) -> None:
    assert project_install_args(_project(tmp_path, "[tool.stripe-compat]\n")) == []
    _project(tmp_path, '[build-system]\nrequires = ["hatchling"]\n[project]\nname = "shop"\n')
    assert project_install_args(tmp_path) == ["-e", str(tmp_path)]


class _Dist:
    version = "0.1.0"

    def __init__(self, direct: dict | None) -> None:
        self.direct = direct

    def read_text(self, name: str) -> str | None:
        return json.dumps(self.direct) if self.direct is not None and name == "direct_url.json" else None


@pytest.mark.parametrize(
    ("direct", "expected"),
    [
        (None, ["stripe-compat[localstripe]==0.1.0"]),
        ({"url": "https://github.com/o/sc", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
         ["stripe-compat[localstripe] @ git+https://github.com/o/sc@abc123"]),
        ({"url": "file:///src/sc", "dir_info": {"editable": True}}, ["-e", "/src/sc[localstripe]"]),
        ({"url": "file:///src/sc", "dir_info": {}}, ["/src/sc[localstripe]"]),
    ],
    ids=["index", "git", "editable-checkout", "checkout"],
)
def test_an_installed_harness_is_reinstalled_from_the_same_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct: dict | None, expected: list[str]
) -> None:
    monkeypatch.setattr(install_source, "_is_harness_checkout", lambda folder: False)
    monkeypatch.setattr(install_source.metadata, "distribution", lambda name: _Dist(direct))
    assert harness_install_args(_project(tmp_path, ""), ("localstripe",)) == expected


def test_no_harness_anywhere_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install_source, "_is_harness_checkout", lambda folder: False)

    def missing(name: str) -> None:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(install_source.metadata, "distribution", missing)
    with pytest.raises(SystemExit, match=r"\[tool.stripe-compat\] install = "):
        harness_install_args(_project(tmp_path, ""))


def test_a_venv_is_refilled_when_the_harness_checkout_changes_its_dependencies(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    project, harness = _project(tmp_path / "app", ""), tmp_path / "sc"
    harness.mkdir()
    (harness / "pyproject.toml").write_text('[project]\nname = "stripe-compat"\ndependencies = ["stripe"]\n')
    specs = ["-e", f"{harness}[localstripe]", "stripe==16.1.0"]
    before = install_fingerprint(project, specs)

    (harness / "pyproject.toml").write_text('[project]\nname = "stripe-compat"\ndependencies = ["stripe", "x"]\n')

    assert install_fingerprint(project, specs) != before

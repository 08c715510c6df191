"""benchmarks/matrix_growth.py: the larger matrix bench_matrix.py --large times, its cassette cache, and the slope."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from harness.contracts import known_api_versions
from harness.matrix import load_matrix

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import matrix_growth as mg  # noqa: E402

PROJECT = load_matrix(ROOT / "pyproject.toml")


def test_size_is_two_even_counts_and_a_bad_one_says_what_to_write() -> None:
    assert mg.parse_size("12x10") == (12, 10)
    assert mg.parse_size(" 2X2 ") == (2, 2)
    for bad in ("13x10", "12x9", "0x2", "12", "twelve", "12x10x2"):
        with pytest.raises(argparse.ArgumentTypeError, match=r"e\.g\. 12x10.*got"):
            mg.parse_size(bad)


def test_12x10_is_the_projects_6x5_plus_six_releases_and_five_api_versions_in_order() -> None:
    plan = mg.grow(PROJECT.stripe, PROJECT.api_versions, (12, 10))
    assert (plan.small_releases, plan.small_apis) == (PROJECT.stripe, PROJECT.api_versions)
    assert set(plan.large_releases) == {*PROJECT.stripe, *mg.EXTRA_RELEASES}
    assert set(plan.large_apis) == {*PROJECT.api_versions, *mg.EXTRA_API_VERSIONS}
    assert (len(plan.large_releases), len(plan.large_apis)) == (12, 10)
    majors = [tuple(map(int, lib.split("."))) for lib in plan.large_releases]
    assert majors == sorted(majors)  # 9.12.0 before 10.12.0: version order, not text order
    assert list(plan.large_apis) == sorted(plan.large_apis)
    assert [(len(libs), len(apis)) for libs, apis in plan.corners] == [(6, 5), (6, 10), (12, 5), (12, 10)]


def test_a_small_trial_takes_the_first_of_each_and_as_many_others() -> None:
    plan = mg.grow(PROJECT.stripe, PROJECT.api_versions, (2, 2))
    assert plan.small_releases == PROJECT.stripe[:1]
    assert plan.small_apis == PROJECT.api_versions[:1]
    assert set(plan.large_releases) == {PROJECT.stripe[0], mg.EXTRA_RELEASES[0]}
    assert set(plan.large_apis) == {PROJECT.api_versions[0], mg.EXTRA_API_VERSIONS[0]}


def test_an_extra_release_the_project_already_has_is_not_counted_twice() -> None:
    plan = mg.grow(["6.7.0", "7.14.0"], ["2020-08-27"], (4, 2))
    assert plan.large_releases == ("6.7.0", "7.14.0", "8.11.0", "9.12.0")


def test_a_matrix_larger_than_what_is_known_names_the_largest_possible() -> None:
    with pytest.raises(SystemExit, match=r"at most --large 12x10"):
        mg.grow(PROJECT.stripe, PROJECT.api_versions, (14, 10))


def test_the_added_api_versions_are_ones_the_contracts_know_and_the_project_has_no_cassettes_for() -> None:
    known = known_api_versions()
    for api in mg.EXTRA_API_VERSIONS:
        assert api in known
        assert (ROOT / "contracts" / "provider" / api).is_dir()
        assert not (ROOT / "cassettes" / api).exists()
    assert not set(mg.EXTRA_RELEASES) & set(PROJECT.stripe)


def test_the_large_pyproject_changes_the_matrix_and_nothing_else(tmp_path: Path) -> None:
    text = (ROOT / "pyproject.toml").read_text()
    plan = mg.grow(PROJECT.stripe, PROJECT.api_versions, (12, 10))
    written = tmp_path / "pyproject.toml"
    written.write_text(mg.large_pyproject(text, plan.large_releases, plan.large_apis))
    matrix = load_matrix(written)
    assert (matrix.stripe, matrix.api_versions) == (plan.large_releases, plan.large_apis)
    assert (matrix.recording_stripe, matrix.xdist_workers) == (PROJECT.recording_stripe, PROJECT.xdist_workers)
    before, after = tomllib.loads(text), tomllib.loads(written.read_text())
    del before["tool"]["stripe-compat"]["matrix"], after["tool"]["stripe-compat"]["matrix"]
    assert after == before


def _git_project(folder: Path) -> Path:
    for name, content in {
        ".gitignore": "__pycache__/\n.stripe-compat/\n",
        "harness/plugin.py": "x = 1\n",
        "contracts/shapes/a.json": "{}\n",
        "README.md": "hello\n",
        "pyproject.toml": '[project]\nname = "p"\n'
                          '[project.optional-dependencies]\nlocalstripe = ["localstripe==1.15.10"]\n'
                          '[tool.stripe-compat.matrix]\nstripe = ["16.1.0"]\napi_versions = ["2024-06-20"]\n',
    }.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run(["git", "-C", str(folder), "add", "."], check=True)
    return folder


def test_the_cassette_key_follows_the_harness_contracts_and_pins_only(tmp_path: Path) -> None:
    root = _git_project(tmp_path)
    key = mg.cassette_key(root)
    assert mg.cassette_key(root) == key
    (root / "README.md").write_text("changed\n")
    (root / "harness" / "__pycache__").mkdir()
    (root / "harness" / "__pycache__" / "plugin.pyc").write_bytes(b"\0")
    assert mg.cassette_key(root) == key

    (root / "harness" / "plugin.py").write_text("x = 2\n")  # an edit not yet committed
    edited = mg.cassette_key(root)
    assert edited != key
    (root / "contracts" / "shapes" / "b.json").write_text("{}\n")  # a new file, not yet added
    added = mg.cassette_key(root)
    assert added != edited
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('stripe = ["16.1.0"]', 'stripe = ["15.6.2", "16.1.0"]'))
    assert mg.cassette_key(root) == added  # what replays, not what records
    pyproject.write_text(pyproject.read_text().replace("1.15.10", "1.15.11"))
    pinned = mg.cassette_key(root)
    assert pinned != added
    pyproject.write_text(pyproject.read_text().replace("[tool.stripe-compat.matrix]",
                                                       '[tool.stripe-compat]\nadapter = "shop:Adapter"\n'
                                                       "[tool.stripe-compat.matrix]"))
    assert mg.cassette_key(root) != pinned


def test_the_key_outside_a_git_checkout_says_why_it_cannot(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="git checkout"):
        mg.cassette_key(tmp_path)


def test_the_scratch_copy_mirrors_the_checkout_and_keeps_its_virtualenvs(tmp_path: Path) -> None:
    root = _git_project(tmp_path / "project")
    (root / ".stripe-compat").mkdir()
    (root / ".stripe-compat" / "secret").write_text("ignored\n")
    scratch = tmp_path / "scratch"
    (scratch / ".nox" / "compat-16-1-0").mkdir(parents=True)
    (scratch / ".stripe-compat" / "results").mkdir(parents=True)
    (scratch / ".stripe-compat" / "results" / "5.5.0@2020-08-27.json").write_text("{}")  # a larger matrix's
    (scratch / "stale.py").parent.mkdir(parents=True, exist_ok=True)
    (scratch / "stale.py").write_text("deleted from the checkout\n")
    (scratch / "harness").mkdir()
    (scratch / "harness" / "old.py").write_text("\n")

    mg.sync_scratch(root, scratch)

    copied = sorted(str(p.relative_to(scratch)) for p in scratch.rglob("*") if p.is_file())
    assert copied == [".gitignore", "README.md", "contracts/shapes/a.json", "harness/plugin.py", "pyproject.toml"]
    assert (scratch / ".nox" / "compat-16-1-0").is_dir()
    assert (root / "harness" / "plugin.py").read_text() == "x = 1\n"


def test_a_recording_is_a_cache_hit_only_once_stored_whole(tmp_path: Path) -> None:
    cache, recorded = tmp_path / "cache", tmp_path / "cassettes" / "2022-11-15"
    (recorded / "test_lazy").mkdir(parents=True)
    (recorded / "test_lazy" / "t.json").write_text("{}")
    assert mg.cached_recording(cache, "k", "2022-11-15") is None
    (cache / "k" / ".2022-11-15.partial").mkdir(parents=True)  # a copy interrupted earlier

    recording = mg.Recording("2022-11-15", 22.7, "2026-12-01 23:31 UTC")
    mg.store_recording(recorded, cache, "k", recording)

    assert mg.cached_recording(cache, "k", "2022-11-15") == recording
    assert mg.cached_recording(cache, "other", "2022-11-15") is None
    assert not (cache / "k" / ".2022-11-15.partial").exists()
    target = tmp_path / "copy"
    mg.restore_recording(cache, "k", "2022-11-15", target)
    assert (target / "2022-11-15" / "test_lazy" / "t.json").read_text() == "{}"


def _walls(fixed: float, per_release: float, per_cell: float) -> dict[tuple[int, int], float]:
    """Every size --large times at 12 x 10, on a straight line with these costs."""
    shapes = [(6, 1), (6, 3), (1, 5), (3, 5), *((r, a) for r in (6, 12) for a in (5, 10))]
    return {(r, a): fixed + r * per_release + r * a * per_cell for r, a in shapes}


def test_the_large_run_also_times_the_parts_of_6x5_the_default_run_fits_through() -> None:
    plan = mg.grow(PROJECT.stripe, PROJECT.api_versions, (12, 10))
    assert [(len(libs), len(apis)) for libs, apis in plan.within_small] == [(6, 1), (6, 3), (1, 5), (3, 5)]
    assert all(set(libs) <= set(PROJECT.stripe) and set(apis) <= set(PROJECT.api_versions)
               for libs, apis in plan.within_small)
    assert mg.fit_within(_walls(3.0, 2.0, 1.2), 6, 5) == pytest.approx((3.0, 2.0, 1.2))


def test_a_straight_line_grows_linearly_with_its_own_costs() -> None:
    grew = mg.slope(_walls(3.0, 2.0, 1.2), (6, 5), (12, 10))
    assert grew.per_cell_small == pytest.approx(1.2)
    assert grew.per_cell_large == pytest.approx(1.2)
    assert grew.per_release_small == pytest.approx(2.0 + 5 * 1.2)
    assert grew.per_release_large == pytest.approx(2.0 + 10 * 1.2)
    assert grew.predicted == pytest.approx(3.0 + 12 * 2.0 + 120 * 1.2)
    assert grew.excess == pytest.approx(0)
    assert grew.linear


def test_a_largest_matrix_slower_than_the_line_is_not_called_linear() -> None:
    walls = _walls(3.0, 2.0, 1.2)
    walls[12, 10] *= 1.25
    grew = mg.slope(walls, (6, 5), (12, 10))
    assert grew.excess == pytest.approx(0.25)
    assert not grew.linear
    assert grew.per_cell_large > grew.per_cell_small

"""The larger matrix ``bench_matrix.py --large`` runs, and the arithmetic of how the warm run grows into it.

The project's matrix (6 releases × 5 API versions) is doubled with releases from between and
around its own and API versions the contracts know, in a scratch copy of the project under
``.stripe-compat/bench/``: the user's checkout, pyproject.toml and cassettes are never touched.
The added API versions have no committed cassettes; the copy records them against localstripe
with its own ``nox -s "record(V)"`` once, and they are kept in a cache keyed by the harness's
source (and the recorder's pins), so that later runs replay the same recordings and a change
to the harness records them again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import statistics
import subprocess
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import tomli_w
from packaging.version import Version

#: Releases between and around the project's, each of which installs and imports on CPython 3.11.
EXTRA_RELEASES = ("6.7.0", "8.11.0", "9.12.0", "11.6.0", "13.2.0", "15.6.2")
#: API versions with provider contracts and default shapes in contracts/ but no committed cassettes.
EXTRA_API_VERSIONS = ("2022-11-15", "2023-08-16", "2024-04-10", "2024-12-18.acacia", "2025-09-30.clover")
BENCH = Path(".stripe-compat") / "bench"
#: Kept across runs: the copy's virtualenvs, which make a run warm. Its results start empty, so that
#: a verdict lists no cells of a matrix the copy had before.
KEEP = frozenset({".nox"})
#: What the recordings depend on besides the pins: everything the harness runs and renders with.
SOURCE_FOLDERS = ("harness", "contracts")
#: Repeated warm runs of the same matrix differ by about 10 % on this machine (RESULTS.md):
#: a larger gap between the measured and the predicted wall time is growth, not noise.
LINEAR_WITHIN = 0.10
_SIZE = re.compile(r"^(\d+)x(\d+)$")


def parse_size(text: str) -> tuple[int, int]:
    """``RxA`` (releases × API versions) for ``--large``; both even, since the run starts from half of each."""
    match = _SIZE.match(text.strip().lower())
    if not match or int(match[1]) < 2 or int(match[2]) < 2 or int(match[1]) % 2 or int(match[2]) % 2:
        msg = (f"expected RELEASESxAPI_VERSIONS with two even counts, e.g. 12x10 (the project's 6 × 5 doubled) "
               f"or 2x2 for a quick trial; got {text!r}")
        raise argparse.ArgumentTypeError(msg)
    return int(match[1]), int(match[2])


@dataclass(frozen=True)
class Growth:
    """The small matrix (a part of the project's), the large one (it plus as many others), and the runs between."""

    small_releases: tuple[str, ...]
    small_apis: tuple[str, ...]
    large_releases: tuple[str, ...]
    large_apis: tuple[str, ...]

    @property
    def small(self) -> tuple[int, int]:
        return len(self.small_releases), len(self.small_apis)

    @property
    def large(self) -> tuple[int, int]:
        return len(self.large_releases), len(self.large_apis)

    @property
    def corners(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """small × small, small × large, large × small, large × large: the four matrices timed."""
        return [(libs, apis) for libs in (self.small_releases, self.large_releases)
                for apis in (self.small_apis, self.large_apis)]

    @property
    def within_small(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """The parts of the small matrix that the default run fits its model through (fit_within)."""
        libs, apis = self.small_releases, self.small_apis
        return [*((libs, apis[:n]) for n in sub_sizes(len(apis))), *((libs[:n], apis) for n in sub_sizes(len(libs)))]


def grow(releases: Sequence[str], apis: Sequence[str], size: tuple[int, int]) -> Growth:
    """The first R/2 releases and A/2 versions of the project's matrix, and them plus as many of the extra ones.

    The large lists are in version order, so that the verdict's table reads like the project's.
    """
    wanted_libs, wanted_apis = size[0] // 2, size[1] // 2
    extra_libs = [lib for lib in EXTRA_RELEASES if lib not in releases]
    extra_apis = [api for api in EXTRA_API_VERSIONS if api not in apis]
    most_libs = min(len(releases), len(extra_libs))
    most_apis = min(len(apis), len(extra_apis))
    if wanted_libs > most_libs or wanted_apis > most_apis:
        msg = (f"--large {size[0]}x{size[1]} needs {wanted_libs} of the project's releases and as many others, and "
               f"{wanted_apis} of its API versions and as many others; at most --large {2 * most_libs}x{2 * most_apis} "
               f"(the project has {len(releases)} × {len(apis)}; EXTRA_RELEASES and EXTRA_API_VERSIONS in "
               "benchmarks/matrix_growth.py add the others)")
        raise SystemExit(msg)
    small_libs, small_apis = tuple(releases[:wanted_libs]), tuple(apis[:wanted_apis])
    return Growth(
        small_libs, small_apis,
        tuple(sorted([*small_libs, *extra_libs[:wanted_libs]], key=Version)),
        tuple(sorted([*small_apis, *extra_apis[:wanted_apis]])),
    )


def large_pyproject(text: str, releases: Sequence[str], apis: Sequence[str]) -> str:
    """``text`` (a pyproject.toml) with its ``[tool.stripe-compat.matrix]`` crossing ``releases`` × ``apis``."""
    data = tomllib.loads(text)
    matrix = data["tool"]["stripe-compat"]["matrix"]
    matrix["stripe"], matrix["api_versions"] = list(releases), list(apis)
    return tomli_w.dumps(data)


def project_files(root: Path) -> list[str]:
    """The checkout's files as its working tree has them: tracked and new ones, not what git ignores."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                                 "--exclude-standard"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        msg = (f"--large copies the project's files as git lists them, and `git ls-files` failed in {root} ({exc}); "
               "run it from a git checkout of the project")
        raise SystemExit(msg) from None
    return sorted(name for name in listed.split("\0") if name and (root / name).is_file())


def cassette_key(root: Path) -> str:
    """What a localstripe recording depends on: the harness's and contracts' files and the project's settings.

    The settings are ``[tool.stripe-compat]`` (the adapter recorded, the recording release)
    but for the matrix's lists, which say what replays, and the localstripe pin.
    """
    digest = hashlib.sha256()
    for name in project_files(root):
        if name.startswith(tuple(f"{folder}/" for folder in SOURCE_FOLDERS)):
            digest.update(f"{name}\0".encode())
            digest.update((root / name).read_bytes())
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    tool = pyproject["tool"]["stripe-compat"]
    matrix = tool["matrix"]
    settings = {**tool, "matrix": {k: v for k, v in matrix.items() if k not in ("stripe", "api_versions")},
                "recording_stripe": matrix.get("recording_stripe", matrix["stripe"][-1]),
                "localstripe": pyproject["project"].get("optional-dependencies", {}).get("localstripe", [])}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def sync_scratch(root: Path, scratch: Path) -> None:
    """Make ``scratch`` a copy of the checkout's files, keeping only its virtualenvs.

    Everything else is copied again, so an edit, a new file or a deleted one in the checkout
    is what the copy runs.
    """
    scratch.mkdir(parents=True, exist_ok=True)
    for entry in scratch.iterdir():
        if entry.name in KEEP:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name in project_files(root):
        target = scratch / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)


@dataclass(frozen=True)
class Recording:
    """One API version's cassettes as the cache keeps them: how long recording them took, and when."""

    api: str
    seconds: float
    recorded: str


def cached_recording(cache: Path, key: str, api: str) -> Recording | None:
    """The cached recording of ``api`` under ``key``, or None."""
    meta = cache / key / f"{api}.json"
    if not (meta.is_file() and (cache / key / api).is_dir()):
        return None
    return Recording(**json.loads(meta.read_text()))


def store_recording(folder: Path, cache: Path, key: str, recording: Recording) -> None:
    """Copy ``folder`` into the cache, renamed into place whole so that an interrupted copy is never a hit."""
    target = cache / key / recording.api
    partial = target.with_name(f".{recording.api}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(folder, partial)
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    (cache / key / f"{recording.api}.json").write_text(json.dumps(recording.__dict__))


def restore_recording(cache: Path, key: str, api: str, cassettes: Path) -> None:
    """Put the cached cassettes of ``api`` in the copy's cassette folder."""
    shutil.rmtree(cassettes / api, ignore_errors=True)
    shutil.copytree(cache / key / api, cassettes / api)


def fit(by_cells: Sequence[tuple[int, float]], by_releases: Sequence[tuple[int, float]], apis: int,
        ) -> tuple[float, float, float]:
    """(fixed, per release, per cell) from two lines: all releases × 1..n versions, and 1..n releases × all versions.

    wall = fixed + releases × per_release + cells × per_cell: along the first line only
    the cells change (slope: per cell); along the second each release brings ``apis`` cells.
    """
    per_cell = statistics.linear_regression(*zip(*by_cells, strict=True)).slope
    line = statistics.linear_regression(*zip(*by_releases, strict=True))
    per_release = line.slope - apis * per_cell
    return line.intercept, per_release, per_cell


def sub_sizes(count: int) -> tuple[int, ...]:
    """How many releases (or API versions) the sub-matrices a model is fitted through have, below ``count``."""
    return tuple(n for n in (1, 3) if n < count)


def fit_within(walls: Mapping[tuple[int, int], float], releases: int, apis: int) -> tuple[float, float, float]:
    """:func:`fit` through the walls of ``releases`` × ``apis`` and its sub-matrices, keyed (releases, API versions)."""
    return fit([(releases * n, walls[releases, n]) for n in (*sub_sizes(apis), apis)],
               [(n, walls[n, apis]) for n in (*sub_sizes(releases), releases)], apis)


@dataclass(frozen=True)
class Slope:
    """How the warm wall time grew between the four corners (r × a, r × A, R × a, R × A)."""

    per_cell_small: float  # added API versions' cells, at r releases
    per_cell_large: float  # the same at R releases
    per_release_small: float  # an added release with its a cells
    per_release_large: float  # the same with A cells
    predicted: float  # R × A from the line through the three smaller corners
    measured: float

    @property
    def excess(self) -> float:
        """How much longer (or, below 0, shorter) R × A took than the straight line predicted."""
        return self.measured / self.predicted - 1

    @property
    def linear(self) -> bool:
        return abs(self.excess) <= LINEAR_WITHIN


def slope(walls: Mapping[tuple[int, int], float], small: tuple[int, int], large: tuple[int, int]) -> Slope:
    """The slope between the four corners ``small``, ``large`` and the two between, from ``walls`` keyed (R, A)."""
    (r, a), (big_r, big_a) = small, large
    fixed, per_release, per_cell = fit([(r * a, walls[r, a]), (r * big_a, walls[r, big_a])],
                                       [(r, walls[r, a]), (big_r, walls[big_r, a])], a)
    return Slope(
        per_cell_small=(walls[r, big_a] - walls[r, a]) / (r * (big_a - a)),
        per_cell_large=(walls[big_r, big_a] - walls[big_r, a]) / (big_r * (big_a - a)),
        per_release_small=(walls[big_r, a] - walls[r, a]) / (big_r - r),
        per_release_large=(walls[big_r, big_a] - walls[r, big_a]) / (big_r - r),
        predicted=fixed + big_r * per_release + big_r * big_a * per_cell,
        measured=walls[big_r, big_a],
    )

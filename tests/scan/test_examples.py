"""The scan on the repository's integrations: every planted idiom of examples/legacy_integration at its
line with the version that breaks it (the hand-made labels in planted_idioms.json), and not one finding
on the reference integration or examples/shop, for every upgrade and rollback between matrix releases."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from harness.matrix import Cell, load_matrix
from harness.scan.engine import scan

ROOT = Path(__file__).resolve().parents[2]
#: The examples with planted idioms, each labelled by hand in its planted_idioms.json.
LABELLED = [ROOT / "examples" / "legacy_integration", ROOT / "examples" / "naive_integration"]
LABELS = [
    (folder, upgrade)
    for folder in LABELLED
    for upgrade in json.loads((folder / "planted_idioms.json").read_text())["upgrades"]
]


def _line(path: Path, text: str) -> int:
    lines = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(lines) == 1, (path, text, lines)
    return lines[0]


@pytest.mark.parametrize(("folder", "upgrade"), LABELS, ids=[f"{f.name}:{u['from']}->{u['to']}" for f, u in LABELS])
def test_every_planted_idiom_at_its_line_with_the_version_that_breaks_it(folder: Path, upgrade: dict[str, Any]) -> None:
    expected = {
        (e["file"], _line(folder / e["file"], e["line_contains"]), e["rule"], e["changed_in"])
        for e in upgrade["expected"]
    }
    result = scan([folder], Cell.parse(upgrade["from"]), Cell.parse(upgrade["to"]))
    found = {(f.path.relative_to(folder).as_posix(), f.line, f.rule, f.changed_in) for f in result.findings}
    assert found == expected


MATRIX = load_matrix(ROOT / "pyproject.toml")
_FORWARD = [(f"{a}@{MATRIX.api_versions[0]}", f"{b}@{MATRIX.api_versions[-1]}")
            for a, b in combinations(MATRIX.stripe, 2)]
UPGRADES = _FORWARD + [(b, a) for a, b in _FORWARD]  # and every rollback


@pytest.mark.parametrize(("source", "target"), UPGRADES, ids=[f"{a}->{b}" for a, b in UPGRADES])
def test_no_false_finding_on_the_reference_integration_and_the_shop(source: str, target: str) -> None:
    result = scan([ROOT / "harness" / "reference", ROOT / "examples" / "shop"], Cell.parse(source),
                  Cell.parse(target))
    assert result.files > 20
    assert not result.unreadable
    assert result.findings == []


def test_the_harness_itself_scans_clean_across_the_matrix() -> None:
    """The harness runs on every matrix release: none of its Stripe calls may use what one of them lacks."""
    oldest, newest = MATRIX.stripe[0], MATRIX.stripe[-1]
    for source, target in ((f"{oldest}@{MATRIX.api_versions[0]}", f"{newest}@{MATRIX.api_versions[-1]}"),
                           (f"{newest}@{MATRIX.api_versions[-1]}", f"{oldest}@{MATRIX.api_versions[0]}")):
        assert scan([ROOT / "harness"], Cell.parse(source), Cell.parse(target)).findings == []

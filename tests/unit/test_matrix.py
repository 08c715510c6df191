from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.matrix import Cell, load_matrix

ROOT = Path(__file__).resolve().parents[2]


def test_project_matrix_spans_5x_to_16x_and_2020_to_newest() -> None:
    matrix = load_matrix(ROOT / "pyproject.toml")
    majors = {int(v.split(".")[0]) for v in matrix.stripe}
    assert min(majors) == 5
    assert max(majors) == 16
    assert len(matrix.stripe) >= 6
    assert matrix.api_versions[0] == "2020-08-27"
    assert {"2023-10-16", "2024-06-20", "2025-03-31.basil"} <= set(matrix.api_versions)
    assert len(matrix.cells) == len(matrix.stripe) * len(matrix.api_versions)
    assert matrix.recording_stripe in matrix.stripe


def test_cell_parse_round_trips_and_rejects_bad_input() -> None:
    cell = Cell.parse("16.1.0@2025-03-31.basil")
    assert cell == Cell("16.1.0", "2025-03-31.basil")
    assert Cell.parse(cell.id) == cell
    with pytest.raises(ConfigError, match="STRIPE_VERSION@API_VERSION"):
        Cell.parse("16.1.0")
    with pytest.raises(ConfigError, match="not a Stripe API version"):
        Cell.parse("16.1.0@basil")
    with pytest.raises(ConfigError, match="exact stripe-python release"):
        Cell.parse("16@2024-06-20")


def test_missing_matrix_table_says_what_to_add(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"\[tool.stripe-compat.matrix\]"):
        load_matrix(tmp_path / "pyproject.toml")

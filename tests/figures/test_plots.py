"""The plots (pa_study.figures.plots, drawn through the catalogue): every figure draws from results
files, as SVG without a date, identically twice."""

from __future__ import annotations

import pytest

from pa_study.errors import InputError
from pa_study.figures import FIGURES, draw_figure
from pa_study.results import StudyResults


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("name", list(FIGURES))
def test_every_figure_is_drawn_as_undated_svg(results, name, language, tmp_path):
    path = tmp_path / f"{name}.svg"
    draw_figure(name, results, path, language)
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    assert "<dc:date>" not in text


@pytest.mark.parametrize(
    "name", ["identification_errors", "income_effects", "capability_by_status", "county_panel_formalism"]
)
def test_a_figure_drawn_twice_is_byte_identical(results, name, tmp_path):
    draw_figure(name, results, tmp_path / "a.svg")
    draw_figure(name, results, tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_a_figure_without_its_tables_says_which_are_missing(tmp_path):
    empty = StudyResults(counties=["H"], names={"H": "H county"})
    with pytest.raises(InputError, match="sensitivity"):
        draw_figure("poverty_line_sensitivity", empty, tmp_path / "x.svg")

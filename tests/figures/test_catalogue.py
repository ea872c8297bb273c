"""Which figures there are (pa_study.figures.catalogue)."""

from __future__ import annotations

import pytest

from pa_study.errors import InputError
from pa_study.figures import FIGURES, draw_figure
from pa_study.indicators import FAMILIES


def test_unknown_figure_names_the_known_ones(results, tmp_path):
    with pytest.raises(InputError, match="identification_errors"):
        draw_figure("no_such_figure", results, tmp_path / "x.svg")


def test_the_catalogue_holds_every_family_figure_and_one_county_panel_per_family():
    for family in FAMILIES.values():
        assert set(family.figures) <= set(FIGURES)
        assert FIGURES[f"county_panel_{family.name}"].families == (family.name,)
    assert len(FIGURES) == sum(len(f.figures) for f in FAMILIES.values()) + len(FAMILIES)

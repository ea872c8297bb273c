"""The family registry: what every stage after the indicators reads to know the families."""

from __future__ import annotations

import importlib

import pytest

from pa_study.errors import InputError
from pa_study.figures import FIGURES, plots
from pa_study.indicators import FAMILIES, indicator_family
from pa_study.report.text import words


@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_family_module_exposes_its_registered_object(name: str) -> None:
    family = FAMILIES[name]
    assert importlib.import_module(f"pa_study.indicators.{name}").FAMILY is family
    assert family.name == name and family.title_en and family.title_zh
    assert set(family.required) <= set(family.instruments)
    assert indicator_family(name) is family


@pytest.mark.parametrize("name", list(FAMILIES))
def test_a_familys_figures_are_drawn_by_existing_functions_from_its_results(name: str) -> None:
    family = FAMILIES[name]
    for figure, spec in family.figures.items():
        assert FIGURES[figure] is spec
        assert name in spec.families and callable(getattr(plots, spec.function))
    assert f"county_panel_{name}" in FIGURES


def test_an_unknown_family_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="unknown indicator family 'wellbeing'; expected one of identification"):
        indicator_family("wellbeing")


def test_the_report_takes_family_titles_from_the_registry_only() -> None:
    for language in ("en", "zh"):
        assert not [key for key in words(language) if key.startswith("family_")]

"""The specifications of the multiverse (pa_study.multiverse.grid): every combination of the listed
values, the configured one first and named baseline, duplicates merged, values checked."""

from __future__ import annotations

import copy

import pytest

from pa_study.config import load_schema
from pa_study.errors import InputError
from pa_study.indicators import FAMILIES
from pa_study.multiverse import BASELINE, check_multiverse, family_specifications, multiverse_counties
from pa_study.multiverse.grid import specification_key
from tests.helpers.project import ROOT, config


def with_grid(family: str, choices: dict, headlines: tuple = ("wrongful_exit_rate",), **top) -> dict:
    settings = copy.deepcopy(config())
    settings["multiverse"] = {
        "counties": "focal",
        "families": {family: {"headlines": list(headlines), "choices": choices}},
    }
    settings.update(top)
    return settings


def test_every_combination_is_a_specification_and_the_configured_one_is_the_baseline():
    specs = family_specifications(
        with_grid("identification", {"eligibility": ["income", "items"], "missing_item": ["not_failed", "unknown"]}),
        "identification",
        "H",
    )
    # The configured eligibility (income_or_items) is added to the listed values: 3 x 2.
    assert len(specs) == 6
    assert specs[0].key == BASELINE and specs[0].baseline
    assert specs[0].settings.to_dict() == FAMILIES["identification"].settings_from_config(config(), "H").to_dict()
    assert specs[0].choices == {"eligibility": "income_or_items", "missing_item": "not_failed"}
    for spec in specs[1:]:
        assert spec.key == specification_key(spec.choices)
        assert spec.settings.identification.eligibility == spec.choices["eligibility"]
        assert spec.settings.identification.missing_item == spec.choices["missing_item"]
    assert len({spec.key for spec in specs}) == 6


def test_values_that_stand_for_longer_settings_are_expanded():
    specs = family_specifications(with_grid("income", {"winsorise": [None, 0.05]}), "income", "H")
    winsorised = [s for s in specs if s.choices["winsorise"] == 0.05]
    assert winsorised[0].settings.income.winsorise.to_dict() == {"lower": 0.05, "upper": 0.95}
    assert specs[0].baseline and specs[0].choices["winsorise"] is None


def test_the_national_line_is_one_specification_where_the_county_has_no_provincial_line():
    grid = with_grid("identification", {"poverty_line": ["configured", "national"]})
    # Yishui has Shandong's own 2015 line; Lankao (Henan) has only the national lines.
    assert len(family_specifications(grid, "identification", "Yishui")) == 2
    assert len(family_specifications(grid, "identification", "Lankao")) == 1


def test_the_lines_year_is_a_choice_whose_baseline_is_the_exit_years_line():
    grid = with_grid("identification", {"line_year": ["survey_year"]})
    check_multiverse(grid, load_schema(ROOT / "config.schema.yaml"))
    specs = family_specifications(grid, "identification", "H")
    assert [spec.choices for spec in specs] == [{"line_year": "exit_year"}, {"line_year": "survey_year"}]
    assert specs[0].baseline and specs[0].settings.identification.exit_line_year == "exit_year"
    assert specs[1].settings.identification.exit_line_year == "survey_year"


def test_the_counties_are_the_focal_one_unless_all_are_asked_for():
    assert multiverse_counties(with_grid("income", {"comparison": ["not_active"]})) == ["H"]
    settings = with_grid("income", {"comparison": ["not_active"]})
    settings["multiverse"]["counties"] = "all"
    assert multiverse_counties(settings) == ["H", "Yishui", "Boxing", "Lankao"]


@pytest.mark.parametrize(
    ("family", "choices", "message"),
    [
        ("nowhere", {"x": [1]}, "no indicator family is called 'nowhere'"),
        ("income", {"eligibility": ["income"]}, "which the income family does not declare"),
        ("identification", {"eligibility": ["assets"]}, "'assets' is not one of income_or_items, income, items"),
        ("identification", {"af_k": [1.5]}, "the value 1.5 does not fit the config"),
        ("identification", {"line_year": ["previous_year"]}, "'previous_year' is not one of exit_year, survey_year"),
    ],
)
def test_a_grid_the_families_do_not_allow_is_refused_naming_the_key(family, choices, message):
    with pytest.raises(InputError, match=message):
        check_multiverse(with_grid(family, choices), load_schema(ROOT / "config.schema.yaml"))


def test_the_repository_grid_is_valid_and_small():
    check_multiverse(config(), load_schema(ROOT / "config.schema.yaml"))
    jobs = sum(len(family_specifications(config(), f, "H")) - 1 for f in config()["multiverse"]["families"])
    assert jobs == 11

"""What the comparison jobs depend on, and that the per-county jobs do not depend on it."""

from __future__ import annotations

import pytest

from pa_study.compare import comparison_settings
from pa_study.errors import InputError
from pa_study.indicators import FAMILIES, family_settings
from tests.helpers.project import config


def test_each_part_takes_the_studied_counties_and_its_own_options():
    base = config()
    base["comparison"]["published_only"] = ["Juancheng", "Lankao"]
    pooled = comparison_settings(base, "pooled").to_dict()
    published = comparison_settings(base, "published").to_dict()
    assert pooled["focal"] == "H" and pooled["benchmarks"] == ["Yishui", "Boxing", "Lankao"]
    assert pooled["counties"]["H"] == {"name": "H county", "name_zh": "H县", "synthetic": True}
    assert pooled["pooled"] == {"burden_controls": ["role", "years_in_post"]} and "published_only" not in pooled
    assert published["published_only"] == ["Juancheng"]  # Lankao has microdata: it is a benchmark already
    with pytest.raises(InputError, match="unknown comparison part 'figures'"):
        comparison_settings(base, "figures")


def test_swapping_the_focal_county_changes_no_per_county_setting():
    base, swapped = config(), config()
    swapped["focal"], swapped["benchmarks"] = "Lankao", ["H", "Boxing"]
    for county in base["counties"]:
        for family in FAMILIES:
            assert family_settings(base, family, county) == family_settings(swapped, family, county)
    assert comparison_settings(base, "microdata") != comparison_settings(swapped, "microdata")

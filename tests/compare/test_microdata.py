"""Focal − benchmark contrasts: the arithmetic on hand-made indicator files, Holm's adjustment, and
the planted differences between the demo counties recovered."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pa_study.compare.microdata import (
    PART,
    adjusted_intervals,
    difference_row,
    holm_adjusted,
    holm_levels,
    microdata_result,
)
from pa_study.results import study_results
from tests.helpers.compare_data import BENCHMARKS, demo_study, family_file, names, row, settings
from tests.helpers.demo_data import truth


def test_holm_matches_r_p_adjust():
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") -> 0.03 0.06 0.06 0.02
    assert holm_adjusted([0.01, 0.04, None, 0.03, 0.005]) == pytest.approx([0.03, 0.06, None, 0.06, 0.02])
    assert holm_adjusted([None]) == [None]
    assert holm_adjusted([0.5, 0.9]) == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize("seed", range(20))
def test_the_holm_consistent_interval_excludes_zero_exactly_when_holm_rejects(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(2, 12))
    estimates, ses = rng.normal(0, 3, m), rng.uniform(0.5, 2.0, m)
    p_values = [float(2 * stats.norm.sf(abs(e) / s)) for e, s in zip(estimates, ses, strict=True)]
    rows = [{"estimate": e, "se": s, "p_value": p} for e, s, p in zip(estimates, ses, p_values, strict=True)]
    rows.append({"estimate": 1.0, "se": 0.0, "p_value": None})  # a census contrast: no test, no interval
    intervals = adjusted_intervals(rows, 0.95)
    assert intervals[-1] == (None, None, None, None)
    assert holm_levels(rows, 0.95)[-1] is None
    for contrast, p_holm, (low, high, b_low, b_high) in zip(rows, holm_adjusted(p_values), intervals, strict=False):
        assert (low > 0 or high < 0) == (p_holm < 0.05)
        half = stats.norm.ppf(1 - 0.05 / (2 * m)) * contrast["se"]
        assert (b_low, b_high) == pytest.approx((contrast["estimate"] - half, contrast["estimate"] + half))
        # The Holm-consistent interval is never wider than Bonferroni's and never narrower than unadjusted.
        assert high - low <= b_high - b_low + 1e-12
        assert high - low >= 2 * 1.959963984540054 * contrast["se"] - 1e-12
        # Each interval is the one of its Holm step's level.
        step = holm_levels(rows, 0.95)[rows.index(contrast)]
        assert high - contrast["estimate"] == pytest.approx(stats.norm.ppf(0.5 + step / 2) * contrast["se"])


def test_difference_of_independent_estimates():
    contrast = difference_row(
        "identification",
        row("missed_rate", 0.10, 0.03, n=400, threshold=0.02),
        row("missed_rate", 0.04, 0.04, n=300),
        focal="H",
        benchmark="Lankao",
        level=0.95,
    )
    assert contrast["estimate"] == pytest.approx(0.06)
    assert contrast["se"] == pytest.approx(0.05)
    assert (contrast["ci_low"], contrast["ci_high"]) == pytest.approx((0.06 - 1.959964 * 0.05, 0.06 + 1.959964 * 0.05))
    assert contrast["p_value"] == pytest.approx(2 * (1 - 0.884930), abs=1e-6)  # 2 * (1 - Phi(1.2))
    assert contrast["n"] == 700 and contrast["threshold"] == 0.02
    assert (contrast["name"], contrast["focal"], contrast["benchmark"]) == ("missed_rate", "H", "Lankao")
    assert "note" not in contrast


def test_contrasts_between_counties_judged_against_different_lines_are_flagged():
    same = {"2020": 4000}
    args = {"focal": "H", "benchmark": "Yishui", "level": 0.95}
    kept = difference_row(
        "identification", row("x", 0.1, 0.02, poverty_lines=same), row("x", 0.05, 0.02, poverty_lines=same), **args
    )
    assert kept["different_lines"] is False and "note" not in kept
    flagged = difference_row(
        "identification",
        row("x", 0.1, 0.02, poverty_lines={"2015": 2855, "2020": 4000}),
        row("x", 0.05, 0.02, poverty_lines={"2015": 3372, "2020": 4000}),
        **args,
    )
    assert flagged["different_lines"] is True and flagged["estimate"] == pytest.approx(0.05)
    assert "H: 2015: 2855, 2020: 4000; Yishui: 2015: 3372, 2020: 4000" in flagged["note"]


def test_verdict_rows_are_not_contrasted(tmp_path):
    verdict = {"name": "exit_verdict", "kind": "verdict", "verdict": "fail", "estimate": None, "n": 0}
    items = [
        family_file(tmp_path, county, "identification", [row("missed_rate", 0.02, 0.01), verdict])
        for county in ("H", "Yishui")
    ]
    result = microdata_result(study_results(items, names("H", ("Yishui",))), settings("microdata", "H", ("Yishui",)))
    assert [r["name"] for r in result.headline] == ["missed_rate"]
    assert "exit_verdict" not in set(result.tables["county_estimates"]["name"])


def test_contrasts_without_an_estimate_or_sampling_error_say_why():
    missing = difference_row(
        "income", row("att_earned_pc", 400.0, 90.0), None, focal="H", benchmark="Lankao", level=0.95
    )
    assert missing["estimate"] is None and missing["reliable"] is False and missing["note"] == "no estimate for Lankao"
    census = difference_row(
        "projects",
        row("projects_operating_share", 0.6, 0.0),
        row("projects_operating_share", 0.8, 0.0),
        focal="H",
        benchmark="Lankao",
        level=0.95,
    )
    assert census["estimate"] == pytest.approx(-0.2) and census["p_value"] is None
    assert "census" in census["note"]
    boundary = difference_row(
        "identification",
        row("inclusion_error", 0.07, 0.03),
        row("inclusion_error", 0.0, 0.0),
        focal="H",
        benchmark="Lankao",
        level=0.95,
    )
    assert boundary["p_value"] is not None and "SE of Lankao is 0" in boundary["note"]


def test_every_headline_indicator_against_every_benchmark_with_holm_per_family(tmp_path):
    items = [
        family_file(tmp_path, "H", "identification", [row("missed_rate", 0.05, 0.01), row("accuracy", 0.8, 0.02)]),
        family_file(tmp_path, "Yishui", "identification", [row("missed_rate", 0.01, 0.01), row("accuracy", 0.8, 0.02)]),
        family_file(tmp_path, "Lankao", "identification", [row("missed_rate", 0.02, 0.01)]),
        family_file(tmp_path, "H", "income", [row("att_earned_pc", 300.0, 100.0)]),
        family_file(tmp_path, "Yishui", "income", [], status="skipped"),
    ]
    result = microdata_result(
        study_results(items, names("H", ("Yishui", "Lankao"))), settings("microdata", "H", ("Yishui", "Lankao"))
    )
    keys = [(r["family"], r["name"], r["benchmark"]) for r in result.headline]
    assert keys == [
        ("identification", "missed_rate", "Yishui"),
        ("identification", "accuracy", "Yishui"),
        ("identification", "missed_rate", "Lankao"),
        ("identification", "accuracy", "Lankao"),
        ("income", "att_earned_pc", "Yishui"),
        ("income", "att_earned_pc", "Lankao"),
    ]
    identification = [r for r in result.headline if r["family"] == "identification"]
    raw = [r["p_value"] for r in identification]
    assert [r["p_holm"] for r in identification] == pytest.approx(holm_adjusted(raw))
    assert identification[0]["p_holm"] == pytest.approx(3 * identification[0]["p_value"])
    # H - Lankao's missed rate (p = 0.034) is the first contrast Holm keeps, at the 2.5% step: its
    # adjusted interval includes zero, and its MDE is the one at that step's level, above the difference.
    missed_lankao = identification[2]
    assert missed_lankao["ci_low_adjusted"] < 0 < missed_lankao["ci_high_adjusted"]
    step_mde = (stats.norm.ppf(1 - 0.05 / 4) + stats.norm.ppf(0.8)) * missed_lankao["se"]
    assert missed_lankao["mde_adjusted"] == pytest.approx(step_mde)
    assert missed_lankao["estimate"] < missed_lankao["mde_adjusted"]
    assert identification[0]["mde_adjusted"] == pytest.approx(
        (stats.norm.ppf(1 - 0.05 / 6) + stats.norm.ppf(0.8)) * identification[0]["se"]
    )
    assert identification[3]["mde_adjusted"] is None
    assert identification[3]["note"] == "no estimate for Lankao"
    assert any("income of Yishui is skipped" in note for note in result.notes)
    assert set(result.tables) == set(PART.tables) and len(result.tables["contrasts"]) == 6


def test_no_benchmark_means_nothing_to_compare(tmp_path):
    items = [family_file(tmp_path, "H", "income", [row("att_earned_pc", 300.0, 100.0)])]
    result = microdata_result(study_results(items, names("H", ())), settings("microdata", "H", ()))
    assert result.status == "skipped" and result.headline == []
    assert list(result.tables["contrasts"].columns)[:3] == ["family", "name", "label"]


# ---- the demo counties: planted differences recovered -----------------------------------------


@pytest.fixture(scope="module")
def contrasts():
    result = microdata_result(demo_study(), settings("microdata"))
    return {(r["name"], r["benchmark"]): r for r in result.headline}


def _population(county: str, section: str, name: str) -> float:
    if county == "Boxing" and name == "wrongful_exit_rate":
        name += (
            "_latest_cohort"  # Boxing supplies no register income at exit: its exits are judged on the latest cohort
        )
    return truth(county)["population"][section][name]


@pytest.mark.parametrize("county", BENCHMARKS)
@pytest.mark.parametrize(
    ("name", "section", "population_name"),
    [
        ("share_formalism", "burden", "share_formalism"),
        ("share_fieldwork", "burden", "share_fieldwork"),
        ("wrongful_exit_rate", "identification", "wrongful_exit_rate"),
        ("missed_rate", "identification", "missed_rate"),
    ],
)
def test_planted_differences_fall_inside_the_contrast_ci(contrasts, county, name, section, population_name):
    planted = _population("H", section, population_name) - _population(county, section, population_name)
    contrast = contrasts[(name, county)]
    assert contrast["ci_low"] <= planted <= contrast["ci_high"], (name, county, planted, contrast)
    assert math.copysign(1, contrast["estimate"]) == math.copysign(1, planted)


@pytest.mark.parametrize("county", BENCHMARKS)
def test_the_focal_countys_smaller_income_effect_has_the_planted_sign(contrasts, county):
    # H's planted effect (300 yuan) is the smallest of the four; the difference of two separately
    # estimated effects is noisy (its interval covers the planted difference for Yishui only on this
    # sample; the pooled model's interaction covers all three, see test_pooled).
    planted = _population("H", "industry", "att_realised") - _population(county, "industry", "att_realised")
    assert planted < 0 and contrasts[("att_earned_pc", county)]["estimate"] < 0

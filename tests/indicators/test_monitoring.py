"""Monitoring family (after 2020): targeting of the monitoring list, relapse risk, vulnerability,
relative and international lines, on small hand-made tables and a simulated county."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from pa_study.indicators import family_settings
from pa_study.indicators.monitoring import (
    fit_vulnerability,
    fixed_lines,
    monitoring_indicators,
    weighted_median,
    with_share_deff,
)
from pa_study.indicators.output import ZERO_VARIANCE_DEFF, headline_row
from pa_study.stats import Estimate
from tests.helpers.indicator_data import households, settings
from tests.helpers.project import config

#: 2,000 yuan per person: below the line (4,000) and the threshold (6,000).
POOR = {"inc_total": 8000.0, "inc_wage": 4000.0, "inc_business": 2000.0, "inc_property": 1000.0, "inc_transfer": 1000.0}
#: 5,000 yuan per person: above the line, below the threshold, in the vulnerable band.
NEAR = {
    "inc_total": 20000.0,
    "inc_wage": 12000.0,
    "inc_business": 6000.0,
    "inc_property": 1000.0,
    "inc_transfer": 1000.0,
}
EXITED = {"registered": True, "exited": True}


def options(**changes):
    return settings("monitoring", proportion_interval="wald", min_sample={"households": 10, "group": 2}, **changes)


def row(result, name):
    return next(r for r in result.headline if r["name"] == name)


def test_a_countys_own_threshold_replaces_the_national_one() -> None:
    base = config()
    base["indicators"]["monitoring"]["thresholds"] = [
        {"year": 2020, "value": 6000, "source": "national"},
        {"year": 2020, "value": 6500, "counties": ["Yishui"], "source": "Shandong"},
    ]
    assert family_settings(base, "monitoring", "Yishui").threshold(2020) == 6500
    assert family_settings(base, "monitoring", "H").threshold(2020) == 6000
    assert family_settings(base, "monitoring", "H").threshold(2022) is None


def targeting_sample() -> pd.DataFrame:
    """40 households in the target population: 10 below the threshold (6 monitored), 30 above (2
    monitored); plus 5 current registered households below it, none monitored (not in the target)."""
    rows = (
        [{**EXITED, **POOR, "monitored": True, "monitoring_group": "unstable_exited", "exit_year": 2018}] * 3
        + [{**NEAR, "monitored": True, "monitoring_group": "marginal"}] * 3
        + [{**NEAR, "monitored": False}] * 4
        + [{"monitored": True, "monitoring_group": "sudden_difficulty"}] * 2
        + [{"monitored": False}] * 28
        + [{"registered": True, **POOR, "monitored": False}] * 5
    )
    return households([dict(r) for r in rows])


def test_monitoring_list_coverage_and_errors_count_the_target_population() -> None:
    result = monitoring_indicators({"households": targeting_sample()}, options())
    assert row(result, "below_threshold_share")["estimate"] == pytest.approx(10 / 40)
    assert row(result, "monitored_share")["estimate"] == pytest.approx(8 / 40)
    assert row(result, "monitoring_coverage_rate")["estimate"] == pytest.approx(6 / 10)
    targeting = result.tables["targeting"].set_index("rate")
    assert targeting.at["monitoring_exclusion_error", "estimate"] == pytest.approx(4 / 10)
    assert "monitoring_exclusion_error" not in {r["name"] for r in result.headline}
    assert row(result, "monitoring_inclusion_error")["estimate"] == pytest.approx(2 / 8)
    assert row(result, "monitoring_coverage_rate")["n"] == 10
    coverage = row(result, "monitoring_coverage_rate")
    assert coverage["deff"] > 0 and coverage["n_effective"] == pytest.approx(10 / coverage["deff"])
    everyone = monitoring_indicators(
        {"households": targeting_sample()}, options(monitoring={"target_population": "all"})
    )
    assert row(everyone, "monitoring_coverage_rate")["estimate"] == pytest.approx(6 / 15)


def test_monitoring_groups_say_whom_they_hold_and_whom_they_reach() -> None:
    groups = monitoring_indicators({"households": targeting_sample()}, options()).tables["by_group"]
    table = groups.set_index(["monitoring_group", "measure"])["estimate"]
    assert table["unstable_exited", "share_of_monitored"] == pytest.approx(3 / 8)
    assert table["sudden_difficulty", "below_threshold_share"] == pytest.approx(0.0)
    assert table["unstable_exited", "coverage_rate"] == pytest.approx(1.0)  # all 3 exited below it are listed
    assert table["marginal", "coverage_rate"] == pytest.approx(3 / 7)  # 7 never registered below it
    assert ("sudden_difficulty", "coverage_rate") not in table.index


def test_without_a_threshold_for_the_survey_year_the_list_is_not_assessed_and_says_so() -> None:
    result = monitoring_indicators(
        {"households": targeting_sample()},
        options(monitoring={"thresholds": [{"year": 2021, "value": 6300, "source": "a province"}]}),
    )
    assert result.status == "partial"
    assert any("no threshold for 2020" in note for note in result.notes)
    assert row(result, "monitoring_coverage_rate")["estimate"] is None
    assert row(result, "exited_below_line_share")["estimate"] is not None


def test_relapse_risk_by_exit_cohort_cause_and_band() -> None:
    rows = (
        [{**EXITED, **POOR, "exit_year": 2016, "poverty_cause": "illness"}] * 4
        + [{**EXITED, "exit_year": 2016, "poverty_cause": "illness"}] * 4
        + [{**EXITED, **NEAR, "exit_year": 2019, "poverty_cause": "lack_skills"}] * 6
        + [{**EXITED, **POOR, "exit_year": 2019, "poverty_cause": "lack_skills"}] * 2
        + [{**EXITED, "exit_year": 2019, "poverty_cause": "lack_skills"}] * 4
        + [{}] * 10
    )
    result = monitoring_indicators({"households": households([dict(r) for r in rows])}, options())
    assert row(result, "exited_below_line_share")["estimate"] == pytest.approx(6 / 20)
    assert row(result, "exited_vulnerable_band_share")["estimate"] == pytest.approx(6 / 20)
    assert row(result, "exited_below_line_share_difference")["estimate"] == pytest.approx(4 / 8 - 2 / 12)
    cohorts = result.tables["relapse_by_cohort"].set_index(["exit_cohort", "rate"])["estimate"]
    assert cohorts["2016", "exited_below_line_share"] == pytest.approx(0.5)
    assert cohorts["2019", "exited_vulnerable_band_share"] == pytest.approx(0.5)
    causes = result.tables["relapse_by_cause"].set_index(["poverty_cause", "rate"])["estimate"]
    assert causes["lack_skills", "exited_below_line_share"] == pytest.approx(2 / 12)
    for name in ("exited_below_line_share", "exited_vulnerable_band_share"):
        assert row(result, name)["ci_low"] == pytest.approx(cohorts_ci(result, name))
        assert row(result, name)["deff"] > 0 and row(result, name)["n_effective"] > 0


def cohorts_ci(result, name: str) -> float:
    """The lower bound of the relapse table's row over all exited households."""
    table = result.tables["relapse_by_cohort"]
    return float(table[(table["exit_cohort"] == "all") & (table["rate"] == name)]["ci_low"].iloc[0])


def simulated_county(n: int = 3000, seed: int = 7) -> tuple[pd.DataFrame, float]:
    """Households whose log per-capita income is X b + s(X) e with known b and s, and the share
    truly vulnerable (probability of income below 4,000 at least 0.5, i.e. X b <= ln 4000)."""
    rng = np.random.default_rng(seed)
    size = rng.integers(1, 7, n)
    schooling = rng.integers(0, 16, n)
    labour = np.minimum(size, rng.integers(0, 4, n))
    mean = 8.0 + 0.08 * schooling + 0.1 * labour - 0.05 * size
    sd = np.sqrt(0.15 + 0.05 * size)
    income = np.exp(mean + sd * rng.standard_normal(n)) * size
    rows = [
        {
            "hh_size": int(s),
            "head_schooling": int(e),
            "labour_count": int(lab),
            "inc_total": float(y),
            "inc_wage": float(y),
            "inc_business": 0.0,
            "inc_property": 0.0,
            "inc_transfer": 0.0,
            # A large frame: the sample is far from the whole population (no finite-population shrinkage).
            "fpc_villages": 1000,
        }
        for s, e, lab, y in zip(size, schooling, labour, income, strict=True)
    ]
    return households(rows, townships=6, villages=8), float(np.mean(mean <= np.log(4000)))


def test_vulnerability_recovers_the_planted_share_and_the_variance_equation() -> None:
    table, truth = simulated_county()
    vulnerability = {"covariates": ["hh_size", "head_schooling", "labour_count"], "variance_model": "linear"}
    result = monitoring_indicators(
        {"households": table}, options(monitoring={"vulnerability": vulnerability, "replication": {"replicates": 60}})
    )
    share = row(result, "vulnerable_share")
    assert share["ci_low"] <= truth <= share["ci_high"]
    assert 0 < share["se"] < 0.03
    model = result.tables["vulnerability_model"].set_index("term")
    assert model.at["head_schooling", "mean_equation"] == pytest.approx(0.08, abs=0.02)
    assert model.at["hh_size", "variance_equation"] == pytest.approx(0.05, abs=0.03)


def test_cjs_probability_is_the_normal_cdf_of_the_standardised_gap() -> None:
    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(500), rng.normal(size=500)])
    y = 8 + 0.5 * x[:, 1] + rng.normal(scale=0.4, size=500)
    model = fit_vulnerability(x, y, np.ones(500), np.log(3000), variance_model="exponential")
    assert model.beta == pytest.approx([8, 0.5], abs=0.1)
    assert ((model.probability >= 0.5) == (x @ model.beta <= np.log(3000))).all()


@pytest.mark.parametrize("variance_model", ["exponential", "linear"])
def test_a_cjs_fit_in_a_reused_workspace_is_the_fit_without_one(variance_model: str) -> None:
    rng = np.random.default_rng(5)
    x = np.column_stack([np.ones(400), rng.normal(size=400), rng.integers(1, 6, 400)])
    y = 8 + 0.5 * x[:, 1] + rng.normal(scale=0.2 * x[:, 2], size=400)
    workspace = np.full_like(x, np.nan)
    for weights in (rng.uniform(1, 3, 400), rng.uniform(1, 3, 400)):
        alone = fit_vulnerability(x, y, weights, np.log(3000), variance_model=variance_model)
        reused = fit_vulnerability(x, y, weights, np.log(3000), variance_model=variance_model, workspace=workspace)
        for field in ("beta", "theta", "probability"):
            assert np.array_equal(getattr(reused, field), getattr(alone, field)), field
        assert reused.floored == alone.floored


def test_relative_poverty_uses_the_weighted_median_and_replicates_it() -> None:
    table, _ = simulated_county(n=800)
    result = monitoring_indicators({"households": table}, options(monitoring={"replication": {"replicates": 50}}))
    income = (table["inc_total"] / table["hh_size"]).to_numpy(dtype=float)
    persons = table["hh_size"].to_numpy(dtype=float)
    median = weighted_median(income, persons)
    assert row(result, "median_income_pc")["estimate"] == pytest.approx(median)
    forty = row(result, "relative_poverty_40_rate")
    assert forty["estimate"] == pytest.approx(np.average(income < 0.4 * median, weights=persons))
    assert forty["se"] > 0 and forty["ci_low"] >= 0
    assert forty["deff"] > 0 and forty["n_effective"] == pytest.approx(forty["n"] / forty["deff"])
    national = row(result, "national_relative_poverty_50_rate")
    assert national["estimate"] == pytest.approx(np.average(income < 0.5 * 15204, weights=persons))


def test_a_replicated_share_has_its_variance_over_the_simple_random_samples() -> None:
    share = Estimate(name="s", estimate=0.2, se=0.02, ci_low=0.16, ci_high=0.24, n=400)
    with_deff = with_share_deff(share, n=400, population=10_000)
    assert with_deff.deff == pytest.approx(0.02**2 / ((1 - 400 / 10_000) * 0.2 * 0.8 / 399))
    assert with_deff.n_effective == pytest.approx(400 / with_deff.deff)
    # At 0 the SRS variance is zero: the design effect is undefined, and the headline row says so.
    at_zero = with_share_deff(dataclasses.replace(share, estimate=0.0), n=400, population=10_000)
    assert math.isnan(at_zero.deff)
    row = headline_row("s", "s", at_zero, "def")
    assert row["deff"] is None and row["n_effective"] is None and row["deff_note"] == ZERO_VARIANCE_DEFF


def test_international_lines_move_from_ppp_prices_to_the_survey_year() -> None:
    lines, notes = fixed_lines(options(), 4000.0, 6000.0)
    values = lines.set_index("line_name")["line"]
    assert values["usd_2_15_ppp2017"] == pytest.approx(2.15 * 365 * 4.1466 * 1.021 * 1.032 * 1.030)
    assert values["usd_3_00_ppp2021"] == pytest.approx(3.00 * 365 * 4.0128 / 1.007)
    assert values["usd_4_20_ppp2021"] == pytest.approx(4.20 * 365 * 4.0128 / 1.007)
    assert values["usd_8_30_ppp2021"] == pytest.approx(8.30 * 365 * 4.0128 / 1.007)
    assert values["monitoring_threshold"] == 6000 and values["vulnerable_band"] == 6000
    assert not notes
    rural = fixed_lines(options(monitoring={"international": {"ppp": "rural"}}), 4000.0, None)[0].set_index("line_name")
    assert rural.at["usd_2_15_ppp2017", "line"] == pytest.approx(2.15 * 365 * 3.4950 * 1.021 * 1.032 * 1.030)
    assert "monitoring_threshold" not in rural.index
    short = options(monitoring={"international": {"cpi": [{"year": 2018, "index": 102.1, "source": "s"}]}})
    kept, notes = fixed_lines(short, 4000.0, 6000.0)
    assert "usd_2_15_ppp2017" not in set(kept["line_name"])
    assert any("no price index for [2019, 2020]" in note for note in notes)


def test_headcounts_at_the_international_lines_are_headline_rows() -> None:
    result = monitoring_indicators({"households": targeting_sample()}, options())
    names = {r["name"] for r in result.headline}
    assert {f"p0_usd_{d}_ppp2017" for d in ("2_15", "3_65", "6_85")} <= names
    assert {f"p0_usd_{d}_ppp2021" for d in ("3_00", "4_20", "8_30")} <= names
    fgt = result.tables["fgt_at_lines"]
    assert set(fgt["measure"]) == {"P0", "P1"}
    persons_poor = 3 * 4 + 5 * 4  # households of 4 at 2,000 yuan per person
    p0 = fgt[(fgt["line_name"] == "poverty_line") & (fgt["measure"] == "P0")]["estimate"].iloc[0]
    assert p0 == pytest.approx(persons_poor / (45 * 4))


def test_the_cause_difference_is_not_estimated_when_no_exited_household_is_below_the_line() -> None:
    rows = [{**EXITED, "exit_year": 2018, "poverty_cause": cause} for cause in ("illness", "lack_skills")] * 10
    result = monitoring_indicators({"households": households([dict(r) for r in rows] + [{}] * 10)}, options())
    difference = row(result, "exited_below_line_share_difference")
    assert difference["estimate"] is None and "same side of the line" in difference["note"]
    assert row(result, "exited_below_line_share")["estimate"] == 0

"""A county's plan for its next survey (pa_study.plan): the current design read from the sample,
the scenarios planned from it, the MDEs, and the plan of a demo county."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pa_study.design import PSU, STRATUM, WEIGHT
from pa_study.files import read_json, write_json
from pa_study.indicators.output import json_ready
from pa_study.plan import PlanSettings
from pa_study.plan.run import (
    contrast_plan,
    county_plan,
    effect_plan,
    rate_design,
    run_plan,
    scenario,
)
from pa_study.stats import kish_deff, minimum_detectable_effect
from pa_study.stats.planning import intraclass_correlation, verdict_power
from tests.helpers.demo_data import demo_clean_dir, demo_result, demo_tables
from tests.helpers.project import codebook, config

ROW = {"name": "wrongful_exit_rate", "threshold": 0.02, "threshold_operator": "<", "estimate": 0.03}


def clustered_units(rho: float, *, villages: int = 60, per_village: int = 8, rate: float = 0.05, seed: int = 1):
    """Sampled units of a rate with a known intra-village correlation (beta-binomial villages), in
    six townships, with weights that vary between villages."""
    rng = np.random.default_rng(seed)
    spread = (1 - rho) / rho
    village_rate = rng.beta(rate * spread, (1 - rate) * spread, size=villages)
    village = np.repeat(np.arange(villages), per_village)
    return pd.DataFrame(
        {
            STRATUM: village % 6,
            PSU: village,
            WEIGHT: np.repeat(rng.uniform(50, 150, size=villages), per_village),
            "below": (rng.random(village.size) < village_rate[village]).astype(float),
        }
    )


def test_the_current_design_is_read_from_the_sampled_units():
    units = clustered_units(0.1)
    design = rate_design("wrongful_exit_rate", units, ROW, strata=6, villages=60)
    assert (design.n, design.villages, design.per_village) == (480, 60, 8.0)
    assert design.rho == design.rho_estimated == pytest.approx(intraclass_correlation(units["below"], units[PSU]))
    assert design.weighting_deff == pytest.approx(kish_deff(units[WEIGHT]))
    assert (design.threshold, design.operator, design.estimate) == (0.02, "<", 0.03)
    # The measured design effect implies a rate of homogeneity of the same sign and size as ANOVA's.
    assert design.deff is not None and design.deff > 1
    assert design.rho_from_deff == pytest.approx(design.rho, abs=0.1)


def test_a_negative_intra_village_correlation_is_planned_as_none():
    units = clustered_units(0.1).assign(below=np.tile([1.0, 0.0], 240))  # every village the same share
    design = rate_design("missed_rate", units, ROW, strata=6, villages=60)
    assert design.rho_estimated < 0
    assert design.rho == 0.0


def test_a_scenario_certifies_a_low_rate_and_detects_a_high_one_with_the_wanted_power():
    design = rate_design("wrongful_exit_rate", clustered_units(0.05), ROW, strata=6, villages=60)
    options = {"power": 0.8, "level": 0.95, "interval": "korn_graubard", "cost_ratio": 8.0}
    certify, detect = scenario(design, 0.01, **options), scenario(design, 0.04, **options)
    assert (certify["verdict"], detect["verdict"]) == ("pass", "fail")
    assert certify["current_power"] == pytest.approx(
        verdict_power(0.01, 0.02, design.current, verdict="pass", interval="korn_graubard")
    )
    assert certify["sufficient"] is (certify["current_power"] >= 0.8)
    # The optimum of the classical two-stage cost model, sqrt(c (1 - rho) / rho).
    assert certify["optimal_per_village"] == pytest.approx(math.sqrt(8 * (1 - design.rho) / design.rho))
    for plan in (certify, detect):
        assert set(plan["designs"]) == {"current_shape", "optimal"}
        for entry in plan["designs"].values():
            assert entry["power"] >= 0.8
            assert entry["cost"] == pytest.approx(entry["villages"] * (8 + entry["per_village"]))
        # The optimal shape is the cheaper way to the same power.
        assert plan["designs"]["optimal"]["cost"] <= plan["designs"]["current_shape"]["cost"] * 1.02
    # Certifying 1% against 2% takes more than showing 4% fails.
    assert certify["designs"]["current_shape"]["units"] > detect["designs"]["current_shape"]["units"]


def test_the_simulated_surveys_of_a_scenario_reach_about_its_power():
    design = rate_design("wrongful_exit_rate", clustered_units(0.05), ROW, strata=6, villages=60)
    weights = clustered_units(0.05)[WEIGHT].to_numpy()
    plan = scenario(
        design, 0.04, power=0.8, level=0.95, interval="korn_graubard", cost_ratio=8.0, simulations=200, weights=weights
    )
    entry = plan["designs"]["current_shape"]
    # Monte Carlo SE at 80% power with 200 draws is 2.8 points.
    assert entry["simulated_power"] == pytest.approx(entry["power"], abs=0.09)


def test_an_effect_plan_reaches_the_target_mde():
    row = {"estimate": 400.0, "se": 150.0, "n": 800, "df": None}
    plan = effect_plan(row, 300.0, power=0.8, level=0.95, villages=40, strata=8)
    assert plan["mde"] == pytest.approx(minimum_detectable_effect(150.0, 0.95, 32, 0.8))
    # More villages of the current size: the SE shrinks with the square root, the df grow.
    grown_df = round(plan["factor"] * 40) - 8
    assert minimum_detectable_effect(150.0 / math.sqrt(plan["factor"]), 0.95, grown_df, 0.8) == pytest.approx(300.0)
    assert plan["households"] == math.ceil(plan["factor"] * 800)
    assert plan["villages"] == math.ceil(plan["factor"] * 40)


def test_a_contrast_plan_adds_the_two_counties_sampling_errors():
    row = {"estimate": 0.04, "se": 0.009, "n": 400}
    other = {"estimate": 0.015, "se": 0.012, "n": 500}
    plan = contrast_plan(row, other, 0.02, power=0.8, level=0.95)
    assert plan["se"] == pytest.approx(0.015)
    assert plan["difference"] == pytest.approx(0.025)
    assert plan["mde"] == pytest.approx(minimum_detectable_effect(0.015, 0.95, None, 0.8))
    assert plan["units"] == math.ceil(plan["factor"] * 400)
    assert minimum_detectable_effect(0.015 / math.sqrt(plan["factor"]), 0.95, None, 0.8) == pytest.approx(0.02)
    assert contrast_plan({**row, "se": None}, other, 0.02, power=0.8, level=0.95) is None


@pytest.fixture(scope="module")
def demo_plan_settings() -> PlanSettings:
    settings = PlanSettings.from_config(config(), "H")
    planning = {**settings.planning.to_dict(), "simulations": 0}
    return PlanSettings.parse({**settings.to_dict(), "planning": planning}, "test")


def demo_documents(counties, families=("identification", "income")):
    return {c: {f: {"headline": demo_result(f, c).headline} for f in families} for c in counties}


def test_the_demo_county_plan_covers_both_criteria_and_says_whether_its_sample_suffices(demo_plan_settings):
    from pa_study.indicators import CleanedTables

    settings = demo_plan_settings
    plan = county_plan(settings, CleanedTables(demo_tables("H"), codebook()), demo_documents(["H", *settings.others]))
    assert [c["rate"] for c in plan["criteria"]] == ["wrongful_exit_rate", "missed_rate"]
    rows = {r["name"]: r for r in demo_result("identification", "H").headline}
    for criterion in plan["criteria"]:
        assert criterion["n"] == rows[criterion["rate"]]["n"]
        assert criterion["villages"] == plan["villages"]
        assert [s["true_rate"] for s in criterion["scenarios"]] == [0.01, 0.04]
        for s in criterion["scenarios"]:
            assert s["sufficient"] is (s["current_power"] >= 0.8)
            assert "simulated_power" not in s["designs"]["current_shape"]
    assert [e["name"] for e in plan["effects"]] == ["att_earned_pc"]
    assert {(c["name"], c["other"]) for c in plan["contrasts"]} == {
        (name, other) for name in ("wrongful_exit_rate", "att_earned_pc") for other in settings.others
    }


def test_the_plan_file_is_the_same_on_a_rerun(tmp_path):
    settings = PlanSettings.from_config(config(), "Lankao")
    planning = {**settings.planning.to_dict(), "simulations": 20}
    settings = PlanSettings.parse({**settings.to_dict(), "planning": planning}, "test")
    indicators = {}
    for county in ("Lankao", "H"):
        for family in ("identification", "income"):
            path = tmp_path / county / f"{family}.json"
            path.parent.mkdir(exist_ok=True)
            write_json(json_ready({"headline": demo_result(family, county).headline}), path)
            indicators.setdefault(county, {})[family] = path
    outputs = [tmp_path / "a.json", tmp_path / "b.json"]
    for output in outputs:
        run_plan(
            settings=settings,
            clean_dir=demo_clean_dir("Lankao"),
            codebook=codebook(),
            indicators=indicators,
            output=output,
        )
    assert outputs[0].read_bytes() == outputs[1].read_bytes()
    assert read_json(outputs[0])["county"] == "Lankao"

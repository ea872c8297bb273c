"""Design columns and frame-derived weights of the stratified two-stage household sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.design import design_columns, frame_problems, weight_column
from pa_study.errors import InputError
from pa_study.stats import SurveyDesign
from tests.helpers.project import sample_design


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "township": ["甲镇"] * 3 + ["乙镇"] * 4,
            "village": ["一村", "二村", "三村", "四村", "五村", "六村", "七村"],
            "n_households": pd.array([100, 200, 150, 80, 90, 60, 120], dtype="Int64"),
            "n_registered": pd.array([20, 30, 10, 8, 30, 6, 40], dtype="Int64"),
            "sampled": pd.array([True, True, False, True, False, True, False], dtype="boolean"),
        }
    )


def households(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for township, village in [("甲镇", "一村"), ("甲镇", "二村"), ("乙镇", "四村"), ("乙镇", "六村")]:
        for registered, n in ((True, 5), (False, 7)):
            rows += [
                {"township": township, "village": village, "registered": registered, "weight": rng.uniform(1, 9)}
                for _ in range(n)
            ]
    table = pd.DataFrame(rows)
    table["registered"] = table["registered"].astype("boolean")
    table.index = pd.RangeIndex(2, len(table) + 2, name="source_row")
    return table


def test_frame_weights_reproduce_the_population_of_each_group():
    hh = households(np.random.default_rng(1))
    out, quarantine, summary, log = design_columns(hh, frame(), sample_design(oversample_registered=True))
    assert quarantine == {}
    f = frame().set_index("village")
    for village, group in out.groupby("village"):
        first_stage = {"甲镇": 3 / 2, "乙镇": 4 / 2}[group["township"].iloc[0]]
        registered = group.loc[group["registered"], "weight"].sum()
        assert registered == pytest.approx(first_stage * f.at[village, "n_registered"])
        assert group["weight"].sum() == pytest.approx(first_stage * f.at[village, "n_households"])
    assert out["fpc_villages"].tolist() == [3] * 24 + [4] * 24
    assert summary["strata"] == 2 and summary["psus"] == 4 and summary["single_psu_strata"] == []
    # The second stage: the group's households in the village's frame entry.
    registered_sizes = out.loc[out["design_group"] == "registered"].groupby("village")["fpc_households"].first()
    assert registered_sizes.to_dict() == {v: f.at[v, "n_registered"] for v in registered_sizes.index}
    other = out.loc[out["design_group"] == "other"].groupby("village")["fpc_households"].first()
    assert other.to_dict() == {v: f.at[v, "n_households"] - f.at[v, "n_registered"] for v in other.index}
    # Without sample_group the answer stands in, and the log says so.
    assert summary["second_stage_groups"].startswith("registered (survey answer")
    assert [(e["rule"], e["n_rows"]) for e in log] == [("group_from_answer", 48)]
    weights = out["weight"].to_numpy(dtype=float)
    distribution = summary["weight_distribution"]
    assert distribution["min"] == pytest.approx(weights.min()) and distribution["max"] == pytest.approx(weights.max())
    assert distribution["kish_deff"] == pytest.approx(1 + (weights.std() / weights.mean()) ** 2)
    assert distribution["cv"] == pytest.approx(weights.std() / weights.mean())


def test_without_oversampling_weights_are_equal_within_a_village():
    hh = households(np.random.default_rng(1))
    out, _, summary, _ = design_columns(hh, frame(), sample_design(oversample_registered=False))
    assert out.groupby("village")["weight"].nunique().eq(1).all()
    assert out.loc[out["village"] == "一村", "weight"].iloc[0] == pytest.approx(1.5 * 100 / 12)
    assert (out["design_group"] == "all").all() and summary["second_stage_groups"] == "village"
    assert out.groupby("village")["fpc_households"].first().to_dict() == {
        "一村": 100,
        "二村": 200,
        "四村": 80,
        "六村": 60,
    }


def test_weight_column_is_used_and_missing_weights_quarantined():
    hh = households(np.random.default_rng(2))
    hh.loc[3, "weight"] = np.nan
    out, quarantine, _, _ = design_columns(hh, frame(), sample_design(weights="column", weight_column="weight"))
    assert quarantine == {3: ["missing_weight"]}
    assert out.loc[2, "weight"] == pytest.approx(hh.loc[2, "weight"])


def test_households_outside_the_frame_or_unsampled_villages_are_quarantined():
    hh = households(np.random.default_rng(3))
    hh.loc[2, "village"] = "不存在村"
    hh.loc[3, "village"] = "三村"
    _, quarantine, _, _ = design_columns(hh, frame(), sample_design())
    assert quarantine == {2: ["village_not_in_frame"], 3: ["village_not_sampled_in_frame"]}


def test_a_stratum_with_one_responding_village_is_reported():
    hh = households(np.random.default_rng(4))
    hh = hh[hh["village"] != "六村"]
    _, _, summary, _ = design_columns(hh, frame(), sample_design())
    assert summary["single_psu_strata"] == ["乙镇"]


def test_a_census_weighs_every_household_one_and_has_no_sampling_error():
    from pa_study.indicators.survey import household_design

    hh = households(np.random.default_rng(5))
    hh.loc[3, "village"] = "三村"  # not drawn in the frame's sample: a census visits every village
    hh.loc[4, "village"] = "不存在村"
    out, quarantine, summary, _ = design_columns(hh, frame(), "census")
    assert quarantine == {4: ["village_not_in_frame"]}
    usable = out.drop(index=4)
    assert usable["weight"].eq(1.0).all()
    # the villages with households are the whole population of PSUs of each township
    assert usable.groupby("stratum")["fpc_villages"].first().to_dict() == {"乙镇": 2, "甲镇": 3}
    assert summary["weights"] == "census" and summary["census"] is True
    assert summary["frame_villages_without_households"] == 2  # 五村 and 七村
    design = household_design(usable.assign(y=np.arange(len(usable), dtype=float)), lonely_psu="adjust")
    assert design.fully_enumerated
    estimate = design.mean("y")
    assert estimate.estimate == pytest.approx((len(usable) - 1) / 2) and estimate.se == 0.0
    sample, _, _, _ = design_columns(households(np.random.default_rng(5)), frame(), sample_design())
    assert not household_design(sample, lonely_psu="adjust").fully_enumerated


def test_weight_column_may_be_named_as_in_the_raw_file(codebook):
    households = codebook["households"]
    assert weight_column(sample_design(weights="column", weight_column="wt"), households) == "weight"
    assert weight_column(sample_design(weights="column", weight_column="抽样权重"), households) == "weight"
    assert weight_column(sample_design(weights="column"), households) == "weight"
    with pytest.raises(InputError, match=r"design.weight_column is 'wgt', which is no numeric household variable"):
        weight_column(sample_design(weights="column", weight_column="wgt"), households)


def test_a_frame_that_cannot_hold_the_sample_is_refused_naming_its_rows():
    hh = households(np.random.default_rng(1))
    villages = frame().assign(source_row=range(2, 9))
    villages.loc[0, "n_registered"] = 120  # 一村: more registered households than households
    villages.loc[3, "n_registered"] = 0  # 四村: five registered households were sampled there
    villages.loc[5, "n_households"] = 10  # 六村: 7 other households sampled, 10 - 6 = 4 in the frame
    assert frame_problems(hh, villages, oversample_registered=True) == [
        "row 2, village 甲镇/一村: 120 registered households (n_registered) but 100 in all",
        "row 5, village 乙镇/四村: the frame counts 0 registered households but 5 were sampled there",
        "row 7, village 乙镇/六村: the frame counts 4 other households but 7 were sampled there",
    ]
    with pytest.raises(InputError, match=r"^v.xlsx: the village frame does not fit the sample drawn from it"):
        design_columns(hh, villages, sample_design(), frame_path="v.xlsx")
    assert frame_problems(hh, frame(), oversample_registered=True) == []


def test_the_sampling_list_decides_the_group_not_the_answer():
    # An exited household drawn from the register answers "not registered": it keeps the weight of
    # the register list it was drawn from.
    hh = households(np.random.default_rng(6)).assign(
        sample_group=lambda d: d["registered"].map({True: "registered", False: "other"})
    )
    hh["sample_group"] = hh["sample_group"].astype("string")
    listed, _, _, log = design_columns(hh, frame(), sample_design())
    answered = hh.copy()
    answered.loc[2, "registered"] = False
    moved, _, summary, log = design_columns(answered, frame(), sample_design())
    assert log == [] and summary["second_stage_groups"] == "sample_group"
    assert moved.loc[2, "design_group"] == "registered" and moved.loc[2, "weight"] == listed.loc[2, "weight"]
    # With the answer standing in, the household would move to the other group and its weight.
    fallback, _, _, _ = design_columns(answered.drop(columns="sample_group"), frame(), sample_design())
    assert fallback.loc[2, "design_group"] == "other" and fallback.loc[2, "weight"] != listed.loc[2, "weight"]


def test_missing_sample_groups_fall_back_to_the_answer_row_by_row():
    hh = households(np.random.default_rng(7)).assign(sample_group=pd.NA)
    hh["sample_group"] = hh["sample_group"].astype("string")
    hh.loc[hh.index[:10], "sample_group"] = "registered"
    out, _, summary, log = design_columns(hh, frame(), sample_design())
    assert summary["second_stage_groups"] == "sample_group (registered where missing)"
    assert summary["groups_from_answer"] == len(hh) - 10 == log[0]["n_rows"]


def test_a_group_sampled_beyond_its_frame_count_is_logged_under_given_weights():
    # Frame weights refuse such a frame (above); given weights only need the group's size as FPC.
    short = frame()
    short.loc[0, "n_registered"] = 3  # 一村: 5 registered households sampled, 3 in the frame
    hh = households(np.random.default_rng(8)).assign(weight=10.0)
    out, _, summary, log = design_columns(hh, short, sample_design(weights="column", weight_column="weight"))
    assert summary["frame_groups_below_sample"] == ["甲镇/一村|registered"]
    assert ("frame_group_below_sample:甲镇/一村|registered", "3", "5") in [
        (e["rule"], e["old_value"], e["new_value"]) for e in log
    ]
    assert (out.loc[(out["village"] == "一村") & out["registered"], "fpc_households"] == 5).all()


def _calibration(**changes):
    townships = {"甲镇": {"registered": 60, "exited": 20}, "乙镇": {"registered": 84, "exited": 30}} | changes
    return sample_design(calibration={"source": "扶贫开发信息系统 (test)", "townships": townships})


def _with_exits(rng: np.random.Generator) -> pd.DataFrame:
    hh = households(rng)
    hh["exited"] = pd.array(hh["registered"] & (np.arange(len(hh)) % 2 == 0), dtype="boolean")
    return hh


def test_calibration_rakes_to_the_register_counts_of_townships_and_statuses():
    from pa_study.indicators.survey import household_design

    out, _, summary, _ = design_columns(_with_exits(np.random.default_rng(9)), frame(), _calibration())
    assert summary["calibration"]["source"].startswith("扶贫开发信息系统")
    assert summary["calibration"]["margins"] == {"townships": 2, "statuses": 3}
    townships = out.groupby("calibration_township")["calibration_township_total"].first().to_dict()
    statuses = out.groupby("calibration_status")["calibration_status_total"].first().to_dict()
    assert townships == {"甲镇": 450, "乙镇": 350}
    assert statuses == {"current": 40 + 54, "exited": 20 + 30, "other": 450 - 60 + 350 - 84}
    design = household_design(out, lonely_psu="adjust")
    weights = pd.Series(design.weights)
    for column, totals in (("calibration_township", townships), ("calibration_status", statuses)):
        sums = weights.groupby(out[column].to_numpy()).sum()
        assert sums.to_dict() == pytest.approx({k: float(v) for k, v in totals.items()})
    # Raking does not fix the township x status cells: they are estimated, not post-stratified.
    cells = weights.groupby([out["calibration_township"].to_numpy(), out["calibration_status"].to_numpy()]).sum()
    assert cells[("甲镇", "exited")] != pytest.approx(20)
    exited = design.assign(is_exited=(out["calibration_status"] == "exited").astype(float).to_numpy())
    total = exited.total("is_exited")
    assert total.estimate == pytest.approx(50) and total.se < 1e-8  # calibrated counts carry no error
    # The cleaned table's weights are the frame weights raked (SurveyDesign.rake, tested against R's rake).
    plain, _, _, _ = design_columns(_with_exits(np.random.default_rng(9)), frame(), sample_design())
    margins = {"calibration_township": townships, "calibration_status": statuses}
    raked = SurveyDesign(out.assign(weight=plain["weight"].astype(float)), weight="weight").rake(margins)
    np.testing.assert_allclose(raked.weights, out["weight"].astype(float), rtol=1e-9)
    # A part of the sample, or weights counting persons, keep the calibrated weights without the
    # calibration's variance (raking them again would inflate them to the whole margins).
    assert design.calibrated and not household_design(out.iloc[5:], lonely_psu="adjust").calibrated
    persons = household_design(out.assign(weight=out["weight"] * 3), lonely_psu="adjust")
    assert not persons.calibrated and persons.weights.sum() == pytest.approx(3 * sum(townships.values()))
    # A design reusing the calibrated one's stages is calibrated (or not) as a fresh one.
    again = household_design(out.assign(y=np.arange(len(out), dtype=float)), lonely_psu="adjust", like=design)
    assert again.calibrated and again.total("y") == design.assign(y=np.arange(len(out), dtype=float)).total("y")
    assert not household_design(out.assign(weight=out["weight"] * 3), lonely_psu="adjust", like=design).calibrated


@pytest.mark.parametrize(
    ("design", "message"),
    [
        (_calibration(乙镇={"registered": 84, "exited": 90}), "90 exited, 84 registered"),
        (_calibration(乙镇={"registered": 400, "exited": 0}), "400 registered and 350 households"),
        (_calibration(丙镇={"registered": 5, "exited": 0}), r"names township\(s\) \['丙镇'\]"),
        (
            sample_design(calibration={"source": "x", "townships": {"甲镇": {"registered": 60, "exited": 20}}}),
            r"no register counts for sampled township\(s\) \['乙镇'\]",
        ),
        (
            _calibration(甲镇={"registered": 60, "exited": 0}, 乙镇={"registered": 84, "exited": 0}),
            r"sampled households in statuses the counts make empty: \['exited \(\d+ households\)'\]",
        ),
    ],
)
def test_register_counts_that_cannot_calibrate_the_sample_are_refused(design, message):
    from pa_study.errors import InputError

    with pytest.raises(InputError, match=message):
        design_columns(_with_exits(np.random.default_rng(10)), frame(), design)


def test_register_counts_the_sample_cannot_be_raked_to_are_one_clear_error():
    from pa_study.design import raked

    # Every sampled household of 甲镇 is current, yet 甲镇 needs 100 households and the county only 50
    # current ones: no weights meet both margins.
    categories = pd.DataFrame(
        {"calibration_township": ["甲镇"] * 3 + ["乙镇"] * 3, "calibration_status": ["current"] * 3 + ["other"] * 3}
    )
    totals = {
        "calibration_township": {"甲镇": 100, "乙镇": 100},
        "calibration_status": {"current": 50, "other": 150},
    }
    with pytest.raises(InputError, match=r"cannot rake .*calibration_(township|status).* instead of") as info:
        raked(pd.Series([10.0] * 6), categories, totals)
    assert "design.calibration" in str(info.value)

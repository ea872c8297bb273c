"""Capability family: items, reverse coding, index construction and group gaps on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.errors import InputError
from pa_study.indicators import CleanedTables
from pa_study.indicators.capability import (
    QUANTILES,
    association_controls,
    capability_indicators,
    capability_scores,
    index_distribution,
    item_values,
    leave_out_index,
    own_dimensions,
    scale_score,
)
from tests.helpers.indicator_data import households, settings
from tests.helpers.project import codebook

LIKERT = (
    "motiv_aspire_1",
    "motiv_aspire_2",
    "motiv_selfrely_1",
    "motiv_selfrely_2",
    "motiv_wait",
    "motiv_rely",
    "motiv_ask",
)


def driven(n: int = 200, seed: int = 3) -> list[dict]:
    """Rows whose motivation items load on a drive that is lower for registered households."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        registered = i % 2 == 0
        drive = rng.normal(-0.5 if registered else 0.0, 1.0)
        items = {
            name: int(np.clip(round(3 + (0.9 if k < 4 else -0.9) * drive + rng.normal(0, 0.6)), 1, 5))
            for k, name in enumerate(LIKERT)
        }
        rows.append(
            {
                "registered": registered,
                "exited": registered and i % 4 == 0,
                **items,
                "head_schooling": int(rng.integers(0, 13)),
                "labour_count": int(rng.integers(0, 4)),
                "head_age": int(rng.integers(25, 80)),
                "hh_size": int(rng.integers(4, 7)),
                "n_chronic": int(rng.integers(0, 2)),
                "n_disabled": int(rng.random() < 0.1),
                "has_skill": bool(rng.random() < 0.4),
                "migrant_work": bool(rng.random() < 0.3),
                "training_sessions": int(rng.poisson(1 + drive * 0.3 if drive > -3 else 0)),
                "microcredit": bool(rng.random() < 0.2),
                "child_out_of_school": bool(rng.random() < 0.05),
            }
        )
    return rows


def test_items_are_recoded_from_the_codebook_and_divided_per_member() -> None:
    table = households(
        [
            {"motiv_wait": 5, "motiv_aspire_1": 5, "n_chronic": 2, "hh_size": 4},
            {"motiv_wait": 1, "motiv_aspire_1": 2, "n_chronic": 0, "hh_size": 4},
        ]
    )
    items, reversed_items = item_values(table, settings("capability").capability, codebook())
    assert reversed_items == ["aspiration:motiv_wait", "aspiration:motiv_rely", "aspiration:motiv_ask"]
    assert items["aspiration:motiv_wait"].tolist() == [1.0, 5.0]  # agreeing with 等 scores low
    assert items["aspiration:motiv_aspire_1"].tolist() == [5.0, 2.0]
    assert items["health:n_chronic"].tolist() == [0.5, 0.0]


def test_scale_score_averages_answered_items_only() -> None:
    table = households([{"motiv_aspire_1": None, "motiv_wait": 1}, {}])
    items, _ = item_values(table, settings("capability").capability, codebook())
    scores = scale_score(items, "aspiration", min_items=6)
    assert scores[0] == pytest.approx((3 * 3 + 5 + 3 + 3) / 6) and scores[1] == 3.0
    assert np.isnan(scale_score(items, "aspiration", min_items=7)[0])


def test_gaps_follow_the_planted_drive_and_alpha_is_high() -> None:
    options = settings("capability", min_sample={"households": 50})
    table = households(driven(), townships=4, villages=5)
    result = capability_indicators(CleanedTables({"households": table}, codebook()), options)
    gap = next(r for r in result.headline if r["name"] == "scale_gap_registered")
    items = table[list(LIKERT)].astype(float).to_numpy()
    items[:, 4:] = 6 - items[:, 4:]
    registered = table["registered"].to_numpy(dtype=bool)
    means = items.mean(axis=1)
    assert gap["estimate"] == pytest.approx(means[registered].mean() - means[~registered].mean())
    assert gap["ci_high"] < 0
    index_gap = next(r for r in result.headline if r["name"] == "capability_gap_registered")
    assert index_gap["estimate"] < 0 and index_gap["n_smallest_group"] == 100
    alpha = next(r for r in result.headline if r["name"] == "cronbach_alpha")
    assert alpha["estimate"] > 0.7
    association = result.tables["association"]
    assert set(association["term"]) == {"trained", "microcredit", "registered", "head_age"}
    trained = association[(association["regressor"] == "trained") & (association["outcome"] == "capability_index")]
    assert set(trained["dependent"]) == {"capability_index_without_skills"}
    microcredit = association[association["regressor"] == "microcredit"]
    assert set(microcredit["dependent"]) == {"capability_index", "aspiration"}
    row = next(r for r in result.headline if r["name"] == "association_trained")
    assert "without the skills dimension" in row["label"] and row["causal"] is False
    assert row["scale"] == "county" and row["controls"] == "registered, head_age, head_sex"
    pc1 = next(r for r in result.headline if r["name"] == "pc1_gap_registered")
    assert pc1["scale"] == "county" and "scale" not in gap
    assert {"gaps", "means_by_group", "index_distribution", "item_weights", "pc_loadings", "alpha_items"} <= set(
        result.tables
    )


def test_the_leave_out_index_is_the_index_without_the_regressors_dimension() -> None:
    options = settings("capability", min_sample={"households": 50})
    table = households(driven(), townships=4, villages=5)
    cap = options.capability
    assert own_dimensions("trained", cap) == ["skills"] and own_dimensions("microcredit", cap) == []
    items, _ = item_values(table, cap, codebook())
    scores, _, _, _ = capability_scores(items, table, cap)
    np.testing.assert_allclose(leave_out_index(scores, table, cap, []), scores["capability_index"], atol=1e-12)
    # Rebuilt without skills, it is the index a study without the skills dimension would have.
    fewer = cap.model_copy(update={"dimensions": {d: v for d, v in cap.dimensions.items() if d != "skills"}})
    items, _ = item_values(table, fewer, codebook())
    expected, _, _, _ = capability_scores(items, table, fewer)
    np.testing.assert_allclose(
        leave_out_index(scores, table, cap, ["skills"]), expected["capability_index"], atol=1e-12
    )


def test_an_index_item_as_control_is_refused() -> None:
    options = settings("capability", capability={"association": {"controls": ["registered", "head_schooling"]}})
    with pytest.raises(InputError, match=r"\['head_schooling'\], item\(s\) of the capability index"):
        association_controls(options.capability)


def test_the_index_distribution_has_monotone_quantiles_per_group() -> None:
    options = settings("capability", min_sample={"households": 50})
    result = capability_indicators(
        CleanedTables({"households": households(driven(), townships=4, villages=5)}, codebook()), options
    )
    table = result.tables["index_distribution"]
    assert list(zip(table["split"], table["group"], strict=True)) == [
        ("exit", "exited"),
        ("exit", "registered_not_exited"),
        ("registration", "registered"),
        ("registration", "unregistered"),
    ]
    assert table["n"].tolist() == [50, 50, 100, 100]
    quantiles = table[[f"q{round(p * 100):02d}" for p in QUANTILES]].to_numpy()
    assert (np.diff(quantiles, axis=1) >= 0).all()
    assert ((table["mean"] > table["q05"]) & (table["mean"] < table["q95"])).all()
    # The planted drive is lower for registered households, and so is their whole distribution's middle.
    median = table.set_index("group")["q50"]
    assert median["registered"] < median["unregistered"]


def test_the_weighted_median_is_the_plain_median_with_equal_weights() -> None:
    rng = np.random.default_rng(11)
    index = rng.normal(size=40)
    registered = np.arange(40) % 2 == 0
    frame = pd.DataFrame(
        {
            "capability_index": index,
            "weight": 2.5,
            "registered": registered.astype(float),
            "exited": np.where(registered, (np.arange(40) % 4 == 0).astype(float), np.nan),
        }
    )
    table = index_distribution(frame).set_index("group")
    assert table.loc["registered", "q50"] == pytest.approx(np.median(index[registered]))
    assert table.loc["unregistered", "q50"] == pytest.approx(np.median(index[~registered]))
    assert table.loc["exited", "mean"] == pytest.approx(index[np.arange(40) % 4 == 0].mean())


def test_a_constant_control_is_left_out_of_the_association_with_a_note() -> None:
    options = settings("capability", min_sample={"households": 50})
    rows = [{**row, "head_age": 50} for row in driven()]
    result = capability_indicators(
        CleanedTables({"households": households(rows, townships=4, villages=5)}, codebook()), options
    )
    assert "head_age" not in set(result.tables["association"]["term"])
    assert any("'head_age'" in note and "do not vary" in note for note in result.notes)


def test_a_gap_that_cannot_be_estimated_is_left_out_with_a_note() -> None:
    options = settings("capability", min_sample={"households": 50})
    rows = [{**row, "exited": False} for row in driven()]  # nobody exited: no exited - not exited gap
    result = capability_indicators(
        CleanedTables({"households": households(rows, townships=4, villages=5)}, codebook()), options
    )
    assert "exited_minus_not_exited" not in set(result.tables["gaps"]["contrast"])
    assert "registered_minus_unregistered" in set(result.tables["gaps"]["contrast"])
    assert any(note.startswith("gap exited_minus_not_exited of ") for note in result.notes)


def test_an_item_without_variation_is_left_out_with_a_note() -> None:
    options = settings("capability", min_sample={"households": 50})
    rows = [{**row, "child_out_of_school": False} for row in driven()]
    result = capability_indicators(
        CleanedTables({"households": households(rows, townships=4, villages=5)}, codebook()), options
    )
    assert any("education:child_out_of_school" in note for note in result.notes)
    weights = result.tables["item_weights"]
    assert weights.loc[weights["dimension"] == "education", "item"].tolist() == ["head_schooling"]
    assert result.status == "ok"

"""Disclosure control: threshold rule with agency-style flags, complementary suppression on margins."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from pa_study.disclosure import FLAG, SUPPRESSED, Margin, protect_headline, protect_table, protect_tables
from pa_study.indicators import FAMILIES, family_settings
from pa_study.indicators.output import FamilyResult, write_result
from tests.helpers import project
from tests.helpers.results_fixture import CODEBOOK, SETTINGS, STUDY, fixture_results, summaries


def _townships() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "township": ["A", "B", "C", "D"] * 2,
            "rate": ["missed_rate"] * 4 + ["eligible_share"] * 4,
            "estimate": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
            "se": [0.01] * 8,
            "n_denominator": [3, 40, 12, 30, 90, 2, 1, 80],
            "n_households": [90, 90, 60, 80, 90, 90, 60, 80],
            "threshold": [0.02] * 4 + [np.nan] * 4,
        }
    )


def test_small_cells_are_suppressed_and_flagged_keys_kept():
    out = protect_table(_townships(), 5)
    assert out[FLAG].tolist() == ["x", "", "", "", "", "x", "x", ""]
    hidden = out[FLAG] == SUPPRESSED
    assert out.loc[hidden, ["estimate", "se", "n_denominator", "n_households"]].isna().all().all()
    assert out["township"].tolist() == list("ABCD") * 2 and out["threshold"].iloc[0] == 0.02
    assert out.loc[~hidden, "estimate"].tolist() == [0.2, 0.3, 0.4, 0.5, 0.8]


def test_one_small_cell_of_a_margin_brings_the_next_smallest_with_it():
    out = protect_table(_townships(), 5, margin=Margin("township", ("rate",)))
    missed = out[out["rate"] == "missed_rate"].set_index("township")[FLAG]
    # A (3) is small; C (12) is the next smallest: the county rate minus B and D no longer gives A.
    assert missed.to_dict() == {"A": "x", "B": "", "C": "x", "D": ""}
    eligible = out[out["rate"] == "eligible_share"].set_index("township")[FLAG]
    # B (2) and C (1) are hidden but together describe 3 < 5 respondents: D (80) goes too.
    assert eligible.to_dict() == {"A": "", "B": "x", "C": "x", "D": "x"}


def test_the_total_row_is_not_a_part_of_its_margin():
    table = pd.DataFrame(
        {
            "measure": ["share"] * 4,
            "role": ["all", "secretary", "first_secretary", "township_cadre"],
            "estimate": [0.4, 0.5, 0.3, 0.45],
            "n_denominator": [100, 4, 20, 76],
        }
    )
    out = protect_table(table, 5, margin=Margin("role", ("measure",), total="all"))
    assert out[FLAG].tolist() == ["", "x", "x", ""]


def test_tables_without_counts_rows_without_respondents_and_the_ledger_are_left_alone():
    loadings = pd.DataFrame({"item": ["a", "b"], "loading": [0.5, 0.7]})
    assert protect_table(loadings, 5).equals(loadings)
    empty = pd.DataFrame({"group": ["g"], "estimate": [np.nan], "n": [0]})
    assert protect_table(empty, 5)[FLAG].tolist() == [""]
    ledger = pd.DataFrame(
        {"measure": ["investment_per_job"], "project_type": ["all"], "estimate": [5e4], "n_denominator": [2]}
    )
    protection = FAMILIES["projects"].protection
    assert protect_tables({"fund_use": ledger}, 5, protection)["fund_use"].equals(ledger)


def test_headline_estimates_of_few_respondents_are_suppressed_with_a_note():
    rows = [
        {"name": "wrongful_exit_rate", "estimate": 0.25, "se": 0.1, "ci_low": 0.0, "ci_high": 0.8, "n": 4,
         "threshold": 0.02, "passes": False, "passes_ci": "inconclusive", "reliable": True},
        {"name": "gap", "estimate": 1.0, "se": 0.1, "ci_low": 0.8, "ci_high": 1.2, "n": 400, "n_smallest_group": 3,
         "mde": 0.28, "deff": 1.4, "n_effective": 285.7},
        {"name": "eligible_share", "estimate": 0.1, "se": 0.01, "ci_low": 0.08, "ci_high": 0.12, "n": 900},
        {"name": "missing", "estimate": None, "n": 0},
    ]  # fmt: skip
    out = protect_headline(rows, 5)
    assert [r.get(FLAG) for r in out] == ["x", "x", None, None]
    assert out[0]["estimate"] is None and out[0]["passes_ci"] is None and out[0]["n"] is None
    assert out[0]["threshold"] == 0.02 and out[0]["reliable"] is False
    # The MDE (a multiple of the SE) and the design effect would give the estimate back.
    assert out[1]["mde"] is None and out[1]["deff"] is None and out[1]["n_effective"] is None
    assert "fewer than 5 respondents" in out[0]["note"]
    assert out[2] == rows[2] and out[3] == rows[3]


def test_written_results_carry_the_protection_and_say_what_was_suppressed(tmp_path):
    config = project.config()
    config["disclosure"] = {"min_cell": 10}
    result = FamilyResult("identification", "H", family_settings(config, "identification", "H"))
    result.tables["by_township"] = _townships()
    result.headline = protect_headline([{"name": "x", "estimate": 0.5, "n": 900}], 10)
    document = write_result(
        result, tmp_path / "identification.json", tmp_path / "identification", FAMILIES["identification"].protection
    )
    written = pd.read_csv(tmp_path / "identification/by_township.csv", keep_default_na=False)
    assert written[FLAG].tolist() == ["x", "", "x", "", "", "x", "x", "x"]
    assert written.loc[0, "estimate"] == ""
    assert document["disclosure"] == {
        "min_cell": 10,
        "suppressed_cells": {"by_township": 5},
        "suppressed_estimates": [],
    }
    assert json.loads((tmp_path / "identification.json").read_text(encoding="utf-8"))["disclosure"]["min_cell"] == 10


def _suppressed_study():
    """The fixture study with every identification estimate of H suppressed (as with a huge min_cell)."""
    results = fixture_results()
    document = results.get("H", "identification").document
    document["headline"] = protect_headline(document["headline"], 10**9)
    document["disclosure"] = {"min_cell": 10**9}
    return results


def test_suppressed_estimates_are_printed_as_x_with_a_footnote_in_the_report():
    from pa_study.report import ReportInputs, report_document

    inputs = ReportInputs(STUDY, SETTINGS, _suppressed_study(), summaries(), {}, str(CODEBOOK))
    text = json.dumps(report_document(inputs, "en", ["Libertinus Serif"]), ensure_ascii=False)
    assert '"wrongful-exit rate", "x", "x", "x", "x", ""' in text
    assert "x: suppressed to protect respondents' confidentiality (an estimate describing fewer than 1000000000" in text


def test_suppressed_estimates_are_marked_x_in_figures_and_contrasts(tmp_path):
    from pa_study.compare.microdata import difference_row
    from pa_study.figures import plots

    figure = plots.footnote_if_suppressed(plots.identification_errors(_suppressed_study()))
    texts = [t.get_text() for ax in figure.axes for t in ax.texts] + [t.get_text() for t in figure.texts]
    assert texts.count("x") == len(plots.ERROR_RATES) and plots.SUPPRESSED_FOOTNOTE in texts
    hidden = protect_headline([{"name": "missed_rate", "estimate": 0.1, "se": 0.05, "n": 3}], 5)[0]
    shown = {"name": "missed_rate", "estimate": 0.02, "se": 0.01, "n": 500}
    contrast = difference_row("identification", hidden, shown, focal="H", benchmark="Lankao", level=0.95)
    assert contrast[FLAG] == SUPPRESSED and contrast["estimate"] is None and "suppressed (x)" in contrast["note"]

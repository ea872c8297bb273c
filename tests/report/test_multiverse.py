"""The report's multiverse section: the share of specifications in which each verdict holds, and
the specification curves, cited; a note when no multiverse was run."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.report.multiverse import curve_figure_name, multiverse_section
from pa_study.report.sections import ReportContext
from pa_study.report.text import words
from tests.helpers.results_fixture import STUDY, fixture_results

VERDICTS = pd.DataFrame(
    {
        "headline": ["wrongful_exit_rate", "missed_rate"],
        "label": ["错退率 wrongful-exit rate", "漏评率 missed-registration rate"],
        "baseline_verdict": ["fail", "inconclusive"],
        "specifications": [6, 5],
        "agreeing": [6, 2],
        "share": [1.0, 0.4],
        "estimate_min": [0.031, 0.0],
        "estimate_max": [0.052, 0.025],
    }
)


def context(language: str, figures: dict[str, str] | None = None) -> ReportContext:
    return ReportContext(
        results=fixture_results(), words=words(language), language=language, study=STUDY["study"], figures=figures or {}
    )


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_section_gives_each_headline_its_share_and_cites_its_curve(language):
    figure = curve_figure_name("identification", "missed_rate")
    blocks = multiverse_section(context(language, {figure: "figures/x.svg"}), {"identification": VERDICTS})
    table = next(block for block in blocks if block["kind"] == "table")
    assert len(table["rows"]) == 2
    holds = [row[2] for row in table["rows"]]
    if language == "en":
        assert holds == ["6 of 6 (100.00%)", "2 of 5 (40.00%)"]
        assert [row[1] for row in table["rows"]] == ["fails", "inconclusive"]
        assert table["rows"][0][3] == "3.10% – 5.20%"
    else:
        assert holds == ["6个中6个（100.00%）", "5个中2个（40.00%）"]
    figures = [block for block in blocks if block["kind"] == "figure"]
    assert [f["label"] for f in figures] == [f"fig:{figure}"]
    cited = {value for block in blocks if block["kind"] == "par" for kind, value in block["parts"] if kind == "ref"}
    assert {"tab:multiverse", f"fig:{figure}"} <= cited


def test_without_a_multiverse_the_section_says_so():
    blocks = multiverse_section(context("en"), {})
    assert [block["kind"] for block in blocks] == ["heading", "note"]

"""The report's sections (pa_study.report.sections): verdicts and signs from the intervals,
contrasts and published figures printed apart."""

from __future__ import annotations

from pa_study.indicators.output import headline_row
from pa_study.report import report_document
from pa_study.report.sections import threshold_verdict, zero_side
from pa_study.stats import Estimate
from tests.helpers.results_fixture import rate_row, report_inputs


def test_verdicts_and_signs_come_from_the_intervals():
    assert threshold_verdict(rate_row(0.01, 0.005, 0.019)) == "pass"
    assert threshold_verdict(rate_row(0.03, 0.021, 0.05)) == "fail"
    assert threshold_verdict(rate_row(0.019, 0.01, 0.03)) == "inconclusive"
    assert threshold_verdict(rate_row(0.03, 0.02, 0.04)) == "fail"  # a limit at 2% is not below 2%
    assert zero_side({"ci_low": -2, "ci_high": -1}) == "negative"
    assert zero_side({"ci_low": -2, "ci_high": 1}) == "none"


def test_report_and_indicator_files_agree_at_the_boundary_in_both_directions():
    for operator, threshold, limits in ((">", 0.9, (0.9, 0.95)), (">=", 0.3, (0.3, 0.4)), ("<", 0.02, (0.02, 0.03))):
        estimate = Estimate(name="x", estimate=sum(limits) / 2, se=0.01, ci_low=limits[0], ci_high=limits[1], n=400)
        row = headline_row("x", "x", estimate, "def", threshold=threshold, operator=operator)
        assert threshold_verdict(row) == row["passes_ci"], operator
    recognition = headline_row("x", "x", Estimate("x", 0.95, 0.01, 0.93, 0.97, 400), "d", threshold=0.9, operator=">")
    assert threshold_verdict(recognition) == "pass"


def test_contrasts_and_published_figures_are_printed_apart(tmp_path):
    contrasts = tmp_path / "contrasts.json"
    contrasts.write_text(
        '{"headline": [{"name": "missed_rate", "label": "漏评率 missed-registration rate", '
        '"family": "identification", "benchmark": "Lankao", "estimate": 0.0213, "se": 0.008, '
        '"ci_low": 0.0056, "ci_high": 0.0370, "ci_low_adjusted": 0.0011, "ci_high_adjusted": 0.0415, "n": 958, '
        '"p_holm": 0.0312}]}',
        encoding="utf-8",
    )
    lineup = tmp_path / "published_lineup.csv"
    lineup.write_text(
        "indicator,label,county,kind,year,value,ci_low,ci_high,unit,scope,source\n"
        "poverty_incidence,贫困发生率 poverty incidence,H,survey estimate,2020,0.052,0.0387,0.0653,share,county,"
        "this study\n"
        "poverty_incidence,贫困发生率 poverty incidence,Lankao,published figure,2014,0.101,,,share,county,"
        "People's Daily 2017\n",
        encoding="utf-8",
    )
    document = report_document(
        report_inputs({}, comparison=str(contrasts), published=str(lineup)), "en", ["Libertinus Serif"]
    )
    tables = {b["caption"]: b for b in document["blocks"] if b["kind"] == "table"}
    contrast = tables["Differences focal − benchmark (survey estimates): Identification and exit"]
    # The interval printed beside the Holm p-value is the Holm-consistent one, labelled so.
    assert contrast["rows"][0][1:5] == ["Lankao County", "2.13%", "[0.11%, 4.15%]", "0.031"]
    assert "Holm-consistent" in contrast["columns"][3]
    side_by_side = tables["Survey estimates beside published figures: poverty incidence"]
    assert [row[:4] for row in side_by_side["rows"]] == [
        ["H county", "survey estimate (this study)", "2020", "5.20%"],
        ["Lankao County", "published figure", "2014", "10.10%"],
    ]
    assert side_by_side["rows"][1][-1] == "People's Daily 2017" and side_by_side["rows"][1][4] == ""

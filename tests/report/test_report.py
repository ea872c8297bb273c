"""The PDF report: numbers match the results JSON, sections present, synthetic data flagged on
every page, byte-identical rebuilds, and statements that follow the numbers."""

from __future__ import annotations

import copy
import io
import re
from pathlib import Path

import pypdf
import pytest
from _results_fixture import CODEBOOK, SETTINGS, STUDY, fixture_results, summaries

from pa_study.errors import InputError
from pa_study.figures import draw_figure
from pa_study.report import ReportInputs, build_report, page_count, report_document
from pa_study.report.implications import PERSPECTIVES, STATEMENTS
from pa_study.report.sections import ReportContext, threshold_verdict, zero_side
from pa_study.report.text import MINUS, format_interval, format_value, words
from pa_study.results import Family, StudyResults

FIGURES = ("identification_errors", "county_panel_income")


def report_inputs(figures: dict[str, str], **changes) -> ReportInputs:
    inputs = ReportInputs(
        study=STUDY,
        settings=SETTINGS,
        results=fixture_results(),
        summaries=summaries(),
        figures=figures,
        codebook=str(CODEBOOK),
        config_sha256="0" * 64,
        git_commit="abc1234",
    )
    for key, value in changes.items():
        setattr(inputs, key, value)
    return inputs


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The report built twice from the fixture results, and its text."""
    folder = tmp_path_factory.mktemp("report")
    figures = {}
    for name in FIGURES:
        figures[name] = str(folder / f"{name}.svg")
        draw_figure(name, fixture_results(), figures[name])
    pages = build_report(report_inputs(figures), folder / "a.pdf")
    build_report(report_inputs(figures), folder / "b.pdf")
    reader = pypdf.PdfReader(io.BytesIO((folder / "a.pdf").read_bytes()))
    texts = [page.extract_text() for page in reader.pages]
    return {
        "a": (folder / "a.pdf").read_bytes(),
        "b": (folder / "b.pdf").read_bytes(),
        "pages": pages,
        "texts": texts,
        "reader": reader,
    }


def squeezed(text: str) -> str:
    """Text without white space (PDF extraction breaks lines inside table cells)."""
    return re.sub(r"\s+", "", text)


def test_two_builds_are_byte_identical(built):
    assert built["a"] == built["b"]


def test_the_pdf_has_no_build_date_and_many_pages(built):
    assert b"/CreationDate" not in built["a"] and b"/ModDate" not in built["a"]
    assert built["pages"] == len(built["texts"]) > 12


def test_every_headline_number_matches_the_results_json(built):
    text = squeezed("".join(built["texts"]))
    results = fixture_results()
    checked = 0
    for family in results.families.values():
        for row in family.headline:
            if row.get("estimate") is None:
                continue
            name = row["name"]
            assert squeezed(format_value(row["estimate"], name)) in text, (family.county, name)
            assert squeezed(format_value(row["se"], name)) in text, (family.county, name)
            assert squeezed(format_interval(row)) in text, (family.county, name)
            checked += 1
    assert checked > 60


def test_the_summary_states_the_threshold_verdicts_of_the_focal_county(built):
    summary = next(t for t in built["texts"] if "Summary of findings" in t and "verdict" in t)
    row = fixture_results().get("H", "identification").row("wrongful_exit_rate")
    expected = {"pass": "passes", "fail": "fails", "inconclusive": "inconclusive"}[threshold_verdict(row)]
    assert squeezed(f"{format_value(row['estimate'], row['name'])}") in squeezed(summary)
    assert f'"{expected}"' in summary


def test_every_section_is_present(built):
    text = "\n".join(built["texts"])
    for heading in (
        "Summary of findings",
        "Data and sample",
        "Identification accuracy",
        "Industry income effect",
        "Capability and endogenous motivation",
        "Formalism burden",
        "Comparison with the benchmark",
        "Survey estimates by county",
        "Implications",
        "The work mechanism",
        "Industrial blood-making",
        "Endogenous motivation",
        "Monitoring after 2020",
        "Appendix A",
        "Appendix B",
        "Appendix C",
    ):
        assert heading in text, heading


def test_title_page_names_the_counties_and_the_survey_year_and_flags_synthetic_data(built):
    title = built["texts"][0]
    assert "Focal county: H county" in title and "Lankao County" in title
    assert "surveys of 2020" in title and "SYNTHETIC DATA" in title


def test_every_page_after_the_title_says_the_data_are_synthetic(built):
    for number, text in enumerate(built["texts"][1:], start=2):
        assert "Synthetic demo data" in text, f"page {number}"


def test_provenance_lists_hashes_commit_and_versions(built):
    text = "\n".join(built["texts"])
    assert "abc1234" in text and "0" * 64 in text and "typst" in text
    assert re.search(r"codebook\.yaml\s+[0-9a-f]{64}", text)


def test_the_comparison_says_what_is_pending_without_the_comparison_stage():
    document = report_document(report_inputs({}), "en", ["Libertinus Serif"])
    notes = [b["text"] for b in document["blocks"] if b["kind"] == "note"]
    assert any("comparison stage" in n for n in notes)
    assert any("published-benchmark table" in n for n in notes)


def test_contrasts_and_published_figures_are_printed_apart(tmp_path):
    contrasts = tmp_path / "contrasts.json"
    contrasts.write_text(
        '{"headline": [{"name": "missed_rate", "label": "漏评率 missed-registration rate", '
        '"family": "identification", "benchmark": "Lankao", "estimate": 0.0213, "se": 0.008, '
        '"ci_low": 0.0056, "ci_high": 0.0370, "n": 958, "p_holm": 0.0312}]}',
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
    contrast = tables["Differences focal − benchmark (survey estimates): Identification accuracy"]
    assert contrast["rows"][0][1:5] == ["Lankao County", "2.13%", "[0.56%, 3.70%]", "0.031"]
    side_by_side = tables["Survey estimates beside published figures: poverty incidence"]
    assert [row[:4] for row in side_by_side["rows"]] == [
        ["H county", "survey estimate (this study)", "2020", "5.20%"],
        ["Lankao County", "published figure", "2014", "10.10%"],
    ]
    assert side_by_side["rows"][1][-1] == "People's Daily 2017" and side_by_side["rows"][1][4] == ""


def _context(**rows) -> ReportContext:
    """A focal county whose identification family holds the given headline rows."""
    family = Family(
        "H", "identification", Path("identification.json"), {"headline": [{"name": n, **r} for n, r in rows.items()]}
    )
    results = StudyResults(counties=["H"], names={"H": "H county"}, families={("H", "identification"): family})
    return ReportContext(results=results, words=words("en"), language="en", study=STUDY["study"])


def _rate(estimate: float, low: float, high: float) -> dict:
    return {"estimate": estimate, "se": 0.005, "ci_low": low, "ci_high": high, "n": 400, "threshold": 0.02}


def test_the_mechanism_statement_follows_the_numbers():
    rule = PERSPECTIVES["perspective_mechanism"]
    passing = rule(
        _context(wrongful_exit_rate=_rate(0.005, 0.001, 0.012), missed_rate=_rate(0.008, 0.003, 0.015)),
        STATEMENTS["en"],
    )
    failing = rule(
        _context(wrongful_exit_rate=_rate(0.05, 0.03, 0.07), missed_rate=_rate(0.008, 0.003, 0.015)), STATEMENTS["en"]
    )
    assert passing[0].startswith("Both exit-evaluation thresholds are met") and "0.50%" in passing[0]
    assert "misses the national standard" in failing[0] and "5.00% [3.00%, 7.00%]" in failing[0]


def test_verdicts_and_signs_come_from_the_intervals():
    assert threshold_verdict(_rate(0.01, 0.005, 0.019)) == "pass"
    assert threshold_verdict(_rate(0.03, 0.021, 0.05)) == "fail"
    assert threshold_verdict(_rate(0.019, 0.01, 0.03)) == "inconclusive"
    assert zero_side({"ci_low": -2, "ci_high": -1}) == "negative"
    assert zero_side({"ci_low": -2, "ci_high": 1}) == "none"
    assert format_value(-0.25, "capability_gap_registered") == f"{MINUS}0.250"
    assert format_value(0.0427, "wrongful_exit_rate") == "4.27%"


def test_a_chinese_report_without_its_font_says_what_to_install(tmp_path):
    settings = {**SETTINGS, "language": "zh", "cjk_font_files": "NoSuchFontCJK*"}
    with pytest.raises(InputError, match="fonts-noto-cjk"):
        build_report(report_inputs({}, settings=settings), tmp_path / "zh.pdf")


def test_an_unknown_language_is_refused(tmp_path):
    with pytest.raises(InputError, match="report.language"):
        build_report(report_inputs({}, settings={**SETTINGS, "language": "fr"}), tmp_path / "fr.pdf")


def test_real_data_carry_no_synthetic_notice():
    study = copy.deepcopy(STUDY)
    for block in study["counties"].values():
        block["synthetic"] = False
    meta = report_document(report_inputs({}, study=study), "en", ["Libertinus Serif"])["meta"]
    assert meta["synthetic_notice"] is None and "Synthetic" not in meta["footer"]


def test_page_count_counts_pages_not_the_page_tree(built):
    assert page_count(built["a"]) == len(built["reader"].pages)


def test_an_english_report_without_a_cjk_font_leaves_chinese_out(tmp_path):
    settings = {**SETTINGS, "cjk_font_files": "NoSuchFontCJK*"}
    build_report(report_inputs({}, settings=settings), tmp_path / "en.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "en.pdf").pages)
    assert not re.search(r"[\u4e00-\u9fff]", text)
    assert "wrongful-exit rate" in text

"""The report of a province (more than six benchmarks): the focal county against the distribution of
the others, the benchmarks' data and contrasts summed up, the full tables named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa_study.indicators import FAMILIES
from pa_study.report.findings import county_appendix, key_findings_table, question_findings
from pa_study.report.sections import ReportContext, comparison_section, data_section, is_province
from pa_study.report.text import words
from pa_study.results import study_results
from tests.helpers.compare_data import family_file, row

COUNTIES = [f"P{i:02d}" for i in range(1, 13)]


def text_of(blocks: list[dict]) -> str:
    """The words of ``blocks``: headings, notes, bullets and paragraphs (their text parts)."""
    words_ = []
    for block in blocks:
        words_ += [str(block.get("text", "")), *map(str, block.get("items", []))]
        words_ += [str(part[1]) for part in block.get("parts", []) if part[0] == "text"]
    return " ".join(words_)


def summary(i: int) -> dict:
    """A clean summary: every fifth county a census, the seventh's household table not reconciling."""
    design = {"census": True, "weights": "census"} if i % 5 == 0 else {"weights": "frame"}
    counts = {"rows_in": 100, "exact_duplicates_removed": 1, "dropped_by_corrections": 0, "quarantined": 2}
    tables = {"households": {**counts, "rows_out": 97, "reconciles": i != 7, "quarantine_reasons": {"x": 2}}}
    return {"design": {**design, "strata": 3 + i % 2, "psus": 12, "frame_villages": 60}, "tables": tables}


@pytest.fixture
def province(tmp_path: Path) -> ReportContext:
    """Twelve counties; P01 (focal) has the lowest exclusion error, 0%, the others 1% … 11%; of the 11
    contrasts the first two cannot be told apart, the other nine are negative."""
    items = [
        family_file(tmp_path, c, "identification", [row("exclusion_error", 0.01 * i, 0.001, threshold=0.02)])
        for i, c in enumerate(COUNTIES)
    ]
    contrasts = [
        row("exclusion_error", -0.01 * i, 0.001, family="identification", benchmark=c, p_holm=0.5 if i < 3 else 0.001)
        for i, c in enumerate(COUNTIES[1:], 1)
    ]
    return ReportContext(
        results=study_results(items, {c: f"County {c}" for c in COUNTIES}),
        words=words("en"),
        language="en",
        study={},
        summaries={c: summary(i) for i, c in enumerate(COUNTIES, 1)},
        comparison={"headline": contrasts},
    )


def test_tables_set_the_focal_county_against_the_benchmarks_distribution(province):
    assert is_province(province)
    table = next(b for b in question_findings(province, FAMILIES["identification"]) if b["kind"] == "table")
    assert table["columns"][2:] == [
        "County P01",
        "Benchmarks' median",
        "Middle half",
        "Range",
        "Rank (1 = lowest)",
        "Benchmarks",
    ]
    focal, median, middle, spread, rank, benchmarks = table["rows"][0][2:]
    assert focal.startswith("0.00%") and (median, rank, benchmarks) == ("6.00%", "1 of 12", "11")
    assert middle == "3.50% – 8.50%" and spread == "1.00% – 11.00%"
    assert "county_estimates.csv" in table["caption"]
    key = key_findings_table(province)
    assert len(key["columns"]) == 6 and key["rows"][0][2:4] == ["6.00%", "3.50% – 8.50%"]


def test_contrasts_are_counted_and_the_full_table_named(province):
    blocks = comparison_section(province)
    summary_table = next(b for b in blocks if b["kind"] == "table" and b.get("label") == "tab:contrasts-identification")
    assert summary_table["rows"][0][1:] == ["11", "0", "9", "2", "−6.00%"]
    assert "results/comparison/contrasts.csv" in text_of(blocks)


def test_the_benchmarks_data_are_summed_but_every_failing_table_is_named(province):
    blocks = data_section(province)
    counts, reasons = [b for b in blocks if b["kind"] == "table"]
    assert [r[0] for r in counts["rows"]] == ["County P01", "All benchmarks"]
    assert counts["rows"][1][2:] == ["1100", "11", "0", "22", "1067", "no"]
    assert reasons["rows"][1] == ["All benchmarks", "households", "x", "22"]
    text = text_of(blocks)
    assert "The 11 benchmark counties: 9 surveyed a sample (3–4 townships" in text
    assert "2 enumerated every household" in text and "County P07/households" in text


def test_the_county_appendix_details_the_focal_county_only(province):
    blocks = county_appendix(province)
    assert not any("P02" in str(b.get("caption", "")) for b in blocks)
    assert any("County P01" in str(b.get("caption", "")) for b in blocks)
    assert "the 11 benchmark counties' is in their results" in text_of(blocks)

"""Building the PDF report (pa_study.report.build): numbers match the results JSON, sections
present, synthetic data flagged on every page, byte-identical rebuilds, provenance; a build killed
midway leaves no PDF, and the text holds no personal data of the raw files."""

from __future__ import annotations

import copy
import io
import json
import os
import re
import signal
import subprocess
import sys
import time

import pypdf
import pytest
import yaml

from pa_study.audit import audit_folders, raw_personal_values
from pa_study.codebook import load_codebook
from pa_study.errors import InputError
from pa_study.figures import draw_figure
from pa_study.indicators import FAMILIES
from pa_study.report import build_report, page_count, report_document
from pa_study.report.sections import threshold_verdict
from pa_study.report.text import format_interval, format_value
from pa_study.results import study_results
from tests.helpers.project import ROOT
from tests.helpers.results_fixture import (
    CODEBOOK,
    SETTINGS,
    STUDY,
    fixture_results,
    indicator_items,
    report_inputs,
    summaries,
)

FIGURES = ("identification_errors", "county_panel_income")


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


def test_the_first_page_holds_the_questions_the_key_findings_and_a_figure(built):
    first = built["texts"][0]
    for family in FAMILIES.values():
        assert squeezed(family.question("en")) in squeezed(first)
    assert squeezed("Key findings: H county and the benchmark counties") in squeezed(first)
    assert re.search(r"Table\s1 answers them", first) and re.search(r"Figure\s1:", first)
    row = fixture_results().get("H", "identification").row("wrongful_exit_rate")
    expected = {"pass": "passes", "fail": "fails", "inconclusive": "inconclusive"}[threshold_verdict(row)]
    key = squeezed(first[first.index("Verdict, H county") :])
    estimate = squeezed(format_value(row["estimate"], row["name"]) + format_interval(row))
    assert key.index(estimate) < key.index(f"<2.00%{expected}", key.index(estimate))


def test_every_section_is_present(built):
    text = "\n".join(built["texts"])
    for heading in (
        "Findings",
        "Data and sample",
        "Comparison with the benchmark",
        "Survey estimates by county",
        "Implications",
        "The work mechanism",
        "Industrial blood-making",
        "Endogenous motivation",
        "Monitoring after 2020",
        "Appendix A: Detail by county",
        "Appendix B: Settings and definitions",
        "Appendix C",
        "Appendix D",
        "Appendix E: Planning the next survey",
    ):
        assert heading in text, heading
    for family in FAMILIES.values():
        assert squeezed(family.question("en")) in squeezed(text)


def test_every_table_and_figure_is_numbered_and_cited_in_the_text(tmp_path):
    (tmp_path / "x.svg").write_text("<svg/>")
    figures = {name: str(tmp_path / "x.svg") for name in ("identification_errors", "cadre_time")}
    document = report_document(report_inputs(figures), "en", ["Libertinus Serif"])
    blocks = document["front"] + document["blocks"]
    labels = [block["label"] for block in blocks if block["kind"] in ("table", "figure")]
    assert len(labels) == len(set(labels)) and all(labels)
    cited = {value for block in blocks if block["kind"] == "par" for kind, value in block["parts"] if kind == "ref"}
    assert set(labels) <= cited


def test_title_page_names_the_counties_and_the_survey_year_and_flags_synthetic_data(built):
    title = built["texts"][0]
    assert squeezed("Targeted poverty alleviation in H county: a comparative case study") in squeezed(title)
    assert "Focal county: H county" in title and "Lankao County" in title
    assert "surveys of 2020" in title and squeezed("SYNTHETIC DATA: the data of H county, Lankao County") in squeezed(
        title
    )


def test_the_title_and_the_synthetic_notice_follow_the_counties():
    study = copy.deepcopy(STUDY)
    study["focal"], study["benchmarks"] = "Lankao", ["H"]
    study["counties"]["Lankao"]["synthetic"] = False
    results = study_results(indicator_items(), {"Lankao": "兰考县", "H": "H县"})
    meta = report_document(report_inputs({}, study=study, results=results), "zh", ["Noto Serif SC"])["meta"]
    assert meta["title"] == "兰考县精准扶贫的县域实施：比较案例研究"
    assert "H县" in meta["synthetic_notice"] and "兰考" not in meta["synthetic_notice"]
    assert "H县为合成演示数据" in meta["footer"]


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


def test_an_unknown_language_is_refused(tmp_path):
    with pytest.raises(InputError, match="report language is 'fr'"):
        build_report(report_inputs({}), tmp_path / "fr.pdf", "fr")


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


def _report_command(output, log) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pa_study.cli",
        "report",
        "--study",
        json.dumps(STUDY),
        "--settings",
        json.dumps(SETTINGS),
        *(f"--indicators={item}" for item in indicator_items()),
        *(f"--summary={county}={path}" for county, path in summaries().items()),
        "--codebook",
        str(CODEBOOK),
        "--config-sha256",
        "0" * 64,
        "--output",
        str(output),
        "--log",
        str(log),
    ]


@pytest.fixture(scope="module")
def cli_reference(tmp_path_factory):
    """The report built once, uninterrupted, in a folder of its own."""
    folder = tmp_path_factory.mktemp("reference")
    subprocess.run(_report_command(folder / "r.pdf", folder / "r.log"), check=True, capture_output=True)
    (folder / "r.log").unlink()
    return folder / "r.pdf"


def test_a_report_killed_midway_leaves_nothing_and_the_rerun_the_same_pdf(cli_reference, tmp_path):
    report, log = tmp_path / "reports" / "r.pdf", tmp_path / "r.log"
    job = subprocess.Popen(_report_command(report, log), start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not log.exists() and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # into the build: reading results, laying out, compiling
    assert job.poll() is None, "the report finished before it could be killed"
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    assert not report.exists() and "wrote" not in log.read_text(encoding="utf-8")
    subprocess.run(_report_command(report, log), check=True, capture_output=True)
    assert report.read_bytes() == cli_reference.read_bytes()
    assert [p.name for p in report.parent.iterdir()] == ["r.pdf"]


def test_the_report_text_holds_no_personal_data_of_the_raw_files(built, tmp_path):
    (tmp_path / "report.pdf").write_bytes(built["a"])
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    values = raw_personal_values(config, load_codebook(ROOT / config["codebook"]), ROOT)
    assert len(values) > 1000
    assert audit_folders([tmp_path], values) == []

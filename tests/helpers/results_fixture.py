"""A small study's results (H county against Lankao, copied by
tests/fixtures/report/make_report_fixture.py) for the figure, report and notebook tests, and the
report's inputs and contexts built on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pa_study.indicators import FAMILIES
from pa_study.report import ReportInputs, ReportSettings
from pa_study.report.sections import ReportContext
from pa_study.report.text import words
from pa_study.results import Family, StudyResults, study_results
from tests.helpers.project import CODEBOOK, ROOT

RESULTS = ROOT / "tests" / "fixtures" / "report" / "results"

#: The report's config part (pa_study.workflow.report_study) for the fixture study.
STUDY = {
    "study": {
        "title": "Targeted poverty alleviation in {focal}: a comparative case study",
        "title_zh": "{focal}精准扶贫的县域实施：比较案例研究",
        "survey_year": 2020,
        "baseline_year": 2015,
    },
    "focal": "H",
    "benchmarks": ["Lankao"],
    "counties": {
        "H": {"name": "H county", "name_zh": "H县", "synthetic": True},
        "Lankao": {"name": "Lankao County", "name_zh": "兰考县", "synthetic": True},
    },
}
SETTINGS = {"cjk_font": "Noto Serif SC", "cjk_font_files": None, "font_dirs": []}
NAMES = {"H": "H county", "Lankao": "Lankao County"}


def indicator_items() -> list[str]:
    """The ``county:family=path`` items of the fixture (the CLI's --indicators)."""
    return [f"{c}:{f}={RESULTS / c / 'indicators' / f'{f}.json'}" for c in NAMES for f in FAMILIES]


def fixture_results() -> StudyResults:
    """The fixture's indicator results, H county first."""
    return study_results(indicator_items(), NAMES)


def summaries() -> dict[str, str]:
    """County -> clean summary of the fixture."""
    return {c: str(RESULTS / c / "clean" / "summary.json") for c in NAMES}


def report_settings(settings: dict[str, Any]) -> ReportSettings:
    """The report's font settings from their JSON (as the workflow passes them)."""
    return ReportSettings.parse(settings, "the report settings")


def report_inputs(figures: dict[str, str], *, settings: dict[str, Any] | None = None, **changes: Any) -> ReportInputs:
    """The report's inputs for the fixture study with ``figures`` (name -> SVG), the report ``settings``
    (default :data:`SETTINGS`), and other fields replaced by ``changes``."""
    inputs = ReportInputs(
        study=STUDY,
        settings=report_settings(settings or SETTINGS),
        results=fixture_results(),
        summaries=summaries(),
        figures=figures,
        codebook=str(CODEBOOK),
        plan=str(RESULTS / "H" / "plan.json"),
        config_sha256="0" * 64,
        git_commit="abc1234",
    )
    for key, value in changes.items():
        setattr(inputs, key, value)
    return inputs


def focal_context(
    family: str = "identification", settings: dict[str, Any] | None = None, **rows: dict[str, Any]
) -> ReportContext:
    """A focal county whose ``family`` holds the given headline rows (and ``settings``)."""
    document = {"headline": [{"name": n, **r} for n, r in rows.items()], "settings": settings or {}}
    found = Family("H", family, Path(f"{family}.json"), document)
    results = StudyResults(counties=["H"], names={"H": "H county"}, families={("H", family): found})
    return ReportContext(results=results, words=words("en"), language="en", study=STUDY["study"])


def rate_row(estimate: float, low: float, high: float) -> dict[str, Any]:
    """A headline rate with the given interval, n = 400 and the national 2% threshold."""
    return {"estimate": estimate, "se": 0.005, "ci_low": low, "ci_high": high, "n": 400, "threshold": 0.02}

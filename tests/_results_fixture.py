"""A small study's results (H county against Lankao, copied by
tests/fixtures/report/make_report_fixture.py) for the figure, report and notebook tests."""

from __future__ import annotations

from pathlib import Path

from pa_study.indicators import FAMILIES
from pa_study.results import StudyResults, study_results

RESULTS = Path(__file__).resolve().parent / "fixtures" / "report" / "results"
CODEBOOK = Path(__file__).resolve().parents[1] / "data" / "codebook" / "codebook.yaml"

#: The report's config part (pa_study.workflow.report_study) for the fixture study.
STUDY = {
    "study": {
        "title": "Targeted poverty alleviation in H county: a comparative case study",
        "title_zh": "H县精准扶贫的县域实施：比较案例研究",
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
SETTINGS = {"language": "en", "cjk_font": "Noto Serif CJK SC", "cjk_font_files": "NotoSerifCJK*", "font_dirs": []}
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

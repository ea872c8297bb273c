"""The settings appendix (pa_study.report.settings_appendix): every setting once, with its config
path, per county where the counties differ, lists of entries as tables."""

from __future__ import annotations

import copy
from pathlib import Path

from pa_study.report.sections import ReportContext
from pa_study.report.settings_appendix import recorded_settings, settings_appendix
from pa_study.report.text import words
from pa_study.results import Family, StudyResults

LINES = [{"year": 2020, "value": 4000, "source": "press conference"}]
SETTINGS = {
    "family": "identification",
    "county": "H",
    "level": 0.95,
    "min_sample": {"households": 100, "group": 20},
    "poverty_lines": LINES,
    "identification": {"items": ["food", "housing"], "thresholds": {"missed_rate": 0.02}},
    "study": {"survey_year": 2020},
}


def context(lankao_lines: list[dict]) -> ReportContext:
    lankao = copy.deepcopy(SETTINGS)
    lankao.update(county="Lankao", poverty_lines=lankao_lines)
    formalism = {
        "family": "formalism",
        "county": "H",
        "level": 0.95,
        "formalism": {"baselines": {"hours_meetings": 12}},
    }
    families = {
        ("H", "identification"): Family("H", "identification", Path("i.json"), {"settings": SETTINGS}),
        ("H", "formalism"): Family("H", "formalism", Path("f.json"), {"settings": formalism}),
        ("Lankao", "identification"): Family("Lankao", "identification", Path("l.json"), {"settings": lankao}),
    }
    results = StudyResults(["H", "Lankao"], {"H": "H county", "Lankao": "Lankao County"}, families)
    return ReportContext(results=results, words=words("en"), language="en", study={})


def tables(blocks: list[dict]) -> list[dict]:
    return [b for b in blocks if b["kind"] == "table"]


def test_each_setting_appears_once_under_its_config_path():
    blocks = settings_appendix(context(LINES))
    paths = [row[0] for t in tables(blocks) if t["columns"][0].startswith("Setting") for row in t["rows"]]
    assert len(paths) == len(set(paths))
    assert {"indicators.level", "indicators.min_sample.households", "indicators.identification.items"} <= set(paths)
    assert "indicators.identification.thresholds.missed_rate" in paths and "study.survey_year" in paths
    rows = {row[0]: row[1] for t in tables(blocks) for row in t["rows"]}
    assert rows["indicators.identification.items"] == "food, housing"
    assert rows["indicators.formalism.baselines.hours_meetings"] == "12"


def test_poverty_lines_are_a_table_with_the_counties_each_line_applies_to():
    own = [*LINES, {"year": 2015, "value": 3372, "source": "province"}]
    lines = next(t for t in tables(settings_appendix(context(own))) if "indicators.poverty_lines" in t["caption"])
    assert lines["columns"] == ["year", "value", "source", "Counties"]
    assert lines["rows"] == [["2020", "4000", "press conference", "all"], ["2015", "3372", "province", "Lankao County"]]
    assert recorded_settings(context(own))["indicators.level"] == {"H": 0.95, "Lankao": 0.95}

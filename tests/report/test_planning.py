"""The appendix "Planning the next survey": it prints the plan's numbers, in both languages, and
says when the plan is missing."""

from __future__ import annotations

import pytest

import pa_study.report.blocks as b
from pa_study.files import read_json
from pa_study.report.planning import planning_appendix
from pa_study.report.sections import ReportContext
from pa_study.report.text import format_percent, words
from tests.helpers.results_fixture import RESULTS, STUDY, fixture_results


def context(language: str) -> ReportContext:
    return ReportContext(results=fixture_results(), words=words(language), language=language, study=STUDY["study"])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_appendix_prints_every_scenario_of_the_plan(language):
    plan = read_json(RESULTS / "H" / "plan.json")
    blocks = planning_appendix(context(language), plan)
    assert blocks[0]["text"].startswith("Appendix E" if language == "en" else "附录E")
    tables = [block for block in blocks if block["kind"] == "table"]
    criteria = tables[0]
    scenarios = [s for c in plan["criteria"] for s in c["scenarios"]]
    assert len(criteria["rows"]) == len(scenarios) == 4
    for row, s in zip(criteria["rows"], scenarios, strict=True):
        assert row[1] == format_percent(s["true_rate"])
        assert row[3] == format_percent(s["current_power"])
        same = s["designs"]["current_shape"]
        assert row[4].startswith(f"{same['villages']} × ") and row[4].endswith(f"= {same['units']}")
    effects = tables[1]
    assert len(effects["rows"]) == len(plan["effects"]) + len(plan["contrasts"])
    text = " ".join(
        b.plain_text(block) if block["kind"] == "par" else " ".join(block.get("items", []))
        for block in blocks
        if block["kind"] in ("par", "bullets")
    )
    sufficient = "suffice" if language == "en" else "足"
    assert sum(sufficient in item for block in blocks if block["kind"] == "bullets" for item in block["items"]) >= 4
    assert str(plan["criteria"][0]["n"]) in text
    for sample in plan["settings"]["planning"]["evaluation_samples"]:
        assert sample["source"] in text


def test_without_a_plan_the_appendix_says_so():
    blocks = planning_appendix(context("en"), None)
    assert [block["kind"] for block in blocks] == ["heading", "note"]
    assert "results/H/plan.json" in blocks[1]["text"]

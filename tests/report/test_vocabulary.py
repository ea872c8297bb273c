"""The report's vocabulary rule (pa_study.report.vocabulary) on its own and on the implications the
report renders for each of the four demo counties as the focal county."""

from __future__ import annotations

import pytest

from pa_study.compare.microdata import microdata_result
from pa_study.indicators.output import json_ready
from pa_study.report.implications import PERSPECTIVES, STATEMENTS, perspective_lines
from pa_study.report.sections import ReportContext
from pa_study.report.text import LANGUAGES, words
from pa_study.report.vocabulary import NOT_ADJUSTED, VocabularyError, enforce, violations
from tests.helpers.compare_data import demo_study, settings
from tests.helpers.project import config

COUNTIES = ("H", "Yishui", "Boxing", "Lankao")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Active participation raised per-capita earned income by 300 yuan.", "en"),
        ("The projects did not make blood.", "en"),
        ("Training leads to a higher index.", "en"),
        ("The programme caused exits.", "en"),
        ("Dividend-only participation shows no effect on earned income.", "en"),
        ("The share did not change detectably.", "en"),
        ("The effect cannot be told apart from zero (12 yuan [-30, 54]).", "en"),
        ("积极参与产业项目使人均收入提高300元。", "zh"),
        ("项目未能造血。", "zh"),
        ("收入效应与零无法区分（12元）。", "zh"),
    ],
)
def test_banned_phrases_and_bare_nulls_are_caught(text: str, language: str) -> None:
    assert violations(text, language)
    with pytest.raises(VocabularyError):
        enforce(text, language, [{"name": "att_earned_pc", "causal": False}])


def test_allowed_phrasing_passes_and_a_causal_design_may_use_causal_verbs() -> None:
    null = "The difference cannot be told apart from zero (12 yuan [-30, 54]; minimum detectable effect 118 yuan)."
    assert violations(null, "en") == []
    assert violations("Participants earn 300 yuan [120, 480] more than comparable households.", "en") == []
    assert violations("Random assignment raised income by 300 yuan.", "en", causal=True) == []
    assert enforce("The lottery raised income.", "en", [{"causal": True}]) == "The lottery raised income."


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], dict[str, list[str]]]:
    """The implications of each demo county as the focal county, per language and perspective, with
    the comparison's contrasts (so the benchmark statements are rendered too)."""
    out = {}
    for focal in COUNTIES:
        benchmarks = tuple(c for c in COUNTIES if c != focal)
        results = demo_study(focal, benchmarks)
        contrasts = microdata_result(results, settings("microdata", focal, benchmarks))
        for language in LANGUAGES:
            ctx = ReportContext(
                results=results,
                words=words(language),
                language=language,
                study=config()["study"],
                comparison={"headline": json_ready(contrasts.headline)},
            )
            out[(focal, language)] = {key: perspective_lines(ctx, key) for key in PERSPECTIVES}
    return out


@pytest.mark.parametrize("focal", COUNTIES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_implications_of_every_demo_county_keep_the_vocabulary_rule(rendered, focal: str, language: str) -> None:
    perspectives = rendered[(focal, language)]
    text = "\n".join(line for lines in perspectives.values() for line in lines)
    assert violations(text, language) == []
    for key, lines in perspectives.items():
        assert lines, f"{focal}: perspective {key} says nothing"
        assert lines.count(NOT_ADJUSTED[language]) == 1 and lines[-1] == NOT_ADJUSTED[language], key
    benchmarks = [
        line
        for line in perspectives["perspective_mechanism"]
        if line != NOT_ADJUSTED[language] and ("contrasts of the family" in line or "本族全部对比" in line)
    ]
    assert len(benchmarks) == len(COUNTIES) - 1, "every benchmark gets a statement decided by its contrast"


def test_a_template_with_a_causal_verb_stops_the_report(rendered, monkeypatch) -> None:
    results = demo_study("H", tuple(c for c in COUNTIES if c != "H"))
    ctx = ReportContext(results=results, words=words("en"), language="en", study=config()["study"])
    for side in ("positive", "negative", "none"):
        monkeypatch.setitem(STATEMENTS["en"], f"effect_{side}", "Active participation raised income by {effect} {ci}.")
    with pytest.raises(VocabularyError, match="raised"):
        perspective_lines(ctx, "perspective_industry")

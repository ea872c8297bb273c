"""The first page and the findings (pa_study.report.findings): verdicts from the numbers, cells with
their verdicts, the key headlines each family names."""

from __future__ import annotations

import json

from pa_study.indicators import FAMILIES
from pa_study.report.findings import (
    county_appendix,
    criteria_sentences,
    estimate_cell,
    key_names,
    verdict,
    verdict_sentences,
)
from tests.helpers.results_fixture import focal_context, rate_row


def test_verdicts_come_from_the_interval_against_the_threshold_or_zero():
    assert verdict(rate_row(0.05, 0.03, 0.07)) == "fail"
    assert verdict(rate_row(0.01, 0.005, 0.015)) == "pass"
    assert verdict({"name": "att_earned_pc", "estimate": 400, "ci_low": 100, "ci_high": 700}) == "positive"
    assert verdict({"name": "att_earned_pc", "estimate": 40, "ci_low": -100, "ci_high": 170}) == "none"
    assert verdict({"name": "eligible_share", "estimate": 0.1, "ci_low": 0.05, "ci_high": 0.15}) is None
    assert verdict({"name": "att_earned_pc", "estimate": None, "flag": "x"}) is None


def test_a_cell_carries_estimate_interval_and_verdict():
    ctx = focal_context(wrongful_exit_rate=rate_row(0.05, 0.03, 0.07))
    assert (
        estimate_cell(rate_row(0.05, 0.03, 0.07) | {"name": "wrongful_exit_rate"}, ctx)
        == "5.00%\n[3.00%, 7.00%]\nfails"
    )
    assert estimate_cell(None, ctx) == "–"


def test_the_key_headlines_are_the_families_own_else_the_thresholds():
    ctx = focal_context(
        missed_rate=rate_row(0.05, 0.03, 0.07), eligible_share=rate_row(0.2, 0.1, 0.3) | {"threshold": None}
    )
    identification = FAMILIES["identification"]
    assert key_names(identification, ctx.results.get("H", "identification")) == ["missed_rate"]
    assert identification.key_headlines[:2] == ("exit_verdict", "wrongful_exit_rate")


def test_estimates_undefined_in_the_sample_are_listed_with_their_reason():
    undefined = {"estimate": None, "n": 0, "label": "包含误差 inclusion error", "note": "no registered household"}
    ctx = focal_context(eligible_share=rate_row(0.05, 0.03, 0.07), inclusion_error=undefined)
    text = json.dumps(county_appendix(ctx), ensure_ascii=False)
    assert "Not estimated for H county, as undefined in this sample" in text
    assert "inclusion error: no registered household" in text


def test_the_exit_verdict_is_a_finding_called_indicative():
    verdict = {"kind": "verdict", "verdict": "fail", "criteria": {"missed_rate": "fail", "recognition_rate": None}}
    ctx = focal_context(missed_rate=rate_row(0.05, 0.03, 0.07), exit_verdict=verdict)
    cell = estimate_cell(ctx.results.get("H", "identification").row("exit_verdict"), ctx)
    assert cell == "fails\n(indicative)"
    (sentence,) = criteria_sentences(ctx, "identification")
    assert "fails (indicative: a survey of the survey year, not the exit evaluation's own protocol)" in sentence
    assert "missed_rate fails" in sentence and "recognition_rate not estimated" in sentence
    counted = verdict_sentences(ctx, "identification", ["missed_rate", "exit_verdict"])
    assert len(counted) == 1 and "fails 1 of 1" in counted[0]  # the verdict row is no effect or gap

"""The report's wording (pa_study.report.text): values formatted by what they measure."""

from __future__ import annotations

from pa_study.report.text import MINUS, format_value


def test_values_are_formatted_by_what_they_measure():
    assert format_value(-0.25, "capability_gap_registered") == f"{MINUS}0.250"
    assert format_value(0.0427, "wrongful_exit_rate") == "4.27%"


def test_the_calibration_sentence_names_the_raking_margins_in_both_languages():
    from pa_study.report.text import words

    for language in ("en", "zh"):
        template = words(language)["calibration_sentence"]
        text = template.format(county="H", townships=11, statuses=3, population=74251, source="扶贫开发信息系统")
        assert "11" in text and "74251" in text and "扶贫开发信息系统" in text
    english = words("en")["calibration_sentence"]
    assert "raked" in english and "post-stratified" not in english

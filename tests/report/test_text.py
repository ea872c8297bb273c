"""The report's wording (pa_study.report.text): values formatted by what they measure."""

from __future__ import annotations

from pa_study.report.text import MINUS, format_value


def test_values_are_formatted_by_what_they_measure():
    assert format_value(-0.25, "capability_gap_registered") == f"{MINUS}0.250"
    assert format_value(0.0427, "wrongful_exit_rate") == "4.27%"

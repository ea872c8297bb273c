"""The implications (pa_study.report.implications): statements that follow the numbers."""

from __future__ import annotations

from pa_study.report.implications import PERSPECTIVES, STATEMENTS
from tests.helpers.results_fixture import focal_context, rate_row


def test_the_mechanism_statement_follows_the_numbers():
    rule = PERSPECTIVES["perspective_mechanism"]
    passing = rule(
        focal_context(wrongful_exit_rate=rate_row(0.005, 0.001, 0.012), missed_rate=rate_row(0.008, 0.003, 0.015)),
        STATEMENTS["en"],
    )
    failing = rule(
        focal_context(wrongful_exit_rate=rate_row(0.05, 0.03, 0.07), missed_rate=rate_row(0.008, 0.003, 0.015)),
        STATEMENTS["en"],
    )
    assert passing[0].startswith("Both exit-evaluation thresholds are met") and "0.50%" in passing[0]
    assert "misses the national standard" in failing[0] and "5.00% [3.00%, 7.00%]" in failing[0]

"""Cell-level text rules (pa_study.clean.cells): full-width text, survey-sheet numbers and dates."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.clean.cells import normalised_text, parsed_date, parsed_number


@pytest.mark.parametrize(
    "text, expected",
    [
        ("１２００", ("1200", "fullwidth")),
        ("  城关镇 ", ("城关镇", "trim")),
        ("东村", ("东村", None)),
        ("３，２００元", ("3,200元", "fullwidth")),
    ],
)
def test_normalised_text(text, expected):
    assert normalised_text(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1200", (1200.0, None)),
        ("3,200元", (3200.0, "unit_suffix")),
        ("3200元", (3200.0, "unit_suffix")),
        ("1.2万", (12000.0, "wan")),
        ("0.35万", (3500.0, "wan")),
        ("-500", (-500.0, None)),
        ("45岁", (45.0, "unit_suffix")),
        ("2.5", (2.5, None)),
        ("1e3", (1000.0, None)),
        ("abc", None),
        ("12,34", None),
        ("", None),
    ],
)
def test_parsed_number(text, expected):
    assert parsed_number(text) == expected


@pytest.mark.parametrize("text", ["2020-08-15", "2020/8/15", "2020.8.15", "2020年8月15日", "20200815", "44058"])
def test_parsed_date(text):
    assert parsed_date(text) == pd.Timestamp(2020, 8, 15)


def test_parsed_date_rejects_impossible_dates():
    assert parsed_date("2020-02-30") is None
    assert parsed_date("soon") is None

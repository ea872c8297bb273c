"""Rendering the PDF (pa_study.report.render): the fonts a report needs."""

from __future__ import annotations

import pytest

from pa_study.errors import InputError
from pa_study.report import build_report
from pa_study.report.render import LATIN_FONT, font_setup
from tests.helpers.results_fixture import SETTINGS, report_inputs


def test_a_chinese_report_without_its_font_says_what_to_install(tmp_path):
    settings = {**SETTINGS, "language": "zh", "cjk_font_files": "NoSuchFontCJK*"}
    with pytest.raises(InputError, match="fonts-noto-cjk"):
        build_report(report_inputs({}, settings=settings), tmp_path / "zh.pdf")


def test_an_english_report_without_a_cjk_font_falls_back_to_the_latin_font():
    families, files = font_setup({**SETTINGS, "cjk_font_files": "NoSuchFontCJK*"}, "en")
    assert families == [LATIN_FONT] and files == []

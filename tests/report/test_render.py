"""Rendering the PDF (pa_study.report.render): the fonts a report needs."""

from __future__ import annotations

import io
import re

import pypdf
import pytest

from pa_study.errors import InputError
from pa_study.fonts import packaged_font
from pa_study.report import build_report
from pa_study.report.render import LATIN_FONT, font_setup
from tests.helpers.results_fixture import SETTINGS, report_inputs, report_settings

SYSTEM_FONT_MISSING = {**SETTINGS, "cjk_font": "Noto Serif CJK SC", "cjk_font_files": "NoSuchFontCJK*"}


def test_the_shipped_font_sets_chinese_by_default():
    families, files = font_setup(report_settings(SETTINGS), "zh")
    assert families == ["Noto Serif SC", LATIN_FONT] and files == [packaged_font("Noto Serif SC")]
    assert font_setup(report_settings(SETTINGS), "en")[0] == [LATIN_FONT, "Noto Serif SC"]


def test_a_font_not_shipped_is_refused_naming_the_ones_that_are():
    with pytest.raises(InputError, match="Noto Serif SC, Noto Sans SC"):
        font_setup(report_settings({**SETTINGS, "cjk_font": "SimSun"}), "zh")


def test_a_chinese_report_without_its_system_font_says_what_to_install(tmp_path):
    with pytest.raises(InputError, match="fonts-noto-cjk"):
        build_report(report_inputs({}, settings=SYSTEM_FONT_MISSING), tmp_path / "zh.pdf", "zh")


def test_an_english_report_without_its_system_font_falls_back_to_the_latin_font():
    families, files = font_setup(report_settings(SYSTEM_FONT_MISSING), "en")
    assert families == [LATIN_FONT] and files == []


def test_a_system_font_is_found_in_the_folders_named(tmp_path):
    folder = tmp_path / "fonts"
    folder.mkdir()
    (folder / "MyCJK-Regular.otf").write_bytes(packaged_font("Noto Sans SC").read_bytes())
    settings = {**SETTINGS, "cjk_font": "Noto Sans SC", "cjk_font_files": "MyCJK*", "font_dirs": [str(folder)]}
    assert font_setup(report_settings(settings), "zh") == (["Noto Sans SC", LATIN_FONT], [folder / "MyCJK-Regular.otf"])


def test_the_chinese_report_is_set_in_the_shipped_font_byte_identically(tmp_path):
    build_report(report_inputs({}), tmp_path / "a.pdf", "zh")
    build_report(report_inputs({}), tmp_path / "b.pdf", "zh")
    pdf = (tmp_path / "a.pdf").read_bytes()
    assert pdf == (tmp_path / "b.pdf").read_bytes()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "合成数据" in text and "附录" in text
    assert b"NotoSerifSC" in pdf


def test_the_english_report_keeps_the_chinese_names(tmp_path):
    build_report(report_inputs({}), tmp_path / "en.pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "en.pdf").pages)
    assert re.search(r"[\u4e00-\u9fff]", text)

"""The Chinese fonts (pa_study.fonts): shipped as a package, or found on the system."""

from __future__ import annotations

import pytest

import pa_study.fonts as fonts
from pa_study.errors import InputError


def test_the_shipped_fonts_are_the_unmodified_noto_sc_files():
    for family in fonts.PACKAGED_FONTS:
        path = fonts.packaged_font(family)
        assert path.is_file() and path.stat().st_size > 5_000_000
        assert path.read_bytes()[:4] == b"OTTO"  # OpenType with CFF outlines


def test_a_missing_font_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(fonts, "FONT_PACKAGE", "no_such_font_package")
    with pytest.raises(InputError, match="pylopdf-fonts-zh-cn"):
        fonts.packaged_font("Noto Sans SC")


def test_system_fonts_are_found_once_per_file_name_first_folder_first(tmp_path):
    for folder in ("a", "b/deep"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "MyCJK-Regular.ttf").write_bytes(folder.encode())
    (tmp_path / "a" / "MyCJK-Notes.txt").write_text("not a font")
    found = fonts.system_font_files("MyCJK*", [str(tmp_path / "a"), str(tmp_path / "b")])
    assert found == [tmp_path / "a" / "MyCJK-Regular.ttf"]

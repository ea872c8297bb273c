"""Compiling the report with Typst: fonts, fixed metadata, byte-identical output.

The English report uses the fonts embedded in the ``typst`` package only (system fonts are
ignored, so the PDF does not depend on what a machine has installed); a CJK font is added from
the font folders when one is found, for Chinese names and terms. The Chinese report needs it.
The document date is left out and the compile time fixed, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pa_study.errors import InputError

#: Font folders searched for the CJK font, after those named in the config.
FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
LATIN_FONT = "Libertinus Serif"
#: 2000-01-01T00:00:00Z: what ``datetime.today()`` would give inside the template; nothing prints it.
FIXED_TIMESTAMP = 946684800


def cjk_font_files(pattern: str, extra_dirs: list[str]) -> list[Path]:
    """Font files matching ``pattern`` (e.g. ``NotoSerifCJK*``) in the font folders, sorted."""
    found: set[Path] = set()
    for folder in [*extra_dirs, *FONT_DIRS]:
        root = Path(folder).expanduser()
        if root.is_dir():
            found.update(p for p in root.rglob(pattern) if p.suffix.lower() in {".ttc", ".otf", ".ttf"})
    return sorted(found)


def font_setup(settings: dict[str, Any], language: str) -> tuple[list[str], list[Path]]:
    """The font families (in fallback order) and font files for the report.

    Raises
    ------
    InputError
        For a Chinese report when no CJK font is found, naming the package that provides it.
    """
    files = cjk_font_files(settings["cjk_font_files"], settings.get("font_dirs", []))
    if not files:
        if language == "zh":
            raise InputError(
                f"the Chinese report needs the CJK font '{settings['cjk_font']}' (files {settings['cjk_font_files']}), "
                "which was not found in the font folders; install it (Debian/Ubuntu: apt-get install fonts-noto-cjk) "
                "or name its folder in report.font_dirs"
            )
        return [LATIN_FONT], []
    families = [settings["cjk_font"], LATIN_FONT] if language == "zh" else [LATIN_FONT, settings["cjk_font"]]
    return families, files


def compile_pdf(document: dict[str, Any], figures: Mapping[str, str | Path], font_files: list[Path]) -> bytes:
    """Compile ``document`` (meta and blocks) with the package's Typst template into PDF bytes.

    The template, the document as JSON and the figures are copied into a temporary folder that
    is Typst's root, so the build never reads anything else.
    """
    import typst

    template = resources.files("pa_study.report").joinpath("templates", "report.typ")
    with tempfile.TemporaryDirectory(prefix="pa-study-report-") as tmp:
        root = Path(tmp)
        (root / "report.typ").write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        (root / "figures").mkdir()
        for name, path in figures.items():
            shutil.copyfile(path, root / "figures" / f"{name}{Path(path).suffix}")
        (root / "report.json").write_text(json.dumps(document, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        fonts_dir = root / "fonts"
        fonts_dir.mkdir()
        for path in font_files:
            shutil.copyfile(path, fonts_dir / path.name)
        try:
            return typst.compile(
                str(root / "report.typ"),
                root=str(root),
                font_paths=[str(fonts_dir)],
                ignore_system_fonts=True,
                timestamp=FIXED_TIMESTAMP,
            )
        except typst.TypstError as exc:
            raise InputError(f"Typst could not compile the report: {exc}") from None

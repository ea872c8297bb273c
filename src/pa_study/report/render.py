"""Compiling the report with Typst: fonts, fixed metadata, byte-identical output.

Latin text is set in the fonts embedded in the ``typst`` package, Chinese text in the CJK font that
comes with pa-study (:mod:`pa_study.fonts`) or, if the config names one, a font installed on the
system; no other system font is read, so the PDF does not depend on what a machine has installed.
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
from pa_study.fonts import packaged_font, system_font_files
from pa_study.report.settings import ReportSettings

LATIN_FONT = "Libertinus Serif"
#: 2000-01-01T00:00:00Z: what ``datetime.today()`` would give inside the template; nothing prints it.
FIXED_TIMESTAMP = 946684800


def font_setup(settings: ReportSettings, language: str) -> tuple[list[str], list[Path]]:
    """The font families (in fallback order) and font files for the report in ``language``.

    With ``cjk_font_files`` null the CJK font is the one shipped with pa-study; with a pattern, the
    system font files matching it (in ``font_dirs`` and the usual font folders).

    Returns
    -------
    (list of str, list of Path)
        Families, Chinese first in a Chinese report and Latin first otherwise; and the CJK font
        files (none when a system font is not found for an English report, which then leaves out
        Chinese text).

    Raises
    ------
    InputError
        When the shipped font is missing, or for a Chinese report when the system font is not found.
    """
    family, pattern = settings.cjk_font, settings.cjk_font_files
    if pattern is None:
        files = [packaged_font(family)]
    else:
        files = system_font_files(pattern, list(settings.font_dirs))
    if not files:
        if language == "zh":
            raise InputError(
                f"the Chinese report needs the CJK font '{family}' (files {pattern}), which was not found in "
                "the font folders; install it (Debian/Ubuntu: apt-get install fonts-noto-cjk), name its folder "
                "in report.font_dirs, or set report.cjk_font_files to null for the font shipped with pa-study",
                path="config",
            )
        return [LATIN_FONT], []
    families = [family, LATIN_FONT] if language == "zh" else [LATIN_FONT, family]
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

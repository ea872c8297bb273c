"""The Chinese font of the report and the figures: shipped as a Python package, or found on the system.

pa-study depends on ``pylopdf-fonts-zh-cn`` (pinned), a data-only package holding Noto Sans SC and
Noto Serif SC (Regular), the Simplified-Chinese subsets of Google's and Adobe's Noto CJK, unmodified,
under the SIL Open Font License 1.1 (https://github.com/notofonts/noto-cjk, ``Sans/SubsetOTF/SC``
and ``Serif/SubsetOTF/SC``). So ``pip install`` is enough for Chinese text in every report and
figure, and every machine sets it with the same font file, which keeps the PDFs byte-identical. A
font installed on the system can be used instead (:func:`system_font_files`), as ``report.cjk_font``
and ``report.cjk_font_files`` say.

Only the standard library is imported here: the workflow and the figures read this module.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pa_study.errors import InputError

#: The package shipping the Chinese fonts (a pinned dependency of pa-study).
FONT_PACKAGE = "pylopdf_fonts_zh_cn"
#: Font family -> its file in :data:`FONT_PACKAGE`.
PACKAGED_FONTS = {"Noto Serif SC": "NotoSerifSC-Regular.otf", "Noto Sans SC": "NotoSansSC-Regular.otf"}
#: The family of Chinese text in the figures (a sans-serif beside matplotlib's DejaVu Sans).
FIGURE_CJK_FONT = "Noto Sans SC"
#: Font folders searched for a system font, after those named in the config.
SYSTEM_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)
_FONT_SUFFIXES = {".ttc", ".otf", ".ttf"}


def packaged_font(family: str) -> Path:
    """Return the file of a Chinese font family shipped with pa-study (a key of :data:`PACKAGED_FONTS`).

    Raises
    ------
    InputError
        For a family not shipped, or when the font package is not installed.
    """
    if family not in PACKAGED_FONTS:
        raise InputError(
            f"the font '{family}' is not shipped with pa-study; expected one of {', '.join(PACKAGED_FONTS)}, "
            "or name a system font's files in report.cjk_font_files",
            path="config",
        )
    try:
        path = Path(str(resources.files(FONT_PACKAGE).joinpath(PACKAGED_FONTS[family])))
    except ModuleNotFoundError:
        path = None
    if path is None or not path.is_file():
        raise InputError(
            f"the Chinese font '{family}' comes with the Python package pylopdf-fonts-zh-cn, which is not "
            "installed; reinstall pa-study (pip install -e .) or install that package",
            path="config",
        )
    return path


def system_font_files(pattern: str, extra_dirs: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Return the font files matching ``pattern`` (e.g. ``NotoSerifCJK*``) in ``extra_dirs`` and the
    usual font folders of Linux, macOS and Windows, sorted (one per file name, the first folder's)."""
    found: dict[str, Path] = {}
    for folder in [*extra_dirs, *SYSTEM_FONT_DIRS]:
        root = Path(folder).expanduser()
        if root.is_dir():
            for path in sorted(root.rglob(pattern)):
                if path.suffix.lower() in _FONT_SUFFIXES:
                    found.setdefault(path.name, path)
    return sorted(found.values(), key=lambda p: p.name)

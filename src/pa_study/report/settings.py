"""The report's part of the config (``report:`` but ``languages``, which name the report jobs), typed;
its defaults are the schema's."""

from __future__ import annotations

from pa_study.config import ConfigPart


class ReportSettings(ConfigPart):
    """The fonts of the PDF report.

    Attributes
    ----------
    cjk_font : str
        Font family for Chinese text.
    cjk_font_files : str or None
        ``None``: the font shipped with pa-study; else a file-name pattern of a system font.
    font_dirs : tuple of str
        Extra folders searched for a system CJK font.
    """

    cjk_font: str
    cjk_font_files: str | None
    font_dirs: tuple[str, ...]

"""The reading options of one raw file, parsed once from its config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RawFile:
    """How to read one raw file: a county's ``files.<instrument>`` entry in ``config.yaml``.

    Attributes
    ----------
    path : str
        The file; its format comes from the extension.
    encoding : str
        For CSV: ``auto`` or a codec name (see :func:`pa_study.ingest.readers.read_raw`).
    sheet : str, int or None
        For Excel: the sheet name or 0-based index; the first sheet when ``None``.
    header_row : int
        For CSV and Excel: the 1-based row holding the headers.
    """

    path: str
    encoding: str = "auto"
    sheet: str | int | None = None
    header_row: int = 1

    @classmethod
    def from_config(cls, entry: dict[str, Any]) -> RawFile:
        """Build it from a ``files.<instrument>`` entry (the schema refuses unknown keys)."""
        return cls(**entry)

"""The part of the config one ingest job depends on, and the reading options of one raw file.

A Snakemake job ingesting one instrument of one county takes :func:`ingest_settings` as its JSON
parameter, so editing another file's options, or another county, does not re-run it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pa_study.config import ConfigPart, county_block


class RawFile(ConfigPart):
    """How to read one raw file: a county's ``files.<instrument>`` entry (its defaults are the schema's).

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
    encoding: str
    sheet: str | int | None
    header_row: int

    @classmethod
    def from_config(cls, entry: Mapping[str, Any]) -> RawFile:
        """Build it from a ``files.<instrument>`` entry of the validated config (a job's JSON parameter)."""
        return cls.parse(entry, "the raw file's settings")


def ingest_settings(config: dict[str, Any], county: str, instrument: str) -> dict[str, Any]:
    """Return the part of a county's config the ingest of one instrument depends on.

    Parameters
    ----------
    config : dict
        The validated config (schema defaults filled in).
    county : str
        A key of ``config["counties"]``.
    instrument : str
        An instrument the county supplies a file for.

    Returns
    -------
    dict
        ``files`` (the instrument's entry only) and ``synthetic`` (which salt the pseudonyms use).
    """
    block = county_block(config, county)
    return {"files": {instrument: block["files"][instrument]}, "synthetic": block["synthetic"]}


def corrections_settings(config: dict[str, Any], county: str) -> dict[str, Any]:
    """Return the part of a county's config the ingest of its duplicates corrections depends on:
    ``corrections`` (the file) and ``synthetic``."""
    block = county_block(config, county)
    return {"corrections": block["corrections"], "synthetic": block["synthetic"]}

"""Header matching: the raw file's headers mapped to the codebook's canonical variable names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from pa_study.codebook import SOURCE_ROW, Instrument, normalise_label
from pa_study.errors import InputError
from pa_study.ingest.readers import RawTable, column_letter


@dataclass(frozen=True)
class HeaderMap:
    """How the headers of a raw file map to the codebook."""

    columns: dict[int, str]
    scales: dict[str, float]
    extra: list[str]
    absent: list[str]


def map_headers(raw: RawTable, instrument: Instrument) -> HeaderMap:
    """Map the raw headers to canonical variable names through the codebook's aliases.

    A header is matched by its normalised text (full-width folded, white space removed, case
    ignored); for Stata/SPSS files a column whose name is not recognised is tried by its variable
    label.

    Parameters
    ----------
    raw : RawTable
        The raw file.
    instrument : Instrument
        The codebook instrument the file is.

    Returns
    -------
    HeaderMap
        ``columns`` maps column position to canonical name; ``scales`` the unit factor of each
        mapped variable; ``extra`` the headers left out; ``absent`` the optional variables missing.

    Raises
    ------
    InputError
        A required variable has no column (naming it and its aliases), or two columns name the same
        variable.
    """
    lookup = instrument.header_lookup
    columns: dict[int, str] = {}
    scales: dict[str, float] = {}
    seen: dict[str, str] = {}
    extra: list[str] = []
    for position, header in enumerate(raw.headers):
        label = raw.column_labels[position] if raw.column_labels else None
        match = lookup.get(normalise_label(header)) if header else None
        if match is None and label:
            match = lookup.get(normalise_label(label))
        if match is None:
            extra.append(header or f"(column {column_letter(position)}, no header)")
            continue
        name, scale = match
        if name in seen:
            raise InputError(
                f"columns '{seen[name]}' and '{header}' both name the variable '{name}'; expected one",
                path=raw.path,
                column=header,
            )
        seen[name] = header
        columns[position] = name
        scales[name] = scale
    for name in instrument.required:
        if name not in seen:
            spellings = ", ".join(dict.fromkeys(a.text for a in instrument[name].header_spellings()))
            raise InputError(
                f"required column '{name}' ({instrument[name].label_zh}) is missing; "
                f"expected a header named one of: {spellings}{layout_hint(raw, instrument, len(seen))}",
                path=raw.path,
                column=name,
            )
    absent = [v.name for v in instrument.variables if v.name not in seen and not v.personal]
    return HeaderMap(columns, scales, extra, absent)


def layout_hint(raw: RawTable, instrument: Instrument, recognised: int) -> str:
    """A hint for a missing-column message: the sheet and header row where more of the instrument's
    headers are (title rows above the headers, a notes sheet first), or an empty string."""
    from pa_study.ingest.detect import detect_layout
    from pa_study.ingest.readers import FORMATS

    if raw.format not in ("csv", "xlsx"):
        return ""
    layout = detect_layout(raw.path, instrument, FORMATS)
    if layout.recognised <= recognised:
        return ""
    where = f"row {layout.header_row}" + (f" of sheet '{layout.sheet}'" if layout.sheet else "")
    options = {k: v for k, v in layout.config_entry(raw.path).items() if k in ("sheet", "header_row")}
    settings = " and ".join(f"{k}: {v}" for k, v in options.items())
    return (
        f". {where.capitalize()} holds {layout.recognised} of the {instrument.name} headers: set {settings} "
        "for this file in config.yaml (pa-study check shows the whole mapping)"
    )


def canonical_table(raw: RawTable, instrument: Instrument, headers: HeaderMap) -> pd.DataFrame:
    """Return the raw records under canonical column names, as nullable text, with ``source_row``.

    Every non-personal codebook variable becomes a column (all-missing when the file lacks it), so
    every county's tables have the same columns.
    """
    import pyarrow as pa

    data: dict[str, Any] = {SOURCE_ROW: pd.array(raw.source_rows, dtype="Int64")}
    by_name = {name: position for position, name in headers.columns.items()}
    for var in instrument.variables:
        position = by_name.get(var.name)
        values = [row[position] for row in raw.rows] if position is not None else [None] * len(raw.rows)
        # The cells are text or None: Arrow takes the list as it is, where pandas' "string" checks
        # every element in Python first (most of a census chunk's conversion time).
        data[var.name] = pd.array(pa.array(values, type=pa.string()), dtype="string")
    return pd.DataFrame(data)

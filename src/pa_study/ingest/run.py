"""Running the ingest of one raw file: read it, map its headers, de-identify it, write the table
and the report of how it was read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import Instrument
from pa_study.files import write_json, write_parquet
from pa_study.ingest.deidentify import deidentified, screen_personal_data
from pa_study.ingest.headers import canonical_table, map_headers
from pa_study.ingest.readers import read_raw
from pa_study.ingest.settings import RawFile


@dataclass
class IngestResult:
    """The de-identified canonical table of one raw file and the report of how it was read."""

    table: pd.DataFrame
    report: dict[str, Any]


def ingest(
    path: str | Path,
    instrument: Instrument,
    *,
    salt: str,
    encoding: str = "auto",
    sheet: str | int | None = None,
    header_row: int = 1,
) -> IngestResult:
    """Read one raw file into a de-identified canonical text table.

    Parameters
    ----------
    path : str or Path
        The raw file.
    instrument : Instrument
        Which codebook instrument it holds.
    salt : str
        Secret salt of the pseudonyms (see :func:`pa_study.ingest.deidentify.resolve_salt`).
    encoding, sheet, header_row
        Reading options, see :func:`read_raw`.

    Returns
    -------
    IngestResult
        The table (personal columns dropped, ids pseudonymised) and a report of the reading: format,
        encoding, rows, blank rows, header mapping, extra columns left out, absent optional columns,
        unit scales.
    """
    raw = read_raw(path, encoding=encoding, sheet=sheet, header_row=header_row)
    headers = map_headers(raw, instrument)
    table = canonical_table(raw, instrument, headers)
    screen_personal_data(raw, instrument, headers, table.drop(columns=instrument.personal))
    table = deidentified(table, instrument, salt)
    report = {
        "file": str(path),
        "instrument": instrument.name,
        "format": raw.format,
        "encoding": raw.encoding,
        "rows_read": len(raw.rows),
        "blank_rows_skipped": raw.blank_rows,
        "columns_mapped": {raw.headers[p]: name for p, name in sorted(headers.columns.items())},
        "extra_columns_left_out": headers.extra,
        "absent_optional_columns": headers.absent,
        "personal_columns_dropped": [n for n in instrument.personal if n in headers.columns.values()],
        "pseudonymised_columns": instrument.pseudonymised,
        "unit_scales": {k: v for k, v in sorted(headers.scales.items()) if v != 1.0},
    }
    return IngestResult(table, report)


def run_ingest(
    *,
    raw_file: dict[str, Any],
    instrument: Instrument,
    salt: str,
    table_out: str | Path,
    report_out: str | Path,
) -> dict[str, Any]:
    """Ingest one raw file and write the de-identified table (Parquet) and the reading report (JSON).

    Parameters
    ----------
    raw_file : dict
        The file's config entry: ``path`` and optionally ``encoding``, ``sheet``, ``header_row``.
    instrument : Instrument
        Its codebook instrument.
    salt : str
        Pseudonym salt.
    table_out, report_out : str or Path
        Where to write.

    Returns
    -------
    dict
        The report.
    """
    spec = RawFile.from_config(raw_file)
    result = ingest(
        spec.path, instrument, salt=salt, encoding=spec.encoding, sheet=spec.sheet, header_row=spec.header_row
    )
    write_parquet(result.table, table_out)
    write_json(result.report, report_out)
    return result.report

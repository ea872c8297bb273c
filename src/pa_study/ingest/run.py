"""Running the ingest of one raw file: read it, map its headers, de-identify it, write the table
and the report of how it was read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import Instrument
from pa_study.errors import InputError
from pa_study.files import write_json, write_parquet_chunks
from pa_study.ingest.deidentify import deidentified, refuse_personal_data, register_personal_data
from pa_study.ingest.headers import canonical_table, map_headers
from pa_study.ingest.readers import CHUNK_ROWS, stream_raw
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
        Reading options, see :func:`pa_study.ingest.readers.stream_raw`.

    Returns
    -------
    IngestResult
        The table (personal columns dropped, ids pseudonymised) and a report of the reading: format,
        encoding, rows, blank rows, header mapping, extra columns left out, absent optional columns,
        unit scales.
    """
    stream = IngestStream(path, instrument, salt=salt, encoding=encoding, sheet=sheet, header_row=header_row)
    table = pd.concat(list(stream.tables()), ignore_index=True)
    return IngestResult(table, stream.report())


class IngestStream:
    """The ingest of one raw file, chunk by chunk: the file's headers are read and mapped when it is
    opened, and :meth:`tables` gives its de-identified canonical table a chunk at a time (so a
    census of a million households is ingested in bounded memory), then :meth:`report` says how it
    was read. The options are those of :func:`ingest`, and ``chunk_rows`` the records per chunk."""

    def __init__(
        self,
        path: str | Path,
        instrument: Instrument,
        *,
        salt: str,
        encoding: str = "auto",
        sheet: str | int | None = None,
        header_row: int = 1,
        chunk_rows: int = CHUNK_ROWS,
    ) -> None:
        self.path, self.instrument, self.salt = path, instrument, salt
        options = {"encoding": encoding, "sheet": sheet, "header_row": header_row, "chunk_rows": chunk_rows}
        self._stream = stream_raw(path, **options)
        self.headers = map_headers(self._stream.header, instrument)
        # A first pass registers the file's personal values, so that every chunk of the second is
        # screened for all of them (a shifted cell may come before the row it belongs to). Both
        # passes read the one stream: an Excel sheet is parsed once and held once.
        personal = any(instrument[name].personal for name in self.headers.columns.values())
        register_personal_data(self._stream.chunks if personal else [], instrument, self.headers)
        self.rows_read = 0
        self.blank_rows: list[int] = []

    def tables(self) -> Iterator[pd.DataFrame]:
        """The de-identified canonical table, chunk by chunk.

        Raises
        ------
        InputError
            A record the reader refuses (naming its row), or a file with headers but no data rows.
        """
        for chunk in self._stream.chunks:
            self.rows_read += len(chunk.rows)
            self.blank_rows += chunk.blank_rows
            if chunk.rows:
                table = canonical_table(chunk, self.instrument, self.headers)
                refuse_personal_data(chunk, self.instrument, self.headers, table.drop(columns=self.instrument.personal))
                yield deidentified(table, self.instrument, self.salt)
        if not self.rows_read:
            raise InputError("the file has a header row but no data rows", path=str(self.path))

    def report(self) -> dict[str, Any]:
        """How the file was read (complete once :meth:`tables` is exhausted)."""
        raw, headers, instrument = self._stream.header, self.headers, self.instrument
        return {
            "file": str(self.path),
            "instrument": instrument.name,
            "format": raw.format,
            "encoding": raw.encoding,
            "rows_read": self.rows_read,
            "blank_rows_skipped": self.blank_rows,
            "excel_error_cells": raw.error_cells,
            "columns_mapped": {raw.headers[p]: name for p, name in sorted(headers.columns.items())},
            "extra_columns_left_out": headers.extra,
            "absent_optional_columns": headers.absent,
            "personal_columns_dropped": [n for n in instrument.personal if n in headers.columns.values()],
            "pseudonymised_columns": instrument.pseudonymised,
            "unit_scales": {k: v for k, v in sorted(headers.scales.items()) if v != 1.0},
        }


def run_ingest(
    *,
    raw_file: dict[str, Any],
    instrument: Instrument,
    salt: str,
    table_out: str | Path,
    report_out: str | Path,
) -> dict[str, Any]:
    """Ingest one raw file chunk by chunk and write the de-identified table (Parquet) and the
    reading report (JSON).

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
    stream = IngestStream(
        spec.path, instrument, salt=salt, encoding=spec.encoding, sheet=spec.sheet, header_row=spec.header_row
    )
    write_parquet_chunks(stream.tables(), table_out)
    report = stream.report()
    write_json(report, report_out)
    return report

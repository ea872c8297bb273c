"""Writing results: deterministically (same inputs, same bytes), atomically (a killed run leaves no
partial file that looks complete) and screened for personal data (:mod:`pa_study.privacy`).

Every file under ``results/`` and ``reports/`` is written through these functions, so this is where
a value that looks like personal data is stopped: tables, JSON and the text of figures and the report
are refused with a message naming file, row and column; diagnostic copies of raw values (cleaning
log, quarantine, duplicates report: ``personal="mask"``) have it masked, with a warning in the log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Iterable
from glob import escape as glob_escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pa_study.privacy import Finding, masked_frame, personal_cells, personal_kind, personal_values_in, refusal

log = logging.getLogger("pa_study")
#: What to do with a value that looks like personal data: refuse the write, or mask the value.
PERSONAL_ACTIONS = ("refuse", "mask")


def _atomic_write(path: str | Path, write: Any) -> None:
    """Write through a temporary file in the same folder, so a failed run leaves no partial file
    that looks complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A run killed mid-write (SIGKILL skips the clean-up below) leaves its temporary file; the
    # rerun removes it, so the folder holds exactly what an uninterrupted run writes.
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); results are ordinary files, readable as the umask allows.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _screened(frame: pd.DataFrame, path: str | Path, personal: str, *, rows: str, offset: int = 0) -> pd.DataFrame:
    """``frame`` checked for personal data: refused (raises) or with those cells masked."""
    if personal not in PERSONAL_ACTIONS:
        raise ValueError(f"personal must be one of {PERSONAL_ACTIONS}, not {personal!r}")
    findings = personal_cells(frame)
    if not findings:
        return frame
    # A chunk of a larger table (write_parquet_chunks) names its records by their place in the table.
    located = [dataclasses.replace(f, row=f.row + offset) for f in findings] if offset else findings
    if personal == "refuse":
        raise refusal(located, str(path), rows=rows)
    _log_masked(located, path, rows)
    return masked_frame(frame, findings)


def _log_masked(findings: list[Finding], path: str | Path, rows: str) -> None:
    for finding in findings:
        row = f"row {finding.row + 2}" if rows == "spreadsheet" else f"record {(finding.row or 0) + 1}"
        origin = f" (raw file row {finding.source_row})" if finding.source_row is not None else ""
        log.warning("%s, %s%s, column '%s': masked a %s", path, row, origin, finding.column, finding.kind)


def write_parquet(frame: pd.DataFrame, path: str | Path, *, personal: str = "refuse") -> None:
    """Write ``frame`` to Parquet without its index, uncompressed-metadata-stable (no timestamps).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : str or Path
        Where to write.
    personal : str
        A cell that looks like personal data: ``refuse`` (raise
        :class:`~pa_study.privacy.PersonalDataError`, write nothing) or ``mask`` it.
    """
    frame = _screened(frame, path, personal, rows="records")
    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd"))


def write_parquet_chunks(frames: Iterable[pd.DataFrame], path: str | Path, *, personal: str = "refuse") -> int:
    """Write a table that arrives in chunks to one Parquet file, one chunk in memory at a time.

    Every chunk must have the columns and dtypes of the first, and is screened for personal data as
    :func:`write_parquet` screens a table (records are numbered across chunks). A table of one chunk
    gets the bytes :func:`write_parquet` writes. Nothing is written when ``frames`` raises part way.

    Returns
    -------
    int
        Rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(tmp: str) -> None:
        writer = None
        try:
            for frame in frames:
                frame = _screened(frame, path, personal, rows="records", offset=rows[0])
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                writer.write_table(table.cast(writer.schema))
                rows[0] += len(frame)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError(f"no chunk to write to {path}")

    rows = [0]
    _atomic_write(path, write)
    return rows[0]


def write_bytes(data: bytes, path: str | Path, *, text: str | None = None) -> None:
    """Write ``data`` to ``path`` (figures, the PDF report) through a temporary file.

    Parameters
    ----------
    data : bytes
        The file's content.
    path : str or Path
        Where to write.
    text : str, optional
        The text the file shows (a figure's labels, the report's source document), screened for
        personal data, as the bytes of a PDF or of text drawn as paths cannot be.
    """
    kind = personal_kind(text, whole_cell=False) if text is not None else None
    if kind:
        raise refusal([Finding(kind, None, "text")], str(path))
    _atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))


def write_csv(frame: pd.DataFrame, path: str | Path, *, personal: str = "refuse") -> None:
    """Write ``frame`` as UTF-8 CSV with a BOM, so Excel shows Chinese text correctly.

    ``personal`` is as for :func:`write_parquet`; rows are named as a spreadsheet shows them.
    """
    frame = _screened(frame, path, personal, rows="spreadsheet")
    _atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n"))


def write_json(value: Any, path: str | Path) -> None:
    """Write ``value`` as indented, key-sorted UTF-8 JSON (Chinese kept readable).

    NumPy scalars become Python numbers and timestamps ISO text; anything else that JSON cannot
    hold is an error rather than silently written as its ``str``. A value that looks like personal
    data is refused (:class:`~pa_study.privacy.PersonalDataError`), located by its path.
    """
    findings = personal_values_in(value)
    if findings:
        raise refusal(findings, str(path))
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=_json_scalar) + "\n"
    _atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _json_scalar(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def read_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))

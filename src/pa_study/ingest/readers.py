"""Readers per format: a raw survey file read as text, whatever its format.

CSV (UTF-8 with or without BOM, GBK, GB18030), Excel ``.xlsx``, Stata ``.dta`` and SPSS ``.sav``
(value labels applied, variable labels kept as a second chance to recognise a header). Every cell
comes back as text, with the row a researcher finds it on, so that parsing values is left to the
cleaning stage, which logs every change.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import normalise_label
from pa_study.errors import InputError

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".dta": "stata", ".sav": "spss"}
_AUTO_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class RawTable:
    """A raw file read as text.

    Attributes
    ----------
    path : str
        The file read.
    format : str
        ``csv``, ``xlsx``, ``stata`` or ``spss``.
    headers : list of str
        The column headers as written in the file.
    rows : list of list of str or None
        The data records, each cell as text (``None`` for an empty cell).
    source_rows : list of int
        For each record, its row as a researcher finds it: the spreadsheet row for CSV and Excel,
        the case number for Stata and SPSS.
    column_labels : list of str or None
        Variable labels (Stata/SPSS), used as a second chance to recognise a header.
    encoding : str or None
        The text encoding used (CSV only).
    blank_rows : list of int
        Rows skipped because every cell was empty.
    """

    path: str
    format: str
    headers: list[str]
    rows: list[list[str | None]]
    source_rows: list[int]
    column_labels: list[str | None] = field(default_factory=list)
    encoding: str | None = None
    blank_rows: list[int] = field(default_factory=list)


def read_raw(
    path: str | Path,
    *,
    encoding: str = "auto",
    sheet: str | int | None = None,
    header_row: int = 1,
    require_rows: bool = True,
) -> RawTable:
    """Read a raw survey file as text, whatever its format.

    Parameters
    ----------
    path : str or Path
        The file; its format comes from the extension (.csv, .xlsx, .dta, .sav).
    encoding : str
        For CSV: ``auto`` (UTF-8 with or without BOM, else GB18030, a superset of GBK and GB2312)
        or an explicit codec name.
    sheet : str, int or None
        For Excel: the sheet name or 0-based index; the first sheet when ``None``.
    header_row : int
        For CSV and Excel: the 1-based row holding the headers; data start on the next row.
    require_rows : bool
        Refuse a file with headers but no data rows (a survey file); a corrections file may be empty.

    Returns
    -------
    RawTable

    Raises
    ------
    InputError
        Unsupported extension, empty file, undecodable text, unknown sheet, merged header cells
        spanning several columns, or duplicate headers.
    """
    path = str(path)
    fmt = FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(
            f"unsupported file type '{Path(path).suffix}'; expected one of {', '.join(sorted(FORMATS))}", path=path
        )
    if not Path(path).is_file():
        raise InputError("file not found", path=path)
    if Path(path).stat().st_size == 0:
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    _check_contents_match_extension(path, fmt)
    if fmt == "csv":
        raw = _read_csv(path, encoding, header_row)
    elif fmt == "xlsx":
        raw = _read_xlsx(path, sheet, header_row)
    else:
        raw = _read_stat(path, fmt)
    _check_headers(raw)
    if require_rows and not raw.rows:
        raise InputError("the file has a header row but no data rows", path=path)
    return raw


def _check_contents_match_extension(path: str, fmt: str) -> None:
    """Refuse a file whose bytes are another format than its extension names (an Excel workbook
    renamed ``.csv`` would otherwise be reported as undecodable text)."""
    from pa_study.ingest.detect import sniff_format

    found = sniff_format(path)
    if found == fmt or (found == "csv" and fmt in ("stata", "spss")):
        return
    extension = {"xlsx": ".xlsx", "csv": ".csv", "stata": ".dta", "spss": ".sav"}.get(found)
    fix = f"rename it to end in {extension}" if extension else "open it in Excel and save it as .xlsx"
    raise InputError(
        f"the file's contents are {found} but its name ends in '{Path(path).suffix}'; {fix}",
        path=path,
    )


def decode_text(data: bytes, encoding: str, path: str) -> tuple[str, str]:
    """Decode the bytes of a text file, trying UTF-8 then GB18030 when ``encoding`` is ``auto``.

    Returns
    -------
    (str, str)
        The text and the encoding that decoded it.

    Raises
    ------
    InputError
        Naming the line and byte where decoding failed and the encodings tried.
    """
    candidates = _AUTO_ENCODINGS if encoding == "auto" else (encoding,)
    failure: UnicodeDecodeError | None = None
    for codec in candidates:
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as exc:
            failure = failure or exc
        except LookupError:
            raise InputError(f"unknown text encoding '{codec}'", path=path) from None
    assert failure is not None
    line = data[: failure.start].count(b"\n") + 1
    tried = " or ".join(candidates)
    hint = "set the file's `encoding` in config.yaml (e.g. gbk)" if encoding != "auto" else "re-save the file as UTF-8"
    raise InputError(
        f"cannot decode the text as {tried} (line {line}, byte {failure.start}: "
        f"{data[failure.start : failure.start + 4]!r}); {hint}",
        path=path,
        row=line,
    )


def _read_csv(path: str, encoding: str, header_row: int) -> RawTable:
    text, codec = decode_text(Path(path).read_bytes(), encoding, path)
    if not text.strip():
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    records = list(csv.reader(io.StringIO(text, newline="")))
    if len(records) < header_row:
        raise InputError(f"header_row is {header_row} but the file has only {len(records)} rows", path=path)
    headers = [h.strip() for h in records[header_row - 1]]
    body = records[header_row:]
    rows, source_rows, blank = [], [], []
    for offset, record in enumerate(body):
        row_number = header_row + 1 + offset
        cells = [c if c != "" else None for c in record]
        if all(c is None or not c.strip() for c in cells):
            blank.append(row_number)
            continue
        if len(cells) > len(headers):
            raise InputError(
                f"the row has {len(cells)} cells but the header has {len(headers)} columns",
                path=path,
                row=row_number,
            )
        rows.append(cells + [None] * (len(headers) - len(cells)))
        source_rows.append(row_number)
    return RawTable(path, "csv", headers, rows, source_rows, encoding=codec, blank_rows=blank)


def _read_xlsx(path: str, sheet: str | int | None, header_row: int) -> RawTable:
    # python-calamine reads .xlsx an order of magnitude faster than openpyxl and reports merged cells.
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_path(path)
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise InputError(f"cannot read the file as an Excel workbook: {exc}", path=path) from None
    names = workbook.sheet_names
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise InputError(f"sheet index {sheet} does not exist; the workbook has {len(names)} sheets", path=path)
        worksheet = workbook.get_sheet_by_index(sheet)
    else:
        if sheet not in names:
            raise InputError(f"sheet '{sheet}' does not exist; sheets are: {', '.join(names)}", path=path)
        worksheet = workbook.get_sheet_by_name(sheet)
    grid = worksheet.to_python(skip_empty_area=False)
    if len(grid) < header_row:
        raise InputError(f"sheet '{worksheet.name}' has no row {header_row} to read headers from", path=path)
    header_cells = _header_with_merges(grid, worksheet.merged_cell_ranges or [], header_row, path, worksheet.name)
    headers = [_cell_text(c) or "" for c in header_cells]
    rows, source_rows, blank = [], [], []
    for offset, record in enumerate(grid[header_row:]):
        row_number = header_row + 1 + offset
        cells = [_cell_text(c) for c in record][: len(headers)]
        if all(c is None for c in cells):
            blank.append(row_number)
            continue
        rows.append(cells + [None] * (len(headers) - len(cells)))
        source_rows.append(row_number)
    return RawTable(path, "xlsx", headers, rows, source_rows, blank_rows=blank)


def _header_with_merges(
    grid: list[list[Any]], merges: list[tuple[tuple[int, int], tuple[int, int]]], header_row: int, path: str, sheet: str
) -> list[Any]:
    """Return the header row, filling cells covered by a vertical merge from their merge's top cell.

    A merge that spans several columns in the header row is refused: its one label would have to name
    several variables, so the header is ambiguous (typically a group label above the real headers).
    """
    header_index = header_row - 1
    cells = list(grid[header_index])
    for (r0, c0), (r1, c1) in merges:
        if not r0 <= header_index <= r1:
            continue
        if c1 > c0:
            span = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            raise InputError(
                f"sheet '{sheet}' has merged header cells {span} spanning several columns; expected one "
                f"header per column (set header_row to the row with one label per column, or unmerge them)",
                path=path,
                row=header_row,
            )
        cells[c0] = grid[r0][c0]
    return cells


def column_letter(index: int) -> str:
    """Return the spreadsheet letter of a 0-based column index (0 -> ``A``, 26 -> ``AA``), for messages."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_stat(path: str, fmt: str) -> RawTable:
    import pyreadstat

    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    try:
        frame, meta = reader(path, apply_value_formats=True, formats_as_category=False)
    except Exception as exc:  # pyreadstat.ReadstatError and decoding errors
        kind = "Stata" if fmt == "stata" else "SPSS"
        raise InputError(f"cannot read the file as {kind} data: {exc}", path=path) from None
    headers = [str(c) for c in frame.columns]
    columns = [[_cell_text(v) for v in frame[c].tolist()] for c in frame.columns]
    rows = [list(r) for r in zip(*columns, strict=True)] if columns else []
    labels = [meta.column_names_to_labels.get(h) for h in headers]
    source_rows = list(range(1, len(rows) + 1))
    kept = [(r, n) for r, n in zip(rows, source_rows, strict=True) if any(c is not None for c in r)]
    blank = [n for r, n in zip(rows, source_rows, strict=True) if all(c is None for c in r)]
    return RawTable(
        path, fmt, headers, [r for r, _ in kept], [n for _, n in kept], column_labels=labels, blank_rows=blank
    )


def _cell_text(value: Any) -> str | None:
    """Return a raw cell as text, or ``None`` if empty. Integral floats lose their ``.0``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    text = str(value)
    return text if text.strip() else None


def _check_headers(raw: RawTable) -> None:
    counts = Counter(normalise_label(h) for h in raw.headers if h)
    for header in raw.headers:
        if header and counts[normalise_label(header)] > 1:
            others = [
                column_letter(i) for i, h in enumerate(raw.headers) if normalise_label(h) == normalise_label(header)
            ]
            raise InputError(
                f"duplicate header '{header}' in columns {', '.join(others)}; expected each header once",
                path=raw.path,
                column=header,
            )

"""Readers per format: a raw survey file read as text, whatever its format.

CSV (UTF-8 with or without BOM, GBK, GB18030), Excel ``.xlsx``, Stata ``.dta`` and SPSS ``.sav``
(value labels applied, variable labels kept as a second chance to recognise a header). Every cell
comes back as text, with the row a researcher finds it on, so that parsing values is left to the
cleaning stage, which logs every change.

A file is read as a stream of chunks of :data:`CHUNK_ROWS` records (:func:`stream_raw`), so that a
census of a million households is read in bounded memory: CSV line by line, Stata and SPSS in
chunks through ReadStat, and Excel row by row from calamine's compact copy of the sheet (an
``.xlsx`` stores its cells compressed and out of order, so a sheet is read whole, but as calamine's
cells rather than Python objects).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import normalise_label
from pa_study.errors import InputError
from pa_study.ingest.detect import LineScan, scan_lines

FORMATS = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".dta": "stata", ".sav": "spss"}
_AUTO_ENCODINGS = ("utf-8-sig", "gb18030")
#: Records per chunk of a streamed file (a 1,000,000-row, 60-column GBK CSV ingests in 0.56 GB).
CHUNK_ROWS = 50_000
_SCAN_BYTES = 1 << 20
_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GB18030 (GBK)", "gbk": "GBK"}


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
    error_cells : int
        Excel error values (``#VALUE!``, ``#DIV/0!`` …) among the data cells (Excel only), kept as
        their text so that the cleaning stage logs each as it sets it to missing.
    """

    path: str
    format: str
    headers: list[str]
    rows: list[list[str | None]]
    source_rows: list[int]
    column_labels: list[str | None] = field(default_factory=list)
    encoding: str | None = None
    blank_rows: list[int] = field(default_factory=list)
    error_cells: int = 0


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
    stream = stream_raw(path, encoding=encoding, sheet=sheet, header_row=header_row)
    raw = stream.header
    for chunk in stream.chunks:
        raw.rows += chunk.rows
        raw.source_rows += chunk.source_rows
        raw.blank_rows += chunk.blank_rows
    if require_rows and not raw.rows:
        raise InputError("the file has a header row but no data rows", path=raw.path)
    return raw


@dataclass
class RawStream:
    """A raw file read as a stream.

    Attributes
    ----------
    header : RawTable
        The file's headers, labels, format and encoding, with no records.
    records : callable
        Returns an iterator over the ``(source row, cells)`` records from the first, each call anew.
    chunk_rows : int
        Records per chunk.
    """

    header: RawTable
    records: Callable[[], Iterator[tuple[int, list[str | None]]]]
    chunk_rows: int = CHUNK_ROWS

    @property
    def chunks(self) -> Iterator[RawTable]:
        """The records, at most :attr:`chunk_rows` at a time, each chunk with the file's headers.

        Each access reads the records again from the first, so that the ingest can screen a file
        for personal data before it writes any of it: an Excel sheet from calamine's copy read
        when the stream was opened (parsing a census sheet is most of its reading), a text,
        Stata or SPSS file from the disk.
        """
        return _chunks(self.header, self.records(), self.chunk_rows)


def stream_raw(
    path: str | Path,
    *,
    encoding: str = "auto",
    sheet: str | int | None = None,
    header_row: int = 1,
    chunk_rows: int = CHUNK_ROWS,
) -> RawStream:
    """Open a raw survey file for reading in chunks, whatever its format.

    The options are those of :func:`read_raw`. The headers are read and checked now; the records as
    the chunks are taken. A problem found in a later chunk (a row with more cells than headers, an
    undecodable byte) raises then, naming its row.

    Returns
    -------
    RawStream

    Raises
    ------
    InputError
        As :func:`read_raw`, except that an empty data part is left to the caller.
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
        header, records = _stream_csv(path, encoding, header_row)
    elif fmt == "xlsx":
        header, records = _stream_xlsx(path, sheet, header_row)
    else:
        header, records = _stream_stat(path, fmt, chunk_rows)
    _check_headers(header)
    return RawStream(header, records, chunk_rows)


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


def _chunks(header: RawTable, records: Iterator[tuple[int, list[str | None]]], chunk_rows: int) -> Iterator[RawTable]:
    """Group ``(source row, cells)`` records into chunks, setting blank rows apart."""
    chunk = _empty_like(header)
    for row_number, cells in records:
        if all(c is None or not c.strip() for c in cells):
            chunk.blank_rows.append(row_number)
            continue
        chunk.rows.append(cells)
        chunk.source_rows.append(row_number)
        if len(chunk.rows) >= chunk_rows:
            yield chunk
            chunk = _empty_like(header)
    if chunk.rows or chunk.blank_rows:
        yield chunk


def _empty_like(header: RawTable) -> RawTable:
    return RawTable(header.path, header.format, header.headers, [], [], header.column_labels, header.encoding)


def _stream_csv(
    path: str, encoding: str, header_row: int
) -> tuple[RawTable, Callable[[], Iterator[tuple[int, list[str | None]]]]]:
    codec = _csv_encoding(path, encoding)
    with open(path, encoding=codec, newline="") as handle:
        try:
            preamble = [record for _, record in zip(range(header_row), csv.reader(handle), strict=False)]
        except UnicodeDecodeError:
            raise _decoding_error(path, (codec,), encoding) from None
    if not any(cell.strip() for record in preamble for cell in record):
        raise InputError("the file is empty; expected a header row and data rows", path=path)
    if len(preamble) < header_row:
        raise InputError(f"header_row is {header_row} but the file has only {len(preamble)} rows", path=path)
    header = RawTable(path, "csv", [h.strip() for h in preamble[header_row - 1]], [], [], encoding=codec)
    return header, lambda: _csv_records(header, header_row, encoding)


def _csv_records(header: RawTable, header_row: int, encoding: str) -> Iterator[tuple[int, list[str | None]]]:
    """The records after the header row, each with its spreadsheet row (headers are row ``header_row``)."""
    width = len(header.headers)
    handle = open(header.path, encoding=header.encoding, newline="")
    reader = csv.reader(handle)
    try:
        for _ in zip(range(header_row), reader, strict=False):
            pass
        for row_number, record in enumerate(reader, start=header_row + 1):
            cells = [c if c != "" else None for c in record]
            if len(cells) > width:
                raise InputError(
                    f"the row has {len(cells)} cells but the header has {width} columns",
                    path=header.path,
                    row=row_number,
                )
            yield row_number, cells + [None] * (width - len(cells))
    except UnicodeDecodeError:
        raise _decoding_error(header.path, (str(header.encoding),), encoding) from None
    finally:
        handle.close()


def _csv_encoding(path: str, encoding: str) -> str:
    """Return the codec that decodes the whole file: ``encoding``, or for ``auto`` UTF-8 (with or
    without BOM) if it decodes, else GB18030 (a superset of GBK and GB2312).

    An explicit ``utf-8`` reads past a byte-order mark (Excel's "CSV UTF-8"), which would otherwise
    stick to the first header. An explicit GBK-family encoding on a file that is UTF-8 text, and
    GB18030 on a file that is partly UTF-8, are refused: GBK decodes most UTF-8 bytes without an
    error, into nonsense, and the headers would only be reported missing.
    """
    if encoding != "auto":
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise InputError(f"unknown text encoding '{encoding}'", path=path) from None
        if name == "utf-8":
            with open(path, "rb") as handle:
                return "utf-8-sig" if handle.read(3) == codecs.BOM_UTF8 else encoding
        if _is_utf8_text(path):
            raise InputError(
                f"the text is UTF-8, not {encoding}: set the file's `encoding` in config.yaml to utf-8 or to auto",
                path=path,
            )
        return encoding
    for codec in _AUTO_ENCODINGS:
        if _first_undecodable(path, codec) is None:
            if codec == "gb18030" and _scan(path).switch is not None:
                break
            return codec
    raise _decoding_error(path, _AUTO_ENCODINGS, encoding)


def _is_utf8_text(path: str) -> bool:
    """Whether the file is valid UTF-8 with some non-ASCII text (GBK text almost never is)."""
    if _first_undecodable(path, "utf-8") is not None:
        return False
    with open(path, "rb") as handle:
        return any(not block.isascii() for block in iter(lambda: handle.read(_SCAN_BYTES), b""))


def _scan(path: str) -> LineScan:
    """:func:`~pa_study.ingest.detect.scan_lines` over the file, line by line."""
    with open(path, "rb") as handle:
        return scan_lines(line.rstrip(b"\r\n") for line in handle)


def _first_undecodable(path: str, codec: str) -> int | None:
    """Return the byte offset where ``codec`` first fails on the file, or None; the file is read in
    blocks, so a large file costs no more memory than a block."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    with open(path, "rb") as handle:
        while block := handle.read(_SCAN_BYTES):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                # exc.object is the bytes the decoder held back from the previous block, then this block.
                return offset - (len(exc.object) - len(block)) + exc.start
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return offset - len(exc.object) + exc.start
    return None


def _line_of(path: str, offset: int) -> int:
    """The 1-based line holding byte ``offset`` of the file."""
    lines, done = 1, 0
    with open(path, "rb") as handle:
        while done < offset and (block := handle.read(min(_SCAN_BYTES, offset - done))):
            lines += block.count(b"\n")
            done += len(block)
    return lines


def _decoding_error(path: str, codecs_tried: tuple[str, ...], encoding: str) -> InputError:
    """The message for a file that no codec tried decodes: which line, and whether the file mixes
    encodings (each line is classified on its own, so a file pasted together from a GBK and a UTF-8
    file is reported at the line where the encoding changes, in either order)."""
    scan = _scan(path)
    tried = " or ".join(_ENCODING_NAMES.get(c, c) for c in codecs_tried)
    if scan.switch is not None:
        return InputError(
            f"the file mixes text encodings: lines 1-{scan.switch - 1} are {_ENCODING_NAMES[str(scan.first)]} but "
            f"line {scan.switch} is {_ENCODING_NAMES[str(scan.switch_codec)]} (it was probably pasted together "
            "from two files); re-save the whole file in one encoding, UTF-8",
            path=path,
            row=scan.switch,
        )
    if scan.undecodable is None and scan.first is not None:
        return InputError(
            f"the text is {_ENCODING_NAMES[scan.first]}, not {tried}; set the file's `encoding` in config.yaml to "
            f"{scan.first} or to auto",
            path=path,
        )
    start = _first_undecodable(path, codecs_tried[0]) or 0
    line = _line_of(path, start)
    with open(path, "rb") as handle:
        handle.seek(start)
        data = handle.read(4)
    hint = "set the file's `encoding` in config.yaml (e.g. gbk)" if encoding != "auto" else "re-save the file as UTF-8"
    return InputError(
        f"cannot decode the text as {' or '.join(codecs_tried)} (line {line}, byte {start}: {data!r}); {hint}",
        path=path,
        row=line,
    )


def _stream_xlsx(
    path: str, sheet: str | int | None, header_row: int
) -> tuple[RawTable, Callable[[], Iterator[tuple[int, list[str | None]]]]]:
    # python-calamine reads .xlsx an order of magnitude faster than openpyxl, reports merged cells,
    # and hands rows to Python one at a time.
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
    # iter_rows yields every row from the first, but only the columns from the first used one.
    left = worksheet.start[1] if worksheet.start else 0
    grid = [[None] * left + list(r) for _, r in zip(range(header_row), worksheet.iter_rows(), strict=False)]
    if len(grid) < header_row:
        raise InputError(f"sheet '{worksheet.name}' has no row {header_row} to read headers from", path=path)
    header_cells = _header_with_merges(grid, worksheet.merged_cell_ranges or [], header_row, path, worksheet.name)
    header = RawTable(path, "xlsx", [_cell_text(c) or "" for c in header_cells], [], [])
    errors = _excel_error_cells(path, worksheet.name)
    header.error_cells = sum(1 for row, column in errors if row > header_row and column < len(header.headers))
    return header, lambda: _xlsx_records(worksheet, len(header.headers), left, header_row, errors)


def _xlsx_records(
    worksheet: Any, columns: int, left: int, header_row: int, errors: dict[tuple[int, int], str]
) -> Iterator[tuple[int, list]]:
    """The records below the header row of calamine's ``worksheet``, each with its spreadsheet row."""
    by_row: dict[int, list[tuple[int, str]]] = {}
    for (row, column), value in errors.items():
        by_row.setdefault(row, []).append((column, value))
    rows = worksheet.iter_rows()
    for _ in zip(range(header_row), rows, strict=False):
        pass
    for row_number, record in enumerate(rows, start=header_row + 1):
        cells = [_cell_text(c) for c in [None] * left + list(record)][:columns]
        cells += [None] * (columns - len(cells))
        for column, value in by_row.get(row_number, ()):
            if column < columns:
                cells[column] = value
        yield row_number, cells


def _excel_error_cells(path: str, sheet: str) -> dict[tuple[int, int], str]:
    """(1-based row, 0-based column) -> the Excel error value (``#VALUE!``, ``#DIV/0!`` …) of each cell
    of ``sheet`` that holds one.

    calamine reads error cells as empty, which would drop them without a trace; openpyxl tells them
    apart (``data_type == "e"``) but is slow, so it is used only when a worksheet holds one (the
    cell's ``t="e"`` in the sheet's XML).
    """
    with zipfile.ZipFile(path) as archive:
        parts = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_holds_error_cell(archive, name) for name in parts):
            return {}
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            (cell.row, cell.column - 1): str(cell.value)
            for row in workbook[sheet].iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "e"
        }
    finally:
        workbook.close()


def _holds_error_cell(archive: zipfile.ZipFile, name: str) -> bool:
    """Whether a worksheet's XML has an error cell, read in blocks (a census sheet is large)."""
    tail = b""
    with archive.open(name) as part:
        while block := part.read(_SCAN_BYTES):
            if b't="e"' in tail + block:
                return True
            tail = block[-8:]
    return False


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


def _stream_stat(path: str, fmt: str, chunk_rows: int) -> tuple[RawTable, Callable[[], Iterator[tuple[int, list]]]]:
    import pyreadstat

    reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
    kind = "Stata" if fmt == "stata" else "SPSS"
    try:
        _, meta = reader(path, metadataonly=True)
    except Exception as exc:  # pyreadstat.ReadstatError and decoding errors
        raise InputError(f"cannot read the file as {kind} data: {exc}", path=path) from None
    headers = [str(c) for c in meta.column_names]
    labels = [meta.column_names_to_labels.get(h) for h in headers]
    header = RawTable(path, fmt, headers, [], [], column_labels=labels)
    return header, lambda: _stat_records(reader, path, kind, chunk_rows)


def _stat_records(reader: Any, path: str, kind: str, chunk_rows: int) -> Iterator[tuple[int, list]]:
    """The cases in chunks through ReadStat, each with its case number."""
    import pyreadstat

    case = 0
    chunks = pyreadstat.read_file_in_chunks(
        reader, path, chunksize=chunk_rows, apply_value_formats=True, formats_as_category=False
    )
    try:
        for frame, _ in chunks:
            columns = [[_cell_text(v) for v in frame[c].tolist()] for c in frame.columns]
            for cells in zip(*columns, strict=True):
                case += 1
                yield case, list(cells)
    except InputError:
        raise
    except Exception as exc:  # pyreadstat.ReadstatError and decoding errors
        raise InputError(f"cannot read the file as {kind} data: {exc}", path=path) from None


def _cell_text(value: Any) -> str | None:
    """Return a raw cell as text, or ``None`` if empty. Integral floats lose their ``.0``."""
    if value is None:
        return None
    if type(value) is str:  # most cells: checked first, as this runs once per cell of the sheet
        return value if value.strip() else None
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

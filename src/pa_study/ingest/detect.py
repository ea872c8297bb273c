"""Finding how a raw file is laid out: its real format, text encoding, sheet and header row.

One implementation serves ``pa-study check`` (which reports what it found and the config block to
paste) and the ingest stage (whose messages suggest the ``encoding``, ``sheet`` or ``header_row``
that would work): the format from the file's first bytes rather than its extension, the encoding
of a CSV (a byte-order mark, UTF-8, else GB18030, and the line where a file that starts as UTF-8
stops being it), and the sheet and row holding the most headers the codebook recognises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pa_study.codebook import Instrument, normalise_label

#: Rows searched for the header row (title rows, notes and blank rows above the headers).
HEADER_SEARCH_ROWS = 30
_UTF8_BOM = b"\xef\xbb\xbf"


def sniff_format(path: str | Path) -> str:
    """Return the format a file's first bytes show: ``xlsx`` (a zip container), ``xls`` (Excel
    97-2003, an OLE container), ``spss``, ``stata`` or ``csv`` (anything else: text)."""
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head[:4] in (b"$FL2", b"$FL3"):
        return "spss"
    # Stata 117+ starts with an XML-like tag; 104-115 with the format byte and a byte order of 1 or 2.
    if head.startswith(b"<stata_dta>") or (len(head) > 1 and 104 <= head[0] <= 115 and head[1] in (1, 2)):
        return "stata"
    return "csv"


@dataclass(frozen=True)
class TextEncoding:
    """The encoding of a text file, as :func:`detect_encoding` found it.

    Attributes
    ----------
    codec : str
        ``utf-8-sig`` (UTF-8 with a byte-order mark), ``utf-8`` or ``gb18030`` (a superset of GBK
        and GB2312); the codec the whole file decodes with.
    bom : bool
        Whether the file starts with a UTF-8 byte-order mark.
    mixed_from_line : int or None
        For a file whose first lines are UTF-8 with Chinese text but which stops decoding as UTF-8
        later: the first line that does not (the file mixes encodings, e.g. rows pasted from a GBK
        file); ``None`` otherwise.
    """

    codec: str
    bom: bool = False
    mixed_from_line: int | None = None


def detect_encoding(data: bytes) -> TextEncoding:
    """Find the encoding of a CSV file's bytes (see :class:`TextEncoding`).

    A file whose lines are partly UTF-8 and partly GBK, in either order, is ``mixed_from_line`` the
    first line in the other encoding than the first non-ASCII line's.
    """
    scan = scan_lines(data.split(b"\n"))
    utf8 = scan.undecodable is None and scan.switch is None and scan.first in (None, "utf-8")
    bom = data.startswith(_UTF8_BOM)
    codec = ("utf-8-sig" if bom else "utf-8") if utf8 else "gb18030"
    return TextEncoding(codec, bom=bom, mixed_from_line=scan.switch)


@dataclass(frozen=True)
class LineScan:
    """What :func:`scan_lines` found, up to the first line that settles it.

    Attributes
    ----------
    first : str or None
        The encoding of the first line that is not plain ASCII: ``utf-8`` or ``gb18030``.
    switch : int or None
        The first line (1-based) in the other of the two encodings: the file mixes them.
    switch_codec : str or None
        That line's encoding.
    undecodable : int or None
        The first line that neither decodes.
    """

    first: str | None = None
    switch: int | None = None
    switch_codec: str | None = None
    undecodable: int | None = None


def scan_lines(lines: Iterable[bytes]) -> LineScan:
    """Classify a text file's lines, one at a time, until the first that is undecodable or in
    another encoding than the first non-ASCII line (UTF-8 is tried first: GBK text is almost never
    valid UTF-8; else GB18030, a superset of GBK). The lines may be a file opened in binary mode,
    so a large file is scanned in bounded memory."""
    first: str | None = None
    for number, line in enumerate(lines, start=1):
        line = line.removeprefix(_UTF8_BOM) if number == 1 else line
        if line.isascii():
            continue
        codec = _line_codec(line)
        if codec == "either":
            continue
        if codec is None:
            return LineScan(first, undecodable=number)
        if first is None:
            first = codec
        elif codec != first:
            return LineScan(first, switch=number, switch_codec=codec)
    return LineScan(first)


def _line_codec(line: bytes) -> str | None:
    """``utf-8``, ``gb18030``, ``either`` (a line both read plausibly) or ``None`` (neither reads).

    A GBK line can happen to be valid UTF-8, but then only as two-byte sequences (Latin, Greek,
    Cyrillic letters); Chinese in UTF-8 takes three bytes. So a line that decodes as UTF-8 counts as
    UTF-8 when it holds a character of three bytes or more, else as either when GB18030 reads it too.
    """
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    gbk = _decodes(line, "gb18030")
    if text is not None and (not gbk or any(ord(c) >= 0x800 for c in text)):
        return "utf-8"
    if gbk:
        return "either" if text is not None else "gb18030"
    return None


def _decodes(line: bytes, codec: str) -> bool:
    try:
        line.decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def recognised_headers(cells: list[object], instrument: Instrument) -> int:
    """How many of ``cells`` name a variable of ``instrument`` (by name, Chinese label or alias)."""
    lookup = instrument.header_lookup
    return len({lookup[key][0] for c in cells if c is not None and (key := normalise_label(str(c))) in lookup})


def best_header_row(rows: list[list[object]], instrument: Instrument) -> tuple[int, int]:
    """Return ``(row, recognised)``: the 1-based row among the first :data:`HEADER_SEARCH_ROWS`
    holding the most recognised headers (the first such row on a tie; row 1 when none has any)."""
    best, count = 1, 0
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = recognised_headers(row, instrument)
        if found > count:
            best, count = index + 1, found
    return best, count


@dataclass(frozen=True)
class Layout:
    """Where a file's data are: what :func:`detect_layout` found.

    Attributes
    ----------
    format : str
        The format the file's bytes show (:func:`sniff_format`).
    extension_format : str or None
        The format its extension names (``None`` for an unknown extension).
    encoding : TextEncoding or None
        For CSV.
    sheets : list of str
        For Excel: every sheet, in workbook order.
    sheet : str or None
        For Excel: the sheet with the most recognised headers.
    header_row : int
        The 1-based row with the most recognised headers (1 for Stata and SPSS).
    recognised : int
        How many headers that row holds that the codebook recognises.
    """

    format: str
    extension_format: str | None
    encoding: TextEncoding | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    recognised: int = 0

    def config_entry(self, path: str) -> dict[str, object]:
        """The file's entry under ``counties.<county>.files`` (only what differs from the defaults)."""
        entry: dict[str, object] = {"path": path}
        if self.encoding is not None and self.encoding.codec not in ("utf-8", "utf-8-sig"):
            entry["encoding"] = "gbk" if self.encoding.codec == "gb18030" else self.encoding.codec
        if self.sheet is not None and self.sheets and self.sheet != self.sheets[0]:
            entry["sheet"] = self.sheet
        if self.header_row != 1:
            entry["header_row"] = self.header_row
        return entry


def detect_layout(path: str | Path, instrument: Instrument, extension_formats: dict[str, str]) -> Layout:
    """Find a raw file's format, encoding, sheet and header row for ``instrument``.

    Parameters
    ----------
    path : str or Path
        The file.
    instrument : Instrument
        The codebook instrument whose headers are looked for.
    extension_formats : dict
        Extension -> format (the readers' table, :data:`pa_study.ingest.readers.FORMATS`).

    Returns
    -------
    Layout
        For Stata and SPSS the headers recognised by variable name or label; for ``xls`` (not read
        here) only the formats.
    """
    fmt = sniff_format(path)
    extension = extension_formats.get(Path(path).suffix.lower())
    if fmt == "csv":
        data = Path(path).read_bytes()
        encoding = detect_encoding(data)
        text = data.decode(encoding.codec, errors="replace")
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
        row, count = best_header_row(rows, instrument)
        return Layout(fmt, extension, encoding=encoding, header_row=row, recognised=count)
    if fmt == "xlsx":
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        best: tuple[int, str, int] = (-1, "", 1)
        for name in workbook.sheet_names:
            grid = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=HEADER_SEARCH_ROWS)
            row, count = best_header_row(grid, instrument)
            if count > best[0]:
                best = (count, name, row)
        count, sheet, row = best
        return Layout(fmt, extension, sheets=list(workbook.sheet_names), sheet=sheet, header_row=row, recognised=count)
    if fmt in ("stata", "spss"):
        import pyreadstat

        reader = pyreadstat.read_dta if fmt == "stata" else pyreadstat.read_sav
        try:
            _, meta = reader(str(path), metadataonly=True)
        except Exception:  # pyreadstat.ReadstatError: the reader says what is wrong when the file is read
            return Layout(fmt, extension)
        names = [
            n if recognised_headers([n], instrument) else meta.column_names_to_labels.get(n) for n in meta.column_names
        ]
        return Layout(fmt, extension, recognised=recognised_headers(names, instrument))
    return Layout(fmt, extension)

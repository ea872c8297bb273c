"""Byte-for-byte deterministic writers for the four delivery formats.

* xlsx: a small SpreadsheetML writer (shared strings, one sheet, header in row 1) with fixed
  document properties and fixed zip-entry timestamps. openpyxl needs about 50 s for 100,000 rows
  without lxml, which the benchmark mode cannot afford; the files read back with openpyxl and
  pandas like any workbook.
* CSV: GBK-encoded, CRLF line ends, minimal quoting.
* .sav / .dta: pyreadstat, then the header timestamp (which ReadStat sets to the current time and
  offers no option for) is overwritten with a fixed one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyreadstat

FIXED_TIME = dt.datetime(2021, 1, 1, 0, 0, 0)
CREATOR = "pa-study demo generator"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SAV_DATE = slice(92, 101)  # creation date "dd Mon yy" in the SPSS file header
_SAV_TIME = slice(101, 109)  # creation time "hh:mm:ss"
# Literal stamps (not strftime): %b would follow the locale.
_SAV_STAMP_DATE, _SAV_STAMP_TIME = b"01 Jan 21", b"00:00:00"
_DTA_STAMP_TAG = b"<timestamp>"
_DTA_STAMP = b"01 Jan 2021 00:00"
_XLSX_STAMP = "2021-01-01T00:00:00Z"
_FAST_ZIP_ABOVE = 16 * 2**20  # benchmark-sized sheets favour speed: level 6 costs ~3 s per 100,000 rows


@dataclass(frozen=True)
class Sheet:
    """One table ready to write.

    Attributes
    ----------
    headers : list of str
        Column headers as they appear in the file.
    columns : list of list
        Cells by column (``None`` is an empty cell).
    labels : list of str
        Variable labels (Stata/SPSS only).
    value_labels : dict
        Header -> {code: label} (Stata/SPSS only).
    kinds : list of str
        ``string``, ``number`` or ``date`` per column (Stata/SPSS storage type).
    title : str
        Sheet name (xlsx) and the basis of the document title / file label.
    """

    headers: list[str]
    columns: list[list]
    labels: list[str]
    value_labels: dict[str, dict[int, str]]
    kinds: list[str]
    title: str


def write_sheet(sheet: Sheet, path: Path, file_format: str, file_label: str) -> None:
    """Write a table in a county's format.

    Parameters
    ----------
    sheet : Sheet
        The table.
    path : Path
        Destination file.
    file_format : str
        ``xlsx``, ``csv``, ``sav`` or ``dta``.
    file_label : str
        Document title (xlsx) or file label (.sav/.dta); marks the data as synthetic.
    """
    writer = {"xlsx": write_xlsx, "csv": write_csv_gbk, "sav": write_sav, "dta": write_dta}[file_format]
    writer(sheet, path, file_label)


# ---- xlsx -------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def write_xlsx(sheet: Sheet, path: Path, file_label: str) -> None:
    """Write a one-sheet workbook (header in row 1) with fixed properties and zip timestamps."""
    strings: dict[str, int] = {}
    rows_xml = _xlsx_rows(sheet, strings)
    last_cell = f"{_column_letters(len(sheet.headers))[-1]}{len(sheet.columns[0]) + 1}"
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:{last_cell}"/><sheetData>{rows_xml}</sheetData></worksheet>'
    )
    shared = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in strings)
    shared_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>'
    )
    workbook_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(sheet.title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    core_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(file_label)}</dc:title><dc:creator>{CREATOR}</dc:creator>"
        f"<cp:lastModifiedBy>{CREATOR}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_XLSX_STAMP}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_XLSX_STAMP}</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>{CREATOR}</Application></Properties>"
    )
    parts = [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/app.xml", app_xml),
        ("docProps/core.xml", core_xml),
        ("xl/workbook.xml", workbook_xml),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
        ("xl/styles.xml", _STYLES),
        ("xl/sharedStrings.xml", shared_xml),
        ("xl/worksheets/sheet1.xml", sheet_xml),
    ]
    write_deterministic_zip(path, [(name, text.encode("utf-8")) for name, text in parts])


def write_deterministic_zip(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write a zip whose bytes depend only on the members (fixed timestamps, attributes, levels)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6 if len(data) < _FAST_ZIP_ABOVE else 1)


def _column_letters(n: int) -> list[str]:
    letters = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _xlsx_rows(sheet: Sheet, strings: dict[str, int]) -> str:
    letters = _column_letters(len(sheet.headers))
    header = "".join(
        f'<c r="{letters[j]}1" t="s"><v>{strings.setdefault(h, len(strings))}</v></c>'
        for j, h in enumerate(sheet.headers)
    )
    # Column by column: each column is mostly one type, so the type tests stay cheap.
    fragments = [
        _cell_fragments(letter, values, strings) for letter, values in zip(letters, sheet.columns, strict=True)
    ]
    rows = [f'<row r="{i}">{"".join(cells)}</row>' for i, cells in enumerate(zip(*fragments, strict=True), start=2)]
    return f'<row r="1">{header}</row>' + "".join(rows)


def _cell_fragments(letter: str, values: list, strings: dict[str, int]) -> list[str]:
    fragments = []
    for i, value in enumerate(values, start=2):
        kind = type(value)
        if value is None:
            fragments.append("")
        elif kind is int:
            fragments.append(f'<c r="{letter}{i}"><v>{value}</v></c>')
        elif kind is str:
            fragments.append(f'<c r="{letter}{i}" t="s"><v>{strings.setdefault(value, len(strings))}</v></c>')
        elif isinstance(value, dt.date):
            fragments.append(f'<c r="{letter}{i}" s="1"><v>{(value - _EXCEL_EPOCH).days}</v></c>')
        else:
            fragments.append(f'<c r="{letter}{i}"><v>{format_number(value)}</v></c>')
    return fragments


def format_number(value: object) -> str:
    """Return a number as text without a spurious ``.0`` (``3200``, ``85.3``, ``46.875``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- CSV --------------------------------------------------------------------------------------


def write_csv_gbk(sheet: Sheet, path: Path, file_label: str) -> None:
    """Write a GBK-encoded CSV (the file label has no place in a CSV and is not written)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.headers)
    for row in zip(*sheet.columns, strict=True):
        writer.writerow(
            [
                ""
                if v is None
                else v.isoformat()
                if isinstance(v, dt.date)
                else v
                if isinstance(v, str)
                else format_number(v)
                for v in row
            ]
        )
    path.write_bytes(buffer.getvalue().encode("gbk"))


# ---- Stata / SPSS -------------------------------------------------------------------------------


def _stat_frame(sheet: Sheet) -> pd.DataFrame:
    data = {}
    for header, kind, values in zip(sheet.headers, sheet.kinds, sheet.columns, strict=True):
        if kind == "number":
            data[header] = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        elif kind == "date":
            data[header] = pd.Series(values, dtype=object)
        else:
            data[header] = pd.Series(["" if v is None else str(v) for v in values], dtype=object)
    return pd.DataFrame(data)


def write_sav(sheet: Sheet, path: Path, file_label: str) -> None:
    """Write a bytecode-compressed SPSS .sav file (SPSS's default) and fix its header timestamp."""
    pyreadstat.write_sav(
        _stat_frame(sheet),
        str(path),
        file_label=file_label,
        row_compress=True,
        column_labels=dict(zip(sheet.headers, sheet.labels, strict=True)),
        variable_value_labels=sheet.value_labels,
    )
    data = bytearray(path.read_bytes())
    if data[:4] != b"$FL2" or not re.fullmatch(rb"\d\d \w{3} \d\d", bytes(data[_SAV_DATE])):
        raise RuntimeError(f"{path}: unexpected SPSS header layout, cannot fix the timestamp")
    data[_SAV_DATE] = _SAV_STAMP_DATE
    data[_SAV_TIME] = _SAV_STAMP_TIME
    path.write_bytes(bytes(data))


def write_dta(sheet: Sheet, path: Path, file_label: str) -> None:
    """Write a Stata 14 (release 118, UTF-8) .dta file and fix its header timestamp."""
    pyreadstat.write_dta(
        _stat_frame(sheet),
        str(path),
        file_label=file_label,
        version=14,
        column_labels=dict(zip(sheet.headers, sheet.labels, strict=True)),
        variable_value_labels=sheet.value_labels,
    )
    data = bytearray(path.read_bytes())
    at = data.find(_DTA_STAMP_TAG)
    if at < 0 or data[at + len(_DTA_STAMP_TAG)] != len(_DTA_STAMP):
        raise RuntimeError(f"{path}: unexpected Stata header layout, cannot fix the timestamp")
    start = at + len(_DTA_STAMP_TAG) + 1
    data[start : start + len(_DTA_STAMP)] = _DTA_STAMP
    path.write_bytes(bytes(data))

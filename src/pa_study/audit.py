"""Auditing output folders for personal data, as a researcher should before sharing them.

The pipeline screens every value it writes (:mod:`pa_study.privacy`); this is the independent check
of the result: every file under the folders (Parquet cells, CSV, JSON, SVG and log text, the PDF's
text) is searched for the personal values of the study's raw files (names, ID-card and phone numbers
read from their personal columns) and for anything shaped like an ID-card or mobile number. CI runs
it after the demo run (``pa-study audit-personal-data results reports``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import Codebook, normalise_label
from pa_study.privacy import ID_CARD, MOBILE, personal_cells, personal_kind

#: A raw personal value found verbatim.
RAW_VALUE = "personal value of a raw file"
# Names are runs of Chinese characters (and the middle dot of minority names); numbers are runs of
# digits standing alone, so digits inside a pseudonym or hash are not taken for a phone number.
_CJK_RUN = re.compile(r"[\u3400-\u9fff·]+")
_NUMBER_RUN = re.compile(r"(?<![0-9A-Za-z])\d+[Xx]?(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Leak:
    """Personal data found in a file (where and what kind; never the value)."""

    path: str
    where: str
    kind: str


def raw_personal_values(config: dict[str, Any], codebook: Codebook, root: str | Path = ".") -> set[str]:
    """Return the values of the personal columns of every raw file the config names.

    Parameters
    ----------
    config : dict
        The study's config (``counties`` with their ``files``).
    codebook : Codebook
        Says which columns are personal.
    root : str or Path
        The folder the config's paths are relative to.

    Returns
    -------
    set of str
        Values of at least two characters that are not codebook words (a phone column's "无").
    """
    from pa_study.ingest.headers import map_headers
    from pa_study.ingest.readers import read_raw

    values: set[str] = set()
    for block in config["counties"].values():
        for instrument_name, spec in block["files"].items():
            instrument = codebook[instrument_name]
            raw = read_raw(
                Path(root) / spec["path"],
                encoding=spec.get("encoding", "auto"),
                sheet=spec.get("sheet"),
                header_row=spec.get("header_row", 1),
            )
            mapped = map_headers(raw, instrument)
            positions = [p for p, name in mapped.columns.items() if instrument[name].personal]
            for row in raw.rows:
                for position in positions:
                    value = (row[position] or "").strip()
                    if len(value) >= 2 and normalise_label(value) not in instrument.vocabulary:
                        values.add(value)
    return values


def audit_folders(folders: Iterable[str | Path], values: set[str]) -> list[Leak]:
    """Return every piece of personal data found in the files under ``folders``.

    Parameters
    ----------
    folders : iterable of str or Path
        Folders searched recursively (a missing one is skipped).
    values : set of str
        Personal values to look for verbatim (:func:`raw_personal_values`).

    Returns
    -------
    list of Leak
        In file order; one per place (record, line or page) and kind.
    """
    needles = _Needles(values)
    leaks: list[Leak] = []
    for folder in folders:
        root = Path(folder)
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.suffix == ".parquet":
                leaks += _table_leaks(path, needles)
                continue
            for where, text in _texts(path):
                leaks += [Leak(str(path), where, kind) for kind in _kinds(text, needles)]
    return leaks


def _table_leaks(path: Path, needles: _Needles) -> list[Leak]:
    """Leaks in the cells of a Parquet table: patterns screened column by column, raw values looked
    for once per distinct cell text."""
    frame = pd.read_parquet(path)
    found = {(f.row, f.kind) for f in personal_cells(frame)}
    for column in frame.columns:
        cells = frame[column].astype("string")
        distinct = [v for v in cells.dropna().unique() if needles.found_in(str(v))]
        found |= {(int(row), RAW_VALUE) for row in np.flatnonzero(cells.isin(distinct).fillna(False).to_numpy())}
    if any(needles.found_in(str(c)) or personal_kind(str(c)) for c in frame.columns):
        found.add((None, RAW_VALUE))
    return [
        Leak(str(path), "column names" if row is None else f"record {row + 1}", kind)
        for row, kind in sorted(found, key=lambda item: (-1 if item[0] is None else item[0], item[1]))
    ]


def _texts(path: Path) -> Iterator[tuple[str, str]]:
    """The text of a file, piece by piece: each PDF page, each text line."""
    if path.suffix == ".pdf":
        from pypdf import PdfReader

        for number, page in enumerate(PdfReader(path).pages, start=1):
            text = page.extract_text() or ""
            # Extraction puts a space wherever the font changes (a CJK glyph beside a Latin one).
            yield f"page {number}", f"{text}\x1f{''.join(text.split())}"
    else:
        text = path.read_bytes().decode("utf-8", errors="replace")
        if path.suffix == ".svg":
            text = _without_path_data(text)
        for number, line in enumerate(text.splitlines(), start=1):
            yield f"line {number}", line


_PATH_DATA = re.compile(r'\bd="[^"]*"')


def _without_path_data(svg: str) -> str:
    """An SVG without its path geometry (``d="M 1446 166 …"``), keeping its line numbers: the
    coordinates of the glyphs matplotlib draws as paths (a CJK font's run to four digits) are not
    text, and runs of them look like phone numbers."""
    return _PATH_DATA.sub(lambda m: 'd=""' + "\n" * m.group().count("\n"), svg)


class _Needles:
    """The raw personal values, sorted by how they are looked for."""

    def __init__(self, values: set[str]) -> None:
        self.chinese = {v for v in values if _CJK_RUN.fullmatch(v)}
        self.lengths = sorted({len(v) for v in self.chinese})
        self.numbers = {v for v in values if _NUMBER_RUN.fullmatch(v)}
        self.other = sorted(values - self.chinese - self.numbers)

    def found_in(self, text: str) -> bool:
        """Whether a value is in ``text``: names anywhere in a run of Chinese characters, numbers as
        a whole run of digits, other values (Latin names, landlines with dashes) anywhere."""
        for run in _CJK_RUN.findall(text):
            for size in self.lengths:
                if any(run[i : i + size] in self.chinese for i in range(len(run) - size + 1)):
                    return True
        if any(m.group() in self.numbers for m in _NUMBER_RUN.finditer(text)):
            return True
        return any(v in text for v in self.other)


def _kinds(text: str, needles: _Needles) -> list[str]:
    found = []
    for part in text.split("\x1f"):
        kind = personal_kind(part, whole_cell=False)
        if kind in (ID_CARD, MOBILE) and kind not in found:
            found.append(kind)
    if needles.found_in(text):
        found.append(RAW_VALUE)
    return found

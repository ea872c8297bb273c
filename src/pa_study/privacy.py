"""Screening values for personal data before anything is written under ``results/`` or ``reports/``.

Ingest drops the personal columns by header (codebook ``personal: true``), but a value can still
land in another column: cells shifted in a spreadsheet ("insert cells, shift right"), a phone number
typed into the wrong field. So every file the pipeline writes (:mod:`pa_study.files`) and every log
line (:class:`MaskingFormatter`) is screened for the values themselves:

- **resident ID-card numbers**: 18 characters with a plausible region code and birth date and a valid
  GB 11643-1999 check character, so a random 18-digit number is rarely taken for one;
- **mainland mobile numbers**: 11 digits starting 13-19, optionally with +86 and separators, standing
  alone: digits inside a longer run of letters and digits (a hexadecimal pseudonym) are not a phone;
- **values of the personal columns** (names, landlines written oddly) of the file being ingested,
  registered with :func:`register_personal_values`. Only the ingest step ever holds them, so only
  its output and its log are screened for them; later stages see the patterns only.

Data tables and results refuse such a value (:class:`PersonalDataError`, naming file, row and column,
never the value); diagnostic copies of raw values (cleaning log, quarantine, duplicates report) and
log lines mask it (``[removed: mobile phone number]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pa_study.errors import InputError

ID_CARD = "ID-card number"
MOBILE = "mobile phone number"
PERSONAL_VALUE = "value of a personal column"

#: GB 11643-1999: weights of the first 17 digits and the check character of (sum mod 11).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
#: Letters or digits on either side make a digit run part of a longer token (a pseudonym, a hash).
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# A dot before the digits makes them decimals of a number (0.13812345678), not a phone number.
_MOBILE_NUMBER = re.compile(r"(?<![0-9A-Za-z.])(?:(?:\+|00)?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?![0-9A-Za-z])")
#: Cheap pre-filter for vectorised screening: a cell can only hold either pattern with 11 digits.
_ELEVEN_DIGITS = re.compile(r"(?:\d[-\s]?){10}\d")
_PHONE_RANGE = (13_000_000_000, 20_000_000_000)
_ID_RANGE = (10**16, 10**18)


class _PersonalValues:
    """The registered values of personal columns, and their lengths, so that free text is searched
    for them by its substrings of those lengths instead of value by value (a census county registers
    millions of names)."""

    def __init__(self) -> None:
        self.values: set[str] = set()
        self._lengths: list[int] | None = None

    def __bool__(self) -> bool:
        return bool(self.values)

    def add(self, text: str) -> None:
        if text not in self.values:
            self.values.add(text)
            self._lengths = None

    def clear(self) -> None:
        self.values.clear()
        self._lengths = None

    def lengths(self) -> list[int]:
        """The lengths of the registered values, longest first."""
        if self._lengths is None:
            self._lengths = sorted({len(v) for v in self.values}, reverse=True)
        return self._lengths

    def find(self, text: str, start: int = 0) -> tuple[int, int] | None:
        """The leftmost registered value in ``text`` from ``start`` (the longest one there), as
        ``(start, end)``, or ``None``."""
        lengths = self.lengths()
        for i in range(start, len(text)):
            for length in lengths:
                if i + length <= len(text) and text[i : i + length] in self.values:
                    return i, i + length
        return None


_registered = _PersonalValues()


@dataclass(frozen=True)
class Finding:
    """Where a value that looks like personal data was found (never the value itself).

    Attributes
    ----------
    kind : str
        :data:`ID_CARD`, :data:`MOBILE` or :data:`PERSONAL_VALUE`.
    row : int or None
        0-based position of the record in the table written (``None`` for JSON and text).
    column : str
        The column, or for JSON the path of the value (``headline[3].note``).
    source_row : int or None
        The row in the raw file, where the table carries ``source_row``.
    """

    kind: str
    row: int | None
    column: str
    source_row: int | None = None


class PersonalDataError(InputError):
    """A file would hold a value that looks like personal data; nothing was written."""


def id_check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check character for the first 17 digits of an ID-card number.

    Parameters
    ----------
    first17 : str
        Region code (6), birth date YYYYMMDD (8) and sequence code (3).

    Returns
    -------
    str
        One of ``0``-``9`` or ``X``.
    """
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_id_card_number(text: str) -> bool:
    """Return whether ``text`` is a well-formed 18-character resident ID-card number.

    Well-formed means: a region code starting 1-8 (the province codes 11-82), a real birth date
    between 1900 and 2099, and the GB 11643-1999 check character; one random 18-digit number in
    about 11 x 30 passes.
    """
    text = text.strip().upper()
    if len(text) != 18 or not text[:17].isdigit() or text[17] not in "0123456789X":
        return False
    if text[0] not in "12345678" or text[6:8] not in ("19", "20"):
        return False
    try:
        dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return id_check_digit(text[:17]) == text[17]


def _normalised(text: str) -> str:
    # Full-width digits (１３８…) are what a phone number typed in a Chinese input method looks like.
    return unicodedata.normalize("NFKC", text)


def personal_kind(text: str, *, whole_cell: bool = True) -> str | None:
    """Return what kind of personal data ``text`` holds or contains, or ``None``.

    Parameters
    ----------
    text : str
        A table cell, or free text.
    whole_cell : bool
        A registered value of a personal column counts when it is the whole (stripped) text, as in
        a table cell (a name inside a longer village name is not that person); ``False`` looks for
        it anywhere, as in free text. ID-card and mobile numbers count anywhere either way.
    """
    folded = _normalised(text)
    if any(is_id_card_number(m.group()) for m in _ID_CANDIDATE.finditer(folded)):
        return ID_CARD
    if _MOBILE_NUMBER.search(folded):
        return MOBILE
    if _registered:
        compact = "".join(folded.split())
        if compact in _registered.values if whole_cell else _registered.find(compact) is not None:
            return PERSONAL_VALUE
    return None


def mask_text(text: str) -> str:
    """Return ``text`` with ID-card and mobile numbers, and registered personal values anywhere in
    it, replaced by ``[removed: <kind>]`` (for log lines and diagnostic copies of raw values)."""
    folded = _normalised(text)
    masked = _ID_CANDIDATE.sub(lambda m: f"[removed: {ID_CARD}]" if is_id_card_number(m.group()) else m.group(), folded)
    masked = _MOBILE_NUMBER.sub(f"[removed: {MOBILE}]", masked)
    masked = _masked_registered_values(masked)
    return masked if masked != folded else text


def _masked_registered_values(text: str) -> str:
    """``text`` with each registered value in it replaced, scanning left to right and taking the
    longest value at each place."""
    marker, parts, start = f"[removed: {PERSONAL_VALUE}]", [], 0
    while (found := _registered.find(text, start)) is not None:
        parts += [text[start : found[0]], marker]
        start = found[1]
    return "".join([*parts, text[start:]])


def register_personal_values(values: Iterable[Any], *, vocabulary: Iterable[str] = ()) -> None:
    """Remember the values of personal columns, so this process screens and masks them too.

    Called by the ingest step for the file it reads. Values shorter than two characters, numbers the
    patterns already cover, and words of the codebook's vocabulary (missing codes, yes/no words,
    category labels, which a phone column may hold instead of a number) are not registered.

    Parameters
    ----------
    values : iterable
        Cells of the personal columns (``None`` and missing skipped).
    vocabulary : iterable of str
        Normalised codebook words that are never personal (see ``Codebook.vocabulary``).
    """
    words = {"".join(_normalised(str(w)).split()).lower() for w in vocabulary}
    for value in values:
        if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
            continue
        text = "".join(_normalised(str(value)).split())
        if len(text) < 2 or text.lower() in words or personal_kind(text) in (ID_CARD, MOBILE):
            continue
        if any(c.isalpha() for c in text) or sum(c.isdigit() for c in text) >= 7:
            _registered.add(text)


def clear_personal_values() -> None:
    """Forget the registered personal values (end of an ingest, tests)."""
    _registered.clear()


def personal_cells(frame: pd.DataFrame, *, skip: Iterable[str] = ()) -> list[Finding]:
    """Return every cell of ``frame`` that looks like personal data, in row then column order.

    Text cells are screened with :func:`personal_kind`; whole numbers in number columns are screened
    as their digits (a phone number read as a number is still one).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    skip : iterable of str
        Columns not screened (pseudonyms, which are hashes).

    Returns
    -------
    list of Finding
    """
    skipped = set(skip)
    source = frame["source_row"] if "source_row" in frame.columns else None
    found: list[Finding] = []
    for position, column in enumerate(frame.columns):
        if column in skipped:
            continue
        for row, kind in _column_findings(frame.iloc[:, position]):
            origin = None if source is None or pd.isna(source.iloc[row]) else int(source.iloc[row])
            found.append(Finding(kind, row, str(column), origin))
    return sorted(found, key=lambda f: (f.row, list(map(str, frame.columns)).index(f.column)))


def _column_findings(values: pd.Series) -> list[tuple[int, str]]:
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
        return []
    if pd.api.types.is_numeric_dtype(values):
        return _number_findings(values)
    # Each distinct text is screened once: survey columns repeat a few values (villages, answers)
    # over many rows, and pandas' string methods ran Python per cell anyway.
    codes, distinct = pd.factorize(values.astype("string"))
    flagged = {code: kind for code, text in enumerate(distinct) if (kind := _text_kind(str(text)))}
    rows = np.flatnonzero(np.isin(codes, list(flagged))) if flagged else []
    return [(int(row), flagged[int(codes[row])]) for row in rows]


def _text_kind(text: str) -> str | None:
    """:func:`personal_kind` of a table cell, skipping its checks where no personal value can be."""
    folded = _normalised(text)
    if _ELEVEN_DIGITS.search(folded) or (_registered and "".join(folded.split()) in _registered.values):
        return personal_kind(text)
    return None


def _number_findings(values: pd.Series) -> list[tuple[int, str]]:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    whole = np.isfinite(numbers) & (np.mod(numbers, 1) == 0)
    phone = whole & (numbers >= _PHONE_RANGE[0]) & (numbers < _PHONE_RANGE[1])
    hits = [(int(row), MOBILE) for row in np.flatnonzero(phone)]
    if pd.api.types.is_integer_dtype(values):
        # Only integers hold all 18 digits exactly; a float this large has lost the check digit.
        long = whole & (numbers >= _ID_RANGE[0]) & (numbers < _ID_RANGE[1])
        hits += [(int(row), ID_CARD) for row in np.flatnonzero(long) if is_id_card_number(str(values.iloc[row]))]
    return sorted(hits)


def personal_values_in(value: Any, path: str = "") -> list[Finding]:
    """Return every string or number inside a JSON-like value (dicts, lists) that looks like personal
    data, each located by its path (``headline[3].note``); keys are screened as well as values."""
    found: list[Finding] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            kind = personal_kind(str(key))
            if kind:
                found.append(Finding(kind, None, where))
            found += personal_values_in(item, where)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += personal_values_in(item, f"{path}[{index}]")
    elif isinstance(value, str):
        kind = personal_kind(value)
        if kind:
            found.append(Finding(kind, None, path))
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        kind = personal_kind(str(int(value)))
        if kind in (ID_CARD, MOBILE):
            found.append(Finding(kind, None, path))
    elif isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        if _PHONE_RANGE[0] <= float(value) < _PHONE_RANGE[1]:
            found.append(Finding(MOBILE, None, path))
    return found


def masked_frame(frame: pd.DataFrame, findings: list[Finding]) -> pd.DataFrame:
    """Return ``frame`` with the cells of ``findings`` masked (:func:`mask_text`); a number column
    holding one becomes text."""
    out = frame.copy()
    for finding in findings:
        assert finding.row is not None
        position = list(map(str, out.columns)).index(finding.column)
        if not pd.api.types.is_object_dtype(out.iloc[:, position]):
            out[out.columns[position]] = out.iloc[:, position].astype(object)
        cell = out.iat[finding.row, position]
        out.iat[finding.row, position] = mask_text(_digits(cell)) if not isinstance(cell, str) else mask_text(cell)
    return out


def _digits(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def refusal(
    findings: list[Finding], path: str, *, rows: str = "records", headers: Mapping[str, str] | None = None
) -> PersonalDataError:
    """Return the error saying that writing ``path`` would put personal data in it.

    Parameters
    ----------
    findings : list of Finding
        Non-empty; located by column, the first five rows of each.
    path : str
        The file that was to be written, or the raw file for the ingest step.
    rows : str
        How rows are named: ``records`` (1-based record of a Parquet table), ``spreadsheet`` (a CSV
        as a spreadsheet shows it, header = row 1) or ``source`` (the raw file's row, from
        ``source_row``).
    headers : mapping, optional
        Column -> the header to name it by (the raw file's header at ingest).
    """
    by_column: dict[str, list[Finding]] = {}
    for finding in findings:
        by_column.setdefault(finding.column, []).append(finding)
    places = []
    for column, found in by_column.items():
        label = headers.get(column, column) if headers else column
        located = [_row_label(f, rows) for f in found if f.row is not None]
        if not located:
            places.append(f"value '{label}'")
            continue
        more = f" and {len(located) - 5} more" if len(located) > 5 else ""
        noun = "" if rows == "records" else "row " if len(located) == 1 else "rows "
        places.append(f"column '{label}', {noun}{', '.join(located[:5])}{more}")
    kinds = sorted({f.kind for f in findings})
    message = (
        f"{'; '.join(places)}: holds what looks like {' or '.join(_article(k) for k in kinds)}. Personal "
        "data (names, ID-card and phone numbers) must not leave the ingest step, so nothing was written "
        "(the value is not shown); look for cells shifted into the wrong column"
    )
    return PersonalDataError(message, path=path)


def _row_label(finding: Finding, rows: str) -> str:
    assert finding.row is not None
    if rows == "source" and finding.source_row is not None:
        return str(finding.source_row)
    if rows == "spreadsheet":
        return str(finding.row + 2)
    origin = f" (raw file row {finding.source_row})" if finding.source_row is not None else ""
    return f"record {finding.row + 1}{origin}"


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiouAEIOU" else f"a {kind}"


class MaskingFormatter(logging.Formatter):
    """A log formatter that masks personal data (:func:`mask_text`) in the whole formatted record,
    traceback included."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))

"""Cell-level text rules: survey-sheet spellings of text, numbers and dates read into values."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

import numpy as np
import pandas as pd


def normalised_text(value: str) -> tuple[str, str | None]:
    """Return ``value`` folded to half-width (NFKC) and trimmed, with the rule that changed it.

    Returns
    -------
    (str, str or None)
        The new value and ``"fullwidth"`` (full-width characters folded), ``"trim"`` (only white
        space removed) or ``None`` (unchanged).
    """
    folded = unicodedata.normalize("NFKC", value)
    trimmed = folded.strip()
    if folded != value:
        return trimmed, "fullwidth"
    if trimmed != value:
        return trimmed, "trim"
    return value, None


_NUMBER = re.compile(
    r"^(?P<sign>[-+]?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
    r"(?P<mult>万|千)?(?P<unit>元|块|人|个|天|日|岁|周岁|年|小时|次|户|亩|份)?$"
)


def parsed_number(text: str) -> tuple[float, str | None] | None:
    """Read a number written the way survey sheets write them.

    Accepts thousands separators (``1,200``), unit suffixes (``3200元``, ``45岁``) and the
    multipliers 万 (10,000) and 千 (1,000), as in ``1.2万``. Arithmetic is decimal, so ``1.2万`` is
    exactly 12000.

    Parameters
    ----------
    text : str
        A cell already folded to half-width and trimmed.

    Returns
    -------
    (float, str or None) or None
        The value and the rule that applied (``"wan"`` for a 万 multiplier, ``"unit_suffix"`` for
        separators, units or 千, ``None`` for a plain number), or ``None`` if it is not a number.
    """
    match = _NUMBER.match(text)
    if match is None:
        try:
            value = float(text)
        except ValueError:
            return None
        return (value, None) if np.isfinite(value) else None
    try:
        number = Decimal(match["num"].replace(",", ""))
    except InvalidOperation:
        return None
    if match["sign"] == "-":
        number = -number
    rule = None
    if match["mult"] == "万":
        number, rule = number * 10000, "wan"
    elif match["mult"] == "千":
        number, rule = number * 1000, "unit_suffix"
    if rule is None and (match["unit"] or "," in match["num"]):
        rule = "unit_suffix"
    return float(number), rule


def states_own_unit(text: str) -> bool:
    """Whether a number cell states its own money unit (``10万``, ``3200元``, ``1.2千块``), which then
    takes precedence over the unit of its column's header."""
    match = _NUMBER.match(text)
    return bool(match and (match["mult"] or match["unit"] in ("元", "块")))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def parsed_date(text: str) -> pd.Timestamp | None:
    """Read a date written as ``2020-08-15``, ``2020/8/15``, ``2020.8.15``, ``2020年8月15日``,
    ``20200815`` or an Excel serial day number; ``None`` if it is none of these."""
    match = _DATE.match(text) or _COMPACT_DATE.match(text)
    if match:
        try:
            return pd.Timestamp(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if text.isdigit() and 20000 <= int(text) <= 80000:
        return _EXCEL_EPOCH + pd.Timedelta(days=int(text))
    return None

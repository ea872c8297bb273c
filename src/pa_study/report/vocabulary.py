"""The report's vocabulary rule: what a generated sentence may say about an estimate.

Three rules, checked on every statement the implications make (:func:`enforce`) and by the tests
on whole rendered sections (:func:`violations`):

* causal verbs (raise, cause, lead to, did not make ...) only for estimates whose design the
  indicator file marks causal (``causal: true`` on the row; none of the study's designs is);
* "cannot be told apart from zero" always comes with the minimum detectable effect, and a null is
  never read as an absence ("no effect", "not detectably");
* statements on single estimates that are not adjusted for multiplicity say so, once per family
  (:data:`NOT_ADJUSTED`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

#: Causal verbs by language: each a regular expression matched case-insensitively.
CAUSAL_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        r"\brais(e|es|ed|ing)\b",
        r"\bcaus(e|es|ed|ing)\b",
        r"\blead(s|ing)? to\b",
        r"\bled to\b",
        r"\bdid not make\b",
        r"\bmade blood\b",
        r"\bmakes? blood\b",
        r"\bresult(s|ed)? in\b",
        r"\bboost(s|ed)?\b",
        r"\bthanks to\b",
        r"\bbecause of\b",
    ),
    "zh": ("导致", "使[^。；]{0,20}(提高|增加|下降|减少)", "造成", "带来了", "未能造血", "促进了", "得益于"),
}
#: How each language says an interval includes zero, and how it names the minimum detectable effect.
NULL_PHRASES = {"en": ("cannot be told apart from zero",), "zh": ("与零无法区分",)}
#: Readings of a null as an absence ("no effect"): a null is said with NULL_PHRASES and its MDE instead.
ABSENCE_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        r"\bno (effect|association|difference)\b",
        r"\b(no|not)\b[^.;]{0,30}\bdetectabl[ey]\b",
        r"\bdo(es)? not differ\b",
    ),
    "zh": ("没有效应", "无可检测", "未发现", "没有关联", "没有差异"),
}
MDE_PHRASES = {"en": "minimum detectable effect", "zh": "最小可检测效应"}
#: The once-per-family note on intervals that are not adjusted for the number of statements.
NOT_ADJUSTED = {
    "en": "The intervals in these statements are 95% intervals of single estimates, not adjusted for the "
    "number of statements.",
    "zh": "以上陈述中的区间为单个估计的95%置信区间，未对陈述数量作多重比较调整。",
}


class VocabularyError(ValueError):
    """A generated statement breaks the report's vocabulary rule (a defect of its template)."""


def causal_allowed(rows: Iterable[Mapping[str, Any]]) -> bool:
    """Whether a statement citing ``rows`` may use causal verbs: only if every row's design is
    marked causal in its indicator file."""
    return all(bool(row.get("causal", False)) for row in rows)


def violations(text: str, language: str, *, causal: bool = False) -> list[str]:
    """Return what ``text`` breaks of the vocabulary rule (empty when nothing).

    Parameters
    ----------
    text : str
        One statement, or a whole rendered section.
    language : str
        ``en`` or ``zh``.
    causal : bool
        Whether the estimates behind ``text`` come from a design marked causal.

    Returns
    -------
    list of str
        One message per banned phrase found (causal wording, a null read as an absence), and one
        per null statement without the minimum detectable effect in the same sentence.
    """
    found = []
    if not causal:
        for pattern in CAUSAL_PHRASES[language]:
            for match in re.finditer(pattern, text, flags=re.IGNORECASE):
                found.append(f"causal wording {match.group(0)!r} for an estimate whose design is not causal")
    for pattern in ABSENCE_PHRASES[language]:
        for match in re.finditer(pattern, text, flags=re.IGNORECASE):
            found.append(f"a null read as an absence: {match.group(0)!r}")
    for sentence in _sentences(text):
        if any(p in sentence for p in NULL_PHRASES[language]) and MDE_PHRASES[language] not in sentence:
            found.append(f"a null without its minimum detectable effect: {sentence!r}")
    return found


def enforce(statement: str, language: str, rows: Iterable[Mapping[str, Any]]) -> str:
    """Return ``statement`` if it keeps the vocabulary rule for the ``rows`` it cites.

    Raises
    ------
    VocabularyError
        Naming what the statement breaks.
    """
    broken = violations(statement, language, causal=causal_allowed(rows))
    if broken:
        raise VocabularyError("; ".join(broken))
    return statement


def _sentences(text: str) -> list[str]:
    # A sentence ends at a full stop followed by a space or line end, or at a Chinese full stop.
    return [s for s in re.split(r"(?<=[.。])\s+|(?<=。)", text) if s.strip()]

"""Reading the pipeline's results files for the figures, the report and the notebooks.

Later stages read only what earlier stages wrote: the indicator families
(``results/<county>/indicators/<family>.json`` with their tidy tables beside them, see
:mod:`pa_study.indicators.output`), the clean summaries (``results/<county>/clean/summary.json``)
and, once it exists, the comparison (``results/comparison/``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.errors import InputError
from pa_study.files import read_json

_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
_LAST_CJK = re.compile(f"^(.*[{_CJK}])(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Family:
    """One indicator family of one county: its JSON document and the folder of its tables."""

    county: str
    family: str
    path: Path
    document: dict[str, Any]

    @property
    def status(self) -> str:
        """``ok``, ``partial``, ``skipped`` or ``too_small``."""
        return str(self.document.get("status", "ok"))

    @property
    def headline(self) -> list[dict[str, Any]]:
        """The headline rows in the order the family wrote them."""
        return list(self.document.get("headline", []))

    def row(self, name: str) -> dict[str, Any] | None:
        """The headline row called ``name``, or None when the family did not estimate it."""
        return next((r for r in self.headline if r.get("name") == name), None)

    def table(self, name: str) -> pd.DataFrame | None:
        """The tidy table ``name`` (e.g. ``rates``), or None when the family wrote none."""
        relative = self.document.get("tables", {}).get(name)
        if relative is None:
            return None
        path = self.path.parent / relative
        if not path.is_file():
            return None
        try:
            return pd.read_csv(path, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            # A table with no rows and no columns: nothing could be estimated (e.g. no registered household).
            return None


def load_family(path: str | Path, county: str | None = None, family: str | None = None) -> Family:
    """Read one ``<family>.json``.

    Parameters
    ----------
    path : str or Path
        ``results/<county>/indicators/<family>.json``.
    county, family : str, optional
        Expected county and family; default to the ones the document names.

    Returns
    -------
    Family

    Raises
    ------
    InputError
        When the file does not exist.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("indicator results file not found", path=str(path))
    document = read_json(path)
    return Family(
        county=county or str(document.get("county")),
        family=family or str(document.get("family", path.stem)),
        path=path,
        document=document,
    )


@dataclass
class StudyResults:
    """The indicator families of the study's counties, focal county first.

    Attributes
    ----------
    counties : list of str
        County keys, focal first then the benchmarks in config order.
    names : dict
        County key -> display name.
    families : dict
        ``(county, family)`` -> :class:`Family`.
    """

    counties: list[str]
    names: dict[str, str]
    families: dict[tuple[str, str], Family] = field(default_factory=dict)

    def get(self, county: str, family: str) -> Family | None:
        """The family of a county, or None when it was not given."""
        return self.families.get((county, family))

    def of_family(self, family: str) -> list[Family]:
        """The given family for every county that has it, in county order."""
        return [f for c in self.counties if (f := self.get(c, family)) is not None]

    def tables(self, family: str, name: str) -> pd.DataFrame:
        """Table ``name`` of ``family`` stacked over the counties, with a ``county`` column (display
        name) in county order; empty when no county has it."""
        frames = [
            table.assign(county=self.names[f.county])
            for f in self.of_family(family)
            if (table := f.table(name)) is not None
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def order(self) -> list[str]:
        """County display names in study order (focal first)."""
        return [self.names[c] for c in self.counties]


def study_results(indicators: Iterable[str], names: dict[str, str]) -> StudyResults:
    """Load ``county:family=path`` specifications into a :class:`StudyResults`.

    Parameters
    ----------
    indicators : iterable of str
        One ``county:family=path`` item per indicator JSON (the form the CLI takes).
    names : dict
        County key -> display name, focal county first.

    Returns
    -------
    StudyResults
    """
    results = StudyResults(counties=list(names), names=dict(names))
    for item in indicators:
        key, _, path = item.partition("=")
        county, _, family = key.partition(":")
        if county not in names or not family or not path:
            raise InputError(f"expected county:family=path with a county of the study, got {item!r}")
        results.families[(county, family)] = load_family(path, county, family)
    return results


def english_label(label: str) -> str:
    """The English part of a bilingual label (``错退率 wrongful-exit rate`` -> ``wrongful-exit
    rate``); labels without Chinese come back unchanged."""
    match = _LAST_CJK.match(label)
    return match.group(2).strip() if match and match.group(2).strip() else label


def chinese_label(label: str) -> str:
    """The Chinese part of a bilingual label (up to its last Chinese character); labels without
    Chinese come back unchanged."""
    match = _LAST_CJK.match(label)
    return match.group(1).strip() if match else label


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese (CJK) characters or full-width punctuation."""
    return re.search(f"[{_CJK}]", text) is not None


def strip_cjk(text: str) -> str:
    """``text`` without Chinese characters, parenthesised Chinese glosses or full-width punctuation
    (for an English report rendered without a CJK font)."""
    text = re.sub(f"\\s*[(（][^()（）]*[{_CJK}][^()（）]*[)）]", "", text)
    text = re.sub(f"[{_CJK}]+", " ", text)
    return re.sub(r"\s{2,}", " ", text).strip()

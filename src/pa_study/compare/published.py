"""Published county figures: loading and checking the benchmark table, and lining them up with the
survey estimates.

``data/benchmarks/published.csv`` holds figures the counties (or their cities and towns) published,
one a row, each with its source; its companion ``published.yaml`` lists the counties, indicators,
units, scopes and relations a row may use. A row that does not fit is rejected with a message
naming the file and the row. The comparison keeps the two kinds of evidence apart: the published
figures are never mixed with survey estimates, and the line-up labels every row with its ``kind``
(``published figure`` or ``survey estimate``), its scope (county, city-wide, town-level ...) and
its source.

References
----------
Sources of the seeded figures: ``shared/domain/facts.md`` (one source per row in the table).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pa_study.compare.part import ComparisonPart
from pa_study.compare.settings import ComparisonSettings
from pa_study.errors import InputError
from pa_study.indicators.output import FamilyResult
from pa_study.results import Family, StudyResults

PUBLISHED = "published figure"
SURVEY = "survey estimate"
#: Columns a published table must have; ``relation``, ``area``, ``confidence`` and ``note`` are optional.
REQUIRED_COLUMNS = ("county", "indicator", "year", "value", "unit", "scope", "source")
OPTIONAL_COLUMNS = ("relation", "area", "confidence", "note")
LINEUP_COLUMNS = [
    "indicator",
    "label",
    "county",
    "county_name",
    "role",
    "kind",
    "year",
    "relation",
    "value",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "unit",
    "scope",
    "area",
    "source",
    "confidence",
    "note",
]
_VOCABULARY_SECTIONS = ("counties", "indicators", "scopes", "relations")


def load_vocabulary(path: str | Path) -> dict[str, Any]:
    """Return the vocabulary of the published table (its companion YAML).

    Raises
    ------
    InputError
        When the file is missing, a section is absent, or an indicator has no unit.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("the vocabulary of the published-benchmark table is missing", path=str(path))
    vocabulary = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    absent = [s for s in _VOCABULARY_SECTIONS if not vocabulary.get(s)]
    if absent:
        raise InputError(f"the vocabulary lacks the section(s) {', '.join(absent)}", path=str(path))
    for name, spec in vocabulary["indicators"].items():
        if not isinstance(spec, dict) or not spec.get("unit"):
            raise InputError(f"indicator '{name}' has no unit", path=str(path))
    return vocabulary


def load_published(path: str | Path, vocabulary: dict[str, Any]) -> pd.DataFrame:
    """Return the checked published-benchmark table.

    Parameters
    ----------
    path : str or Path
        The CSV (UTF-8, with or without BOM); headers are row 1, so the first figure is row 2.
    vocabulary : dict
        :func:`load_vocabulary`.

    Returns
    -------
    DataFrame
        :data:`REQUIRED_COLUMNS` and :data:`OPTIONAL_COLUMNS` with ``year`` as int, ``value`` as float,
        missing optional text as ``""`` and ``relation`` ``"="`` where not given, plus ``row`` (the
        spreadsheet row).

    Raises
    ------
    InputError
        Naming the file and row: a figure without a source, an unknown county, indicator, scope or
        relation, a unit other than the indicator's, a year or value that is not a number, or a
        figure not about the county itself that does not say whose it is (``area``).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("the published-benchmark table is missing", path=str(path))
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    table.columns = [c.strip() for c in table.columns]
    absent = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if absent:
        raise InputError(
            f"the table lacks the column(s) {', '.join(absent)}; expected "
            f"{', '.join(REQUIRED_COLUMNS)} (and optionally {', '.join(OPTIONAL_COLUMNS)})",
            path=str(path),
        )
    for column in OPTIONAL_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    table = table[[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]].apply(lambda c: c.str.strip())
    table["relation"] = table["relation"].replace("", "=")
    records = [
        checked_row(record, row, vocabulary, str(path))
        for row, record in zip(range(2, len(table) + 2), table.to_dict("records"), strict=True)
    ]
    return pd.DataFrame.from_records(records, columns=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, "row"])


def checked_row(record: dict[str, str], row: int, vocabulary: dict[str, Any], path: str) -> dict[str, Any]:
    """Return one row of the published table with ``year`` and ``value`` as numbers, or raise
    :class:`InputError` naming ``path`` and ``row`` for the first thing wrong with it."""

    def fail(message: str, column: str | None = None) -> InputError:
        return InputError(message, path=path, row=row, column=column)

    if not record["source"]:
        raise fail(
            "the figure has no source; every published figure needs one (who published it, where, when)", "source"
        )
    for column, section in (("county", "counties"), ("indicator", "indicators"), ("scope", "scopes")):
        if record[column] not in vocabulary[section]:
            raise fail(
                f"unknown {column} '{record[column]}'; expected one of {', '.join(map(str, vocabulary[section]))} "
                "(add it to the vocabulary beside the table)",
                column,
            )
    if record["relation"] not in vocabulary["relations"]:
        raise fail(
            f"unknown relation '{record['relation']}'; expected one of {', '.join(vocabulary['relations'])}", "relation"
        )
    value = _number(record["value"])
    if value is None:
        raise fail(f"value '{record['value']}' is not a number (write it plainly: 77350, 0.118 for 11.8%)", "value")
    year = _number(record["year"])
    if year is None or not year.is_integer():
        raise fail(f"year '{record['year']}' is not a year", "year")
    unit = vocabulary["indicators"][record["indicator"]]["unit"]
    if record["unit"] != unit:
        raise fail(f"unit '{record['unit']}' is not the unit of {record['indicator']}, '{unit}'", "unit")
    if record["scope"] != "county" and not record["area"]:
        raise fail(f"a {record['scope']} figure must say whose it is in 'area' (the city, town or village)", "area")
    return {**record, "year": int(year), "value": value, "row": row}


def _number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def survey_counterpart(family: Family, spec: dict[str, Any]) -> dict[str, Any] | None:
    """Return the survey estimate a vocabulary entry's ``survey`` spec points at, or ``None``.

    ``spec`` names either a ``headline`` row of the family or a ``table`` with a ``match`` of
    column values that selects one row; the result has ``estimate``, ``se``, ``ci_low``,
    ``ci_high`` and ``n``. ``None`` when the family did not estimate it.
    """
    if "headline" in spec:
        row = family.row(spec["headline"])
        if row is None or row.get("estimate") is None:
            return None
        return {k: row.get(k) for k in ("estimate", "se", "ci_low", "ci_high", "n")}
    table = family.table(spec["table"])
    if table is None:
        return None
    chosen = table
    for column, value in spec["match"].items():
        chosen = chosen[chosen[column].astype(str) == str(value)]
    if len(chosen) != 1:
        return None
    record = chosen.iloc[0]
    return {k: record[k] for k in ("estimate", "se", "ci_low", "ci_high", "n")}


def published_lineup(
    published: pd.DataFrame, vocabulary: dict[str, Any], results: StudyResults, settings: PublishedSettings
) -> pd.DataFrame:
    """Return the published figures of the shown counties beside the comparable survey estimates.

    Parameters
    ----------
    published : DataFrame
        :func:`load_published`.
    vocabulary : dict
        :func:`load_vocabulary`.
    results : StudyResults
        The indicator families of the focal and benchmark counties (focal first).
    settings : PublishedSettings
        :func:`pa_study.compare.comparison_settings` of ``published``.

    Returns
    -------
    DataFrame
        :data:`LINEUP_COLUMNS`, one row per published figure of a shown county (focal, benchmarks,
        ``published_only``) and, for every indicator with a published figure and a survey
        counterpart, one survey-estimate row per county with microdata. Ordered by indicator
        (vocabulary order), county (study order), kind (survey estimate first) and year.
    """
    roles = study_roles(settings)
    shown = published[published["county"].isin(list(roles))]
    rows = [_published_record(r, vocabulary, roles, settings) for r in shown.to_dict("records")]
    for indicator in dict.fromkeys(shown["indicator"]):
        spec = vocabulary["indicators"][indicator].get("survey")
        if spec:
            rows += _survey_records(indicator, spec, vocabulary, results, settings)
    lineup = pd.DataFrame.from_records(rows, columns=LINEUP_COLUMNS)
    ranks = {"indicator": list(vocabulary["indicators"]), "county": list(roles), "kind": [SURVEY, PUBLISHED]}
    return in_order(lineup, ["indicator", "county", "kind", "year"], ranks)


def in_order(frame: pd.DataFrame, columns: list[str], ranks: dict[str, list[str]]) -> pd.DataFrame:
    """Return ``frame`` sorted by ``columns``, those in ``ranks`` in the listed order of their values
    (study order of counties, vocabulary order of indicators) rather than alphabetically."""

    def key(column: pd.Series) -> pd.Series:
        if column.name not in ranks:
            return column
        return column.map({value: i for i, value in enumerate(ranks[str(column.name)])})

    return frame.sort_values(columns, key=key, kind="stable").reset_index(drop=True)


def study_roles(settings: PublishedSettings) -> dict[str, str]:
    """Return county -> role (``focal``, ``benchmark``, ``published_only``) in study order."""
    roles = {settings.focal: "focal", **{c: "benchmark" for c in settings.benchmarks}}
    return roles | {c: "published_only" for c in settings.published_only if c not in roles}


def _county_name(county: str, vocabulary: dict[str, Any], settings: PublishedSettings) -> str:
    if county in settings.counties:
        return settings.counties[county].name
    return str((vocabulary["counties"].get(county) or {}).get("name", county))


def _published_record(
    record: dict[str, Any], vocabulary: dict[str, Any], roles: dict[str, str], settings: PublishedSettings
) -> dict[str, Any]:
    county = record["county"]
    return {
        **{
            k: record[k]
            for k in (
                "indicator",
                "county",
                "year",
                "relation",
                "value",
                "unit",
                "scope",
                "area",
                "source",
                "confidence",
                "note",
            )
        },
        "label": vocabulary["indicators"][record["indicator"]].get("label", record["indicator"]),
        "county_name": _county_name(county, vocabulary, settings),
        "role": roles[county],
        "kind": PUBLISHED,
        "se": None,
        "ci_low": None,
        "ci_high": None,
        "n": None,
    }


def _survey_records(
    indicator: str, spec: dict[str, Any], vocabulary: dict[str, Any], results: StudyResults, settings: PublishedSettings
) -> list[dict[str, Any]]:
    entry = vocabulary["indicators"][indicator]
    rows = []
    for county in results.counties:
        family = results.get(county, spec["family"])
        found = survey_counterpart(family, spec) if family is not None else None
        if found is None:
            continue
        synthetic = settings.counties[county].synthetic
        where = spec.get("headline") or f"table {spec['table']}"
        rows.append(
            {
                "indicator": indicator,
                "label": entry.get("label", indicator),
                "county": county,
                "county_name": _county_name(county, vocabulary, settings),
                "role": "focal" if county == settings.focal else "benchmark",
                "kind": SURVEY,
                "year": family.document.get("settings", {}).get("study", {}).get("survey_year"),
                "relation": "=",
                "value": found["estimate"],
                **{k: found[k] for k in ("se", "ci_low", "ci_high", "n")},
                "unit": entry["unit"],
                "scope": "county",
                "area": _county_name(county, vocabulary, settings),
                "source": f"this study's household survey ({spec['family']}.json, {where})"
                + ("; SYNTHETIC demo data" if synthetic else ""),
                "confidence": "",
                "note": spec.get("note", ""),
            }
        )
    return rows


def published_result(
    published: pd.DataFrame,
    vocabulary: dict[str, Any],
    results: StudyResults,
    settings: PublishedSettings,
    *,
    table_path: str,
) -> FamilyResult:
    """Return the published-benchmark part of the comparison as a result document.

    Tables: ``published`` (the checked published figures of the shown counties, with their
    sources) and ``published_lineup`` (:func:`published_lineup`). Notes name shown counties without
    published figures. ``headline`` stays empty: published figures carry no sampling error and are
    not estimates of this study.
    """
    roles = study_roles(settings)
    result = FamilyResult("comparison_published", settings.focal, settings)
    figures = published[published["county"].isin(list(roles))].drop(columns="row")
    result.tables["published"] = in_order(
        figures.assign(kind=PUBLISHED),
        ["county", "indicator", "year"],
        {"county": list(roles), "indicator": list(vocabulary["indicators"])},
    )
    result.tables["published_lineup"] = published_lineup(published, vocabulary, results, settings)
    for county, role in roles.items():
        if county not in set(figures["county"]):
            result.notes.append(
                f"{_county_name(county, vocabulary, settings)} ({role}) has no published figure in {table_path}"
            )
    result.definitions = {
        PUBLISHED: "a figure published by a government or news source, copied with its source; not an estimate of "
        "this study and without sampling error",
        SURVEY: "an estimate from this study's survey microdata of the county, with its design-based SE and CI",
        "scope": "; ".join(f"{k}: {v}" for k, v in vocabulary["scopes"].items()),
        "relation": "how the published value bounds the figure: = exact, < below, >= at least, ~ about",
    }
    result.sample = {"published_figures": len(figures), "published_figures_in_table": len(published)}
    return result


class PublishedSettings(ComparisonSettings):
    """Settings of the published-figures line-up: also the counties shown from published figures only."""

    published_only: tuple[str, ...]

    @classmethod
    def config_part(cls, config: Mapping[str, Any], part: str) -> dict[str, Any]:
        """The shared part and the ``published_only`` counties that are not studied anyway."""
        shared = super().config_part(config, part)
        studied = [shared["focal"], *shared["benchmarks"]]
        only = [c for c in config["comparison"]["published_only"] if c not in studied]
        return shared | {"published_only": only}


PART = ComparisonPart(
    name="published",
    settings=PublishedSettings,
    document="published.json",
    tables=("published", "published_lineup"),
)

"""Running the multiverse: one specification of a family, and the table of all of them.

A specification job recomputes the family from the county's cleaned tables under the
specification's settings (:func:`run_specification`) and writes its headline rows, protected as
the indicator files' are (:func:`pa_study.disclosure.protect_headline`). :func:`multiverse_table`
stacks the baseline (the indicator file itself) and every specification into one table per county
and family, each headline row with its estimate, interval and verdict; :func:`verdict_shares`
counts, per headline, the specifications in which the baseline's verdict holds.

References
----------
Simonsohn, U., Simmons, J. P. and Nelson, L. D. (2020). Specification curve analysis. Nature Human
Behaviour 4, 1208-1214. Steegen, S., Tuerlinckx, F., Gelman, A. and Vanpaemel, W. (2016).
Increasing transparency through a multiverse analysis. Perspectives on Psychological Science 11(5),
702-712.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import Codebook
from pa_study.disclosure import FLAG, min_cell_of, protect_headline
from pa_study.errors import InputError
from pa_study.files import read_json, write_csv, write_json
from pa_study.indicators.family import CleanedTables
from pa_study.indicators.output import json_ready
from pa_study.indicators.registry import indicator_family
from pa_study.indicators.run import cleaned_tables, family_result
from pa_study.indicators.settings import FamilySettings
from pa_study.multiverse.grid import BASELINE
from pa_study.stats.thresholds import threshold_verdict

#: Columns of a multiverse table after the choices.
COLUMNS = [
    "headline",
    "label",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "threshold",
    "threshold_operator",
    "verdict",
    "reliable",
    FLAG,
]
#: Verdicts of a row read against zero (an effect, gap or association).
ZERO_VERDICTS = ("positive", "negative", "spans zero")


def run_specification(
    *,
    family: str,
    settings: FamilySettings,
    key: str,
    choices: Mapping[str, Any],
    clean_dir: str | Path,
    codebook: Codebook,
    output: str | Path,
) -> dict[str, Any]:
    """Compute one specification of one family for one county and write its JSON.

    Parameters
    ----------
    family : str
        A registered family.
    settings : FamilySettings
        The family's settings under the specification
        (:func:`~pa_study.multiverse.grid.specification_settings`).
    key : str
        The specification's name.
    choices : dict
        Choice name -> value of the specification.
    clean_dir : str or Path
        The county's cleaned tables.
    codebook : Codebook
        The codebook.
    output : str or Path
        The JSON file: ``family``, ``county``, ``specification``, ``choices``, ``status``,
        ``notes``, ``headline`` (rows as in the indicator files) and ``settings``.

    Returns
    -------
    dict
        The document written.
    """
    chosen = indicator_family(family)
    tables = CleanedTables(cleaned_tables(clean_dir, chosen.instruments), codebook)
    result = family_result(chosen, tables, settings)
    document = json_ready(
        {
            "family": family,
            "county": settings.county,
            "specification": key,
            "choices": dict(choices),
            "status": result.status,
            "notes": result.notes,
            "headline": protect_headline(result.headline, min_cell_of(settings)),
            "settings": settings.to_dict(),
        }
    )
    write_json(document, output)
    return document


def row_verdict(row: Mapping[str, Any], family: str) -> str | None:
    """The verdict of a headline row: against its threshold (``pass``, ``fail``, ``inconclusive``)
    by :func:`pa_study.stats.threshold_verdict`; for an effect, gap or association where its
    interval lies against zero (``positive``, ``negative``, ``spans zero``); None for any other row
    or an estimate that was not made (or was suppressed)."""
    if row.get("estimate") is None or row.get("ci_low") is None or row.get("ci_high") is None:
        return None
    low, high = float(row["ci_low"]), float(row["ci_high"])
    if row.get("threshold") is not None:
        operator = str(row.get("threshold_operator") or "<")
        return threshold_verdict(float(row["estimate"]), low, high, float(row["threshold"]), operator).passes_ci
    if str(row["name"]).startswith(indicator_family(family).contrasts):
        return "positive" if low > 0 else "negative" if high < 0 else "spans zero"
    return None


def multiverse_table(
    family: str,
    baseline: str | Path,
    specifications: Sequence[str | Path],
    choices: Mapping[str, Mapping[str, Any]],
    headlines: Sequence[str],
) -> pd.DataFrame:
    """Return every specification's headline rows of one family and county as one table.

    Parameters
    ----------
    family : str
        The family.
    baseline : str or Path
        The family's indicator file (the baseline specification's results).
    specifications : sequence of str or Path
        The JSON of each other specification (:func:`run_specification`).
    choices : dict
        Specification key -> its choices, the baseline's included (the values the baseline's
        choices take in the grid).
    headlines : sequence of str
        The headlines the multiverse follows (``multiverse.families.<family>.headlines``); every one
        must be a headline of the family.

    Returns
    -------
    DataFrame
        One row per specification and headline: ``specification``, ``baseline`` (bool), one column
        per choice (its value, JSON for a list or mapping), then :data:`COLUMNS`; specifications in
        the order given (baseline first), headlines in the order listed.

    Raises
    ------
    InputError
        A listed headline the family does not report, or a specification file of another family.
    """
    documents = [(BASELINE, read_json(baseline))]
    for path in specifications:
        document = read_json(path)
        if document.get("family") != family:
            raise InputError(f"a multiverse file of family '{document.get('family')}', not '{family}'", path=str(path))
        documents.append((document["specification"], document))
    available = [row["name"] for row in documents[0][1]["headline"]]
    unknown = [name for name in headlines if name not in available]
    if unknown:
        raise InputError(
            f"multiverse.families.{family}.headlines names {unknown}, which the {family} family does not report; "
            f"its headlines are: {', '.join(available)}",
            path="config",
        )
    names = list(next(iter(choices.values()))) if choices else []
    labels = {row["name"]: row.get("label") for row in documents[0][1]["headline"]}
    records = []
    for key, document in documents:
        rows = {row["name"]: row for row in document["headline"]}
        for name in headlines:
            # A specification too small for an estimate keeps its row, without one.
            row = rows.get(name, {"name": name, "label": labels[name]})
            record: dict[str, Any] = {"specification": key, "baseline": key == BASELINE}
            record.update({choice: _cell(choices[key][choice]) for choice in names})
            record.update(
                headline=name,
                label=row.get("label"),
                **{c: row.get(c) for c in ("estimate", "se", "ci_low", "ci_high", "n", "threshold")},
                threshold_operator=row.get("threshold_operator"),
                verdict=row_verdict(row, family),
                reliable=row.get("reliable"),
                **{FLAG: row.get(FLAG)},
            )
            records.append(record)
    return pd.DataFrame.from_records(records, columns=["specification", "baseline", *names, *COLUMNS])


def _cell(value: Any) -> Any:
    """A choice's value as a table cell: lists and mappings as JSON."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (list, dict)) else value


def write_multiverse_table(table: pd.DataFrame, output: str | Path) -> None:
    """Write a :func:`multiverse_table` as CSV (UTF-8 with BOM, as every results table)."""
    write_csv(table, output)


def verdict_shares(table: pd.DataFrame) -> pd.DataFrame:
    """Return, per headline, how often the baseline's verdict holds across the specifications.

    Returns
    -------
    DataFrame
        ``headline``, ``label``, ``baseline_verdict``, ``specifications`` (those with an
        estimate), ``agreeing`` (with the baseline's verdict), ``share`` (agreeing ÷
        specifications), the lowest and highest estimate, and one column per verdict counting
        specifications (``pass``, ``fail``, ``inconclusive`` or ``positive``, ``negative``,
        ``spans zero``). Headlines whose baseline has no verdict are left out.
    """
    rows = []
    for headline, group in table.groupby("headline", sort=False):
        base = group[group["baseline"].astype(bool)]
        if base.empty or pd.isna(base["verdict"].iloc[0]):
            continue
        verdict = base["verdict"].iloc[0]
        judged = group[group["verdict"].notna()]
        counts = judged["verdict"].value_counts()
        kinds = ZERO_VERDICTS if verdict in ZERO_VERDICTS else ("pass", "fail", "inconclusive")
        rows.append(
            {
                "headline": headline,
                "label": base["label"].iloc[0],
                "baseline_verdict": verdict,
                "specifications": len(judged),
                "agreeing": int(counts.get(verdict, 0)),
                "share": float(counts.get(verdict, 0)) / len(judged),
                "estimate_min": float(judged["estimate"].min()),
                "estimate_max": float(judged["estimate"].max()),
                **{kind: int(counts.get(kind, 0)) for kind in kinds},
            }
        )
    return pd.DataFrame(rows)


def run_multiverse_table(
    *,
    family: str,
    baseline: str | Path,
    specifications: Sequence[str | Path],
    choices: Mapping[str, Mapping[str, Any]],
    headlines: Sequence[str],
    table_out: str | Path,
    verdicts_out: str | Path,
    curves_dir: str | Path,
    languages: Sequence[str] = ("en",),
) -> pd.DataFrame:
    """Stack a family's specifications, count the verdicts and draw the specification curves.

    Writes the :func:`multiverse_table` (``table_out``), its :func:`verdict_shares`
    (``verdicts_out``) and, in ``curves_dir``, one specification curve per headline and language
    (``<headline>.svg`` in English, ``<language>/<headline>.svg`` in the others;
    :func:`pa_study.figures.specification.specification_curve`).

    Returns
    -------
    DataFrame
        The verdict shares.
    """
    from pa_study.figures.specification import draw_specification_curves

    table = multiverse_table(family, baseline, specifications, choices, headlines)
    write_multiverse_table(table, table_out)
    shares = verdict_shares(table)
    write_csv(shares, verdicts_out)
    folder = Path(curves_dir)
    outputs = {
        language: {
            name: folder / (f"{name}.svg" if language == "en" else f"{language}/{name}.svg") for name in headlines
        }
        for language in languages
    }
    draw_specification_curves(table, headlines, indicator_family(family).choices, outputs)
    return shares

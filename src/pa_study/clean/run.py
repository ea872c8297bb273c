"""Running the cleaning stage: the steps in order for one table, every instrument of one county,
and the entry point ``pa-study clean`` calls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.clean.duplicates import remove_duplicates
from pa_study.clean.log import StepResult, log_frame, reason_counts
from pa_study.clean.reconcile import CleanResult, finish_table
from pa_study.clean.settings import CleaningOptions
from pa_study.clean.steps import (
    Source,
    household_consistency,
    missing_codes_to_na,
    normalise_cells,
    outlier_flags,
    range_checks,
    required_present,
    typed_values,
)
from pa_study.codebook import CLEANED_DTYPES, SOURCE_ROW, Codebook, Instrument
from pa_study.design import SurveyDesignOptions, design_columns, weight_column
from pa_study.errors import InputError
from pa_study.files import read_json, write_csv, write_json, write_parquet
from pa_study.progress import progress


def clean_table(
    table: pd.DataFrame,
    instrument: Instrument,
    codebook: Codebook,
    options: CleaningOptions,
    source: Source,
    *,
    corrections: pd.DataFrame | None = None,
    corrections_path: str | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[int, list[str]], dict[str, list[int]], pd.DataFrame]:
    """Run the cleaning steps on one ingested table.

    Parameters
    ----------
    table : DataFrame
        The ingest stage's output: text values under canonical names plus ``source_row``.
    instrument : Instrument
        Its codebook instrument.
    codebook : Codebook
        For missing codes and the boolean vocabulary.
    options : CleaningOptions
        The ``cleaning`` config.
    source : Source
        The raw file and its headers, so messages name what the researcher sees.
    corrections, corrections_path
        The pseudonymised duplicates corrections and their file (households only).

    Returns
    -------
    (DataFrame, list, dict, dict, DataFrame)
        The typed table indexed by source row, still holding the rows to quarantine; the log rows;
        the quarantine reasons by source row; the removed rows by reason; the duplicates report.
    """
    work = table.set_index(SOURCE_ROW)
    work.index = work.index.astype(int)
    scales = {k: float(v) for k, v in source.scales.items()}
    log: list[dict[str, Any]] = []
    quarantine: dict[int, list[str]] = {}
    removed: dict[str, list[int]] = {}
    duplicates = remove_duplicates(work, instrument, corrections, corrections_path)
    steps: list[Callable[[pd.DataFrame], StepResult]] = [
        lambda t: normalise_cells(t, instrument),
        lambda t: missing_codes_to_na(t, instrument, codebook),
        lambda t: typed_values(t, instrument, codebook, scales, options.unparseable_numbers, source),
        lambda t: range_checks(t, instrument),
    ]
    if instrument.name == "households":
        steps.append(lambda t: household_consistency(t, options))
    steps += [
        lambda t: required_present(t, instrument),
        lambda t: outlier_flags(t, instrument, options.outlier_iqr_multiplier),
    ]
    result = duplicates
    for step in progress([None, *steps], f"clean {instrument.name}"):
        if step is not None:
            result = step(result.table)
        log += result.log
        removed.update(result.removed)
        for row, reasons in result.quarantine.items():
            quarantine.setdefault(row, []).extend(reasons)
    return result.table, log, quarantine, removed, duplicates.report


def clean_county(
    ingested: dict[str, tuple[pd.DataFrame, dict[str, Any]]],
    codebook: Codebook,
    options: CleaningOptions,
    design: str | SurveyDesignOptions,
    *,
    corrections: pd.DataFrame | None = None,
    corrections_path: str | None = None,
) -> tuple[dict[str, CleanResult], dict[str, Any]]:
    """Clean every instrument of one county and attach the survey design to its households.

    Parameters
    ----------
    ingested : dict
        Instrument name -> (ingest table, ingest report), for the instruments the county has.
    codebook, options
        The codebook and the ``cleaning`` config.
    design : str or SurveyDesignOptions
        The county's ``design`` (:func:`pa_study.design.design_options`; see
        :func:`pa_study.design.design_columns`).
    corrections, corrections_path
        Pseudonymised duplicates corrections for the households and their file.

    Returns
    -------
    (dict, dict)
        Instrument name -> :class:`CleanResult`, and the design summary.
    """
    results: dict[str, CleanResult] = {}
    design_summary: dict[str, Any] = {}
    for name in sorted(ingested, key=lambda n: n != "villages"):
        table, report = ingested[name]
        instrument = codebook[name]
        fixes = corrections if name == "households" else None
        cleaned, log, quarantine, removed, duplicates = clean_table(
            table,
            instrument,
            codebook,
            options,
            Source.from_report(report),
            corrections=fixes,
            corrections_path=corrections_path,
        )
        if name == "households":
            # The table is split in two and the halves rejoined, so that a census table is held as
            # few times over as can be (its typed copies are most of the stage's peak memory).
            held = cleaned.index.isin(list(quarantine))
            usable, held_back = cleaned.loc[~held], cleaned.loc[held]
            if usable.empty:
                raise nothing_usable(cleaned, quarantine, instrument, Source.from_report(report), fixes is not None)
            frame_path = Source.from_report(ingested["villages"][1]).path
            if isinstance(design, SurveyDesignOptions) and design.weights == "column":
                design = design.model_copy(update={"weight_column": weight_column(design, instrument)})
            with_design, design_quarantine, design_summary, design_log = design_columns(
                usable, results["villages"].table, design, frame_path=frame_path
            )
            log = [*log, *design_log]
            del cleaned, usable
            cleaned = pd.concat([with_design, held_back]).sort_index()
            del with_design, held_back
            for row, reasons in design_quarantine.items():
                quarantine.setdefault(row, []).extend(reasons)
        results[name] = finish_table(table, cleaned, instrument, log, quarantine, removed, duplicates)
    return results, design_summary


def nothing_usable(
    cleaned: pd.DataFrame, quarantine: dict[int, list[str]], instrument: Instrument, source: Source, corrected: bool
) -> InputError:
    """The error for a household file of which no row survives cleaning: what the rows were
    quarantined for and, when one id covers most rows, that the id column is the likely cause."""
    reasons = Counter(reason.split(":")[0] for row in quarantine.values() for reason in set(row))
    listed = ", ".join(f"{reason}: {count}" for reason, count in reasons.most_common())
    message = f"no household is left to analyse: all {len(cleaned)} rows were quarantined ({listed})"
    key = instrument.key[0]
    top = cleaned[key].value_counts()
    if len(top) and top.iloc[0] > len(cleaned) / 2:
        message += (
            f"; {top.iloc[0]} rows share one value of column '{source.header_of(key)}, which should identify "
            "each household: check that it is the household id column"
        )
        if not corrected:
            message += ", or resolve the duplicates in a corrections file (counties.<county>.corrections)"
    return InputError(message, path=source.path)


def empty_table(instrument: Instrument) -> pd.DataFrame:
    """Return a cleaned table with no rows and the instrument's columns, for an instrument a county
    did not collect (later stages see the same columns everywhere and skip it by its note)."""
    columns = {SOURCE_ROW: pd.array([], dtype="Int64")}
    columns.update({v.name: pd.Series([], dtype=CLEANED_DTYPES[v.type]) for v in instrument.kept})
    return pd.DataFrame(columns)


def run_clean(
    *,
    tables: dict[str, str],
    reports: dict[str, str],
    codebook: Codebook,
    options: CleaningOptions,
    design: str | SurveyDesignOptions,
    corrections: str | None,
    corrections_source: str | None,
    outdir: str | Path,
) -> dict[str, Any]:
    """Clean one county's ingested tables and write the stage's outputs under ``outdir``.

    Writes ``<instrument>.parquet`` for households, cadres, projects and villages (an empty table
    for an instrument not collected), ``quarantine_<instrument>.csv``, ``cleaning_log.csv``,
    ``duplicates_report.csv`` and ``summary.json`` (counts in, out, removed and quarantined per table,
    which reconcile; the design; what the ingest step left out).

    Parameters
    ----------
    tables, reports : dict
        Instrument -> ingest Parquet and ingest report JSON paths.
    codebook, options, design
        Codebook, ``cleaning`` config and the county's ``design`` config.
    corrections : str or None
        The pseudonymised corrections Parquet (ingest stage output).
    corrections_source : str or None
        The corrections file the researcher edits, for messages.
    outdir : str or Path
        The county's ``clean`` folder.

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    outdir = Path(outdir)
    ingested = {name: (pd.read_parquet(tables[name]), read_json(reports[name])) for name in tables}
    fixes = pd.read_parquet(corrections) if corrections else None
    results, design_summary = clean_county(
        ingested, codebook, options, design, corrections=fixes, corrections_path=corrections_source
    )
    summary: dict[str, Any] = {"design": design_summary, "tables": {}}
    logs, reports_dup = [], []
    for name in sorted(codebook.instruments):
        instrument = codebook[name]
        result = results.get(name)
        table = result.table if result else empty_table(instrument)
        write_parquet(table, outdir / f"{name}.parquet")
        quarantined = result.quarantine if result else pd.DataFrame(columns=[SOURCE_ROW, "reasons"])
        # Diagnostic copies of raw values: personal data in them is masked (and logged), not refused.
        write_csv(quarantined, outdir / f"quarantine_{name}.csv", personal="mask")
        if result is None:
            summary["tables"][name] = {
                "collected": False,
                "note": f"the county has no {instrument.label_zh} ({name}) file",
            }
            continue
        logs.append(result.log)
        reports_dup.append(result.duplicates.assign(table=name))
        report = ingested[name][1]
        summary["tables"][name] = {
            "collected": True,
            **result.reconciliation,
            "quarantine_reasons": reason_counts(result.quarantine),
            "log_rules": result.log.groupby("rule")["n_rows"].sum().astype(int).sort_index().to_dict(),
            "extra_columns_left_out": report["extra_columns_left_out"],
            "absent_optional_columns": report["absent_optional_columns"],
            "blank_rows_skipped": len(report["blank_rows_skipped"]),
            "format": report["format"],
            "encoding": report["encoding"],
        }
    log_table = pd.concat(logs, ignore_index=True) if logs else log_frame([])
    write_csv(log_table, outdir / "cleaning_log.csv", personal="mask")
    duplicates = pd.concat(reports_dup, ignore_index=True) if reports_dup else pd.DataFrame()
    write_csv(duplicates, outdir / "duplicates_report.csv", personal="mask")
    write_json(summary, outdir / "summary.json")
    return summary

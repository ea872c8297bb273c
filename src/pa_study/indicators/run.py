"""Running one indicator family for one county: read the cleaned tables, compute, write the contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from pa_study.codebook import Codebook
from pa_study.errors import InputError
from pa_study.files import read_json
from pa_study.indicators.family import CleanedTables, IndicatorFamily, S
from pa_study.indicators.output import FamilyResult, write_result
from pa_study.indicators.registry import indicator_family
from pa_study.indicators.settings import FamilySettings
from pa_study.stats import StatsInputError


def cleaned_tables(
    clean_dir: str | Path, instruments: tuple[str, ...], *, columns: Mapping[str, Sequence[str]] | None = None
) -> dict[str, pd.DataFrame | None]:
    """Return the county's cleaned tables of ``instruments``; ``None`` for one it did not collect.

    ``columns`` limits an instrument's table to the named columns it has (all columns for an
    instrument it does not name), so that only what a job uses is read.

    Raises
    ------
    InputError
        When ``summary.json`` or a collected table is missing (the clean stage has not run).
    """
    folder = Path(clean_dir)
    summary_path = folder / "summary.json"
    if not summary_path.is_file():
        raise InputError("the clean stage's summary is missing; run the clean stage first", path=str(summary_path))
    summary = read_json(summary_path)["tables"]
    tables: dict[str, pd.DataFrame | None] = {}
    for instrument in instruments:
        if not summary.get(instrument, {}).get("collected", False):
            tables[instrument] = None
            continue
        path = folder / f"{instrument}.parquet"
        if not path.is_file():
            raise InputError(
                f"summary.json says {instrument} was collected but its cleaned table is missing", path=str(path)
            )
        wanted = (columns or {}).get(instrument)
        if wanted is not None:
            present = set(pq.read_schema(path).names)
            wanted = [column for column in wanted if column in present]
        tables[instrument] = pd.read_parquet(path, columns=wanted)
    return tables


#: What a census (``design: census``) means for the household estimates, noted in each family that reads them.
CENSUS_NOTE = (
    "census: every household of the county was enumerated, so the household estimates carry no sampling "
    "error (SE 0, intervals collapse to the estimate); model-based estimates (programme effects, Cronbach's "
    "alpha) keep their model-based SEs, which measure the uncertainty of the model, not sampling error"
)


def is_census(clean_dir: str | Path) -> bool:
    """Whether the clean stage's summary of a county says its households are a census."""
    return bool(read_json(Path(clean_dir) / "summary.json").get("design", {}).get("census", False))


def family_result(family: IndicatorFamily[S], tables: CleanedTables, settings: S) -> FamilyResult:
    """Compute one family from the cleaned tables.

    A family missing one of its ``required`` instruments is returned ``skipped`` with a note; a
    statistics failure the family did not anticipate becomes an :class:`InputError` naming the
    family and county. BLAS runs on one thread, as the job's rule declares.
    """
    absent = [instrument for instrument in family.required if tables.get(instrument) is None]
    if absent:
        result = FamilyResult(family.name, settings.county, settings, status="skipped")
        result.notes.append(f"the county has no {absent[0]} table: the {family.name} family is skipped")
        return result
    # Every indicator job declares one thread, and the families' BLAS work is memory-bound products
    # over every household (weighted sums and cross-products, stage variances), for which a second
    # OpenBLAS thread only wakes and spins: one thread saved identification 5 s of CPU time at a
    # million households, and monitoring (its model refitted in 200 replicates) more than half of
    # its CPU time at 200,000. One thread also sums each product in one order on every machine,
    # where the threads' split of a long matrix-vector product follows the core count.
    # Imported here, as only indicator jobs need it.
    from threadpoolctl import threadpool_limits

    try:
        with threadpool_limits(limits=1, user_api="blas"):
            return family.compute(tables, settings)
    except StatsInputError as exc:
        raise InputError(f"{family.name} indicators of {settings.county}: {exc}") from None
    except InputError as exc:
        # Every message of an indicator job names the family and the county it was computing.
        raise InputError(
            f"{family.name} indicators of {settings.county}: {exc.detail}",
            path=exc.path,
            row=exc.row,
            column=exc.column,
        ) from None


def run_indicators(
    *,
    family: str,
    settings: FamilySettings,
    clean_dir: str | Path,
    codebook: Codebook,
    output: str | Path,
    tables_dir: str | Path,
) -> dict[str, Any]:
    """Compute one family for one county and write ``<family>.json`` and its tables.

    Parameters
    ----------
    family : str
        A key of :data:`pa_study.indicators.FAMILIES`.
    settings : FamilySettings
        The family's settings for the county (:func:`pa_study.indicators.family_settings`, or
        :meth:`~pa_study.indicators.family.IndicatorFamily.settings_from_json` of a job's parameter).
    clean_dir : str or Path
        The county's ``results/<county>/clean`` folder.
    codebook : Codebook
        The codebook (reverse-worded items).
    output, tables_dir : str or Path
        The JSON file and the folder of its tables.

    Returns
    -------
    dict
        The JSON document written.
    """
    chosen = indicator_family(family)
    if not isinstance(settings, chosen.settings) or settings.family != family:
        raise InputError(
            f"the settings are those of family '{settings.family}', not '{family}'; pass "
            "family_settings(config, family, county)"
        )
    columns = chosen.columns(settings) if chosen.columns is not None else None
    tables = CleanedTables(cleaned_tables(clean_dir, chosen.instruments, columns=columns), codebook)
    result = family_result(chosen, tables, settings)
    if "households" in chosen.instruments and tables.get("households") is not None and is_census(clean_dir):
        result.notes.append(CENSUS_NOTE)
    return write_result(result, output, tables_dir, chosen.protection)

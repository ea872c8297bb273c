"""Running one indicator family for one county: read the cleaned tables, compute, write the contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import Codebook
from pa_study.errors import InputError
from pa_study.files import read_json
from pa_study.indicators.capability import capability_indicators
from pa_study.indicators.formalism import formalism_indicators
from pa_study.indicators.identification import identification_indicators
from pa_study.indicators.income import income_indicators
from pa_study.indicators.output import FamilyResult, write_result
from pa_study.indicators.settings import FAMILIES, FAMILY_INSTRUMENTS
from pa_study.stats import StatsInputError


def cleaned_tables(clean_dir: str | Path, instruments: tuple[str, ...]) -> dict[str, pd.DataFrame | None]:
    """Return the county's cleaned tables of ``instruments``; ``None`` for one it did not collect.

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
        tables[instrument] = pd.read_parquet(path)
    return tables


def family_result(
    family: str, tables: dict[str, pd.DataFrame | None], settings: dict[str, Any], codebook: Codebook
) -> FamilyResult:
    """Compute one family from the cleaned tables.

    A family whose essential instrument was not collected is returned ``skipped`` with a note; a
    statistics failure the family did not anticipate becomes an :class:`InputError` naming the
    family and county.
    """
    essential = FAMILY_INSTRUMENTS[family][0]
    if family != "formalism" and tables.get(essential) is None:
        result = FamilyResult(family, settings["county"], settings, status="skipped")
        result.notes.append(f"the county has no {essential} table: the {family} family is skipped")
        return result
    try:
        if family == "identification":
            return identification_indicators(tables, settings)
        if family == "income":
            return income_indicators(tables, settings)
        if family == "capability":
            return capability_indicators(tables, settings, codebook)
        return formalism_indicators(tables, settings)
    except StatsInputError as exc:
        raise InputError(f"{family} indicators of {settings['county']}: {exc}") from None


def run_indicators(
    *,
    family: str,
    settings: dict[str, Any],
    clean_dir: str | Path,
    codebook: Codebook,
    output: str | Path,
    tables_dir: str | Path,
) -> dict[str, Any]:
    """Compute one family for one county and write ``<family>.json`` and its tables.

    Parameters
    ----------
    family : str
        One of :data:`pa_study.indicators.settings.FAMILIES`.
    settings : dict
        :func:`pa_study.indicators.settings.family_settings` for this family and county.
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
    if family not in FAMILIES:
        raise InputError(f"unknown indicator family '{family}'; expected one of {', '.join(FAMILIES)}")
    if settings.get("family") != family:
        raise InputError(
            f"the settings are those of family '{settings.get('family')}', not '{family}'; pass "
            "family_settings(config, family, county)"
        )
    tables = cleaned_tables(clean_dir, FAMILY_INSTRUMENTS[family])
    return write_result(family_result(family, tables, settings, codebook), output, tables_dir)

"""Test data of the indicator tests: settings from the repository's config, hand-made cleaned
tables, and the indicator results on the cleaned demo data (computed once per test session)."""

from __future__ import annotations

import atexit
import copy
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from pa_study.clean.run import empty_table, run_clean
from pa_study.clean.settings import CleaningOptions
from pa_study.codebook import Codebook, load_codebook
from pa_study.config import INSTRUMENTS, load_schema, validated_config
from pa_study.files import write_parquet
from pa_study.indicators import FAMILIES, CleanedTables, family_settings
from pa_study.indicators.output import FamilyResult
from pa_study.indicators.run import cleaned_tables, family_result
from pa_study.indicators.settings import FamilySettings
from pa_study.ingest.corrections import ingest_corrections
from pa_study.ingest.deidentify import resolve_salt
from pa_study.ingest.run import run_ingest

ROOT = Path(__file__).resolve().parents[2]
COUNTIES = ("H", "Yishui", "Boxing", "Lankao")

#: Values of a plain household: not registered, not poor, no project, nothing failing.
HOUSEHOLD_DEFAULTS: dict[str, Any] = {
    "county": "测试县",
    "registered": False,
    "exited": False,
    "hh_size": 4,
    "labour_count": 2,
    "head_age": 50,
    "head_sex": "male",
    "head_schooling": 9,
    "n_disabled": 0,
    "n_chronic": 0,
    "n_students": 1,
    "inc_wage": 20000.0,
    "inc_business": 8000.0,
    "inc_property": 1000.0,
    "inc_transfer": 1000.0,
    "inc_total": 30000.0,
    "inc_wage_base": 15000.0,
    "inc_business_base": 6000.0,
    "inc_property_base": 500.0,
    "inc_transfer_base": 500.0,
    "inc_total_base": 22000.0,
    "food_secure": True,
    "clothing_secure": True,
    "child_out_of_school": False,
    "medical_insured": True,
    "housing_grade": "a",
    "safe_water": True,
    "project_participant": False,
    "training_sessions": 0,
    "has_skill": False,
    "migrant_work": False,
    "microcredit": False,
    "help_visits": 1,
    "forms_inspections": 0,
    **{
        item: 3
        for item in (
            "motiv_aspire_1",
            "motiv_aspire_2",
            "motiv_selfrely_1",
            "motiv_selfrely_2",
            "motiv_wait",
            "motiv_rely",
            "motiv_ask",
        )
    },
}


@cache
def codebook() -> Codebook:
    return load_codebook(ROOT / "data" / "codebook" / "codebook.yaml")


@cache
def _config() -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    return validated_config(raw, load_schema(ROOT / "config.schema.yaml"), check_files=False)


def config() -> dict[str, Any]:
    """The repository's validated config (a copy the test may change)."""
    return copy.deepcopy(_config())


def settings(family: str, county: str = "H", **changes: Any) -> FamilySettings:
    """The repository config's settings of one family and county, with ``changes`` merged into
    their JSON (nested dicts key by key), e.g. ``settings("income", min_sample={"households": 50})``."""
    data = family_settings(config(), family, county).to_dict()
    return FAMILIES[family].settings_from_json(merged(data, changes))


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in, nested dicts key by key."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def households(rows: list[dict[str, Any]], *, townships: int = 2, villages: int = 2) -> pd.DataFrame:
    """Return a cleaned household table (codebook dtypes plus design columns) from hand-made rows.

    Each row overrides :data:`HOUSEHOLD_DEFAULTS`; rows without ``township``/``village`` are spread
    round-robin over ``townships`` x ``villages`` villages, and weights default to 1 with 10 villages
    per township in the frame.
    """
    template = empty_table(codebook()["households"])
    records = []
    for i, row in enumerate(rows):
        cell = i % (townships * villages)
        place = {"township": f"镇{cell // villages}", "village": f"村{cell % villages}", "household_id": f"h{i:05d}"}
        records.append({**HOUSEHOLD_DEFAULTS, **place, **row})
    frame = pd.DataFrame.from_records(records)
    table = pd.DataFrame(
        {
            c: pd.Series(frame[c].tolist() if c in frame else [None] * len(frame), dtype=template[c].dtype)
            for c in template.columns
            if c != "source_row"
        }
    )
    table.insert(0, "source_row", np.arange(2, len(table) + 2))
    table["stratum"] = table["township"]
    table["psu"] = table["township"] + "/" + table["village"]
    table["fpc_villages"] = pd.array(frame.get("fpc_villages", pd.Series([10] * len(frame))), dtype="Int64")
    table["weight"] = pd.array(frame.get("weight", pd.Series([1.0] * len(frame))), dtype="Float64")
    return table


def cadres(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return a cleaned cadre table from hand-made rows (codebook dtypes)."""
    template = empty_table(codebook()["cadres"])
    frame = pd.DataFrame.from_records(rows)
    table = pd.DataFrame(
        {
            c: pd.Series(frame[c].tolist() if c in frame else [None] * len(frame), dtype=template[c].dtype)
            for c in template.columns
            if c != "source_row"
        }
    )
    table.insert(0, "source_row", np.arange(2, len(table) + 2))
    return table


# ---- the demo data --------------------------------------------------------------------------


def _fresh(folder: Path, county: str) -> bool:
    """Whether ``folder`` holds cleaned tables newer than the county's raw files and corrections."""
    outputs = [folder / f"{i}.parquet" for i in INSTRUMENTS] + [folder / "summary.json"]
    if not all(p.is_file() for p in outputs):
        return False
    sources = [*(ROOT / "data" / "raw" / county).iterdir(), *(ROOT / "data" / "corrections" / county).iterdir()]
    return min(p.stat().st_mtime for p in outputs) >= max(p.stat().st_mtime for p in sources)


@cache
def _scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pa_study_indicator_tests_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def demo_clean_dir(county: str) -> Path:
    """The county's cleaned demo tables: ``results/<county>/clean`` when up to date, else cleaned
    here with the package's ingest and clean functions."""
    folder = ROOT / "results" / county / "clean"
    if _fresh(folder, county):
        return folder
    block = config()["counties"][county]
    salt = resolve_salt(**config()["pseudonym"], synthetic=block.get("synthetic", False))
    work = _scratch() / county
    tables, reports = {}, {}
    for instrument, spec in block["files"].items():
        raw = {**spec, "path": str(ROOT / spec["path"])}
        tables[instrument], reports[instrument] = work / f"{instrument}.parquet", work / f"{instrument}.json"
        run_ingest(
            raw_file=raw,
            instrument=codebook()[instrument],
            salt=salt,
            table_out=tables[instrument],
            report_out=reports[instrument],
        )
    corrections = None
    if block.get("corrections"):
        corrections = work / "corrections.parquet"
        write_parquet(ingest_corrections(ROOT / block["corrections"], codebook()["households"], salt=salt), corrections)
    run_clean(
        tables={k: str(v) for k, v in tables.items()},
        reports={k: str(v) for k, v in reports.items()},
        codebook=codebook(),
        options=CleaningOptions.from_config(config()["cleaning"]),
        design=block["design"],
        corrections=None if corrections is None else str(corrections),
        corrections_source=block.get("corrections"),
        outdir=work / "clean",
    )
    return work / "clean"


@cache
def demo_tables(county: str) -> dict[str, pd.DataFrame | None]:
    """The county's cleaned demo tables (``None`` for an instrument not collected)."""
    return cleaned_tables(demo_clean_dir(county), INSTRUMENTS)


@cache
def demo_result(family: str, county: str) -> FamilyResult:
    """The family's result on the county's cleaned demo data (computed once per session)."""
    tables = CleanedTables(demo_tables(county), codebook())
    return family_result(FAMILIES[family], tables, settings(family, county))


def truth(county: str) -> dict[str, Any]:
    """The generator's truth file of the county."""
    return json.loads((ROOT / "data" / "truth" / f"{county}.json").read_text(encoding="utf-8"))


def headline(result: FamilyResult, name: str) -> dict[str, Any]:
    """The headline entry called ``name``."""
    matches = [row for row in result.headline if row["name"] == name]
    assert len(matches) == 1, f"{result.family} has {len(matches)} headline entries named {name}"
    return matches[0]

"""The demo counties' cleaned tables and indicator results (computed once per test session), and
the generator's truth they are checked against."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.clean.run import run_clean
from pa_study.clean.settings import CleaningOptions
from pa_study.config import INSTRUMENTS
from pa_study.design import design_options
from pa_study.files import write_parquet
from pa_study.indicators import FAMILIES, CleanedTables
from pa_study.indicators.output import FamilyResult
from pa_study.indicators.run import cleaned_tables, family_result
from pa_study.ingest.corrections import ingest_corrections
from pa_study.ingest.deidentify import resolve_salt
from pa_study.ingest.run import run_ingest
from tests.helpers.indicator_data import settings
from tests.helpers.project import ROOT, codebook, config

COUNTIES = ("H", "Yishui", "Boxing", "Lankao")


def _fresh(folder: Path, county: str) -> bool:
    """Whether ``folder`` holds cleaned tables newer than everything they are made from: the county's
    raw files and corrections, the config (its design and calibration), the codebook and the code."""
    outputs = [folder / f"{i}.parquet" for i in INSTRUMENTS] + [folder / "summary.json"]
    if not all(p.is_file() for p in outputs):
        return False
    sources = [
        *(ROOT / "data" / "raw" / county).iterdir(),
        *(ROOT / "data" / "corrections" / county).iterdir(),
        *(ROOT / "data" / "codebook").iterdir(),
        *(ROOT / "src" / "pa_study").rglob("*.py"),
        ROOT / "config.yaml",
    ]
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
    salt = resolve_salt(**config()["pseudonym"], synthetic=block["synthetic"])
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
        design=design_options(block["design"]),
        corrections=None if corrections is None else str(corrections),
        corrections_source=block["corrections"],
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

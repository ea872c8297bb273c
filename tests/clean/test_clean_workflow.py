"""End to end: the ingest and clean stages through snakemake, in a temporary copy of the project."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from pa_study.ingest.readers import read_raw
from tests.helpers.demo_data import COUNTIES
from tests.helpers.project import copy_project, kill_run_when, snakemake, tree_digest

pytestmark = pytest.mark.slow
#: The ingest and clean stages' outputs: this module checks those stages, the later stages have their own tests.
CLEAN_TARGETS = [f"results/{county}/clean/summary.json" for county in COUNTIES]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project that has been run once with snakemake."""
    workdir = copy_project(tmp_path_factory.mktemp("project"))
    before = tree_digest(workdir / "data" / "raw")
    proc = snakemake(workdir, *CLEAN_TARGETS)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert tree_digest(workdir / "data" / "raw") == before, "the run modified data/raw"
    return workdir


@pytest.fixture(scope="module")
def unrun_project(tmp_path_factory) -> Path:
    """A copy of the project that has not been run: for checks that stop before any job."""
    return copy_project(tmp_path_factory.mktemp("unrun"))


def test_every_county_gets_cleaned_tables_from_its_own_format(project):
    formats = {}
    for county in COUNTIES:
        summary = json.loads((project / f"results/{county}/clean/summary.json").read_text(encoding="utf-8"))
        for name, counts in summary["tables"].items():
            assert counts["collected"] and counts["reconciles"], (county, name)
        formats[county] = summary["tables"]["households"]["format"]
        households = pd.read_parquet(project / f"results/{county}/clean/households.parquet")
        assert len(households) > 800
        assert households["weight"].gt(0).all()
    assert len(set(formats.values())) == 4


def _personal_values(project: Path) -> set[str]:
    """Every name, ID-card number and phone number in the raw files."""
    from pa_study.codebook import load_codebook
    from pa_study.ingest.headers import map_headers

    codebook = load_codebook(project / "data/codebook/codebook.yaml")
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    values: set[str] = set()
    for county in COUNTIES:
        for instrument, spec in config["counties"][county]["files"].items():
            raw = read_raw(project / spec["path"], encoding=spec.get("encoding", "auto"))
            headers = map_headers(raw, codebook[instrument])
            for position, name in headers.columns.items():
                if codebook[instrument][name].personal:
                    values |= {row[position] for row in raw.rows if row[position] and len(row[position]) >= 2}
    return values


def _substrings(text: str, lengths: list[int]) -> set[str]:
    """Every substring of ``text``'s digit and Chinese runs with one of the given lengths: all a
    personal value (ID or phone number, name) could appear as."""
    found: set[str] = set()
    for run in re.findall(r"[0-9X]+|[\u4e00-\u9fff·]+", text):
        for size in lengths:
            found.update(run[i : i + size] for i in range(len(run) - size + 1))
    return found


def test_no_personal_value_reaches_results(project):
    personal = _personal_values(project)
    assert len(personal) > 1000
    ids = {v for v in personal if re.fullmatch(r"\d{17}[\dX]|1\d{10}", v)}
    assert ids, "expected ID and phone numbers among the personal values"
    lengths = sorted({len(v) for v in personal})
    for path in sorted((project / "results").rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            text = pd.read_parquet(path).astype(str).to_csv()
        else:
            text = path.read_bytes().decode("utf-8", errors="ignore")
        leaked = sorted(_substrings(text, lengths) & personal)
        assert not leaked, f"{path}: {leaked[:3]}"


def test_editing_one_county_reruns_only_its_jobs(project):
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    config["counties"]["Boxing"]["design"]["oversample_registered"] = False
    (project / "edited.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    jobs = snakemake(project, *CLEAN_TARGETS, "--configfile", "edited.yaml", "--dry-run", "--printshellcmds")
    assert jobs.returncode == 0, jobs.stderr[-3000:]
    prefix = "Shell command: "
    commands = [line.removeprefix(prefix) for line in jobs.stdout.splitlines() if line.startswith(prefix + "pa-study ")]
    assert commands and all("results/Boxing/" in line for line in commands), commands
    assert sum(line.startswith("pa-study clean") for line in commands) == 1


def test_unknown_benchmark_county_stops_with_a_message(unrun_project):
    proc = snakemake(unrun_project, "--dry-run", "--config", "benchmarks=[Yishui,Atlantis]")
    assert proc.returncode != 0
    assert "benchmarks names county 'Atlantis', which is not under 'counties'" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_a_config_naming_a_missing_file_stops_with_a_message(unrun_project):
    config = yaml.safe_load((unrun_project / "config.yaml").read_text(encoding="utf-8"))
    config["counties"]["H"]["files"]["cadres"]["path"] = "data/raw/H/nope.xlsx"
    (unrun_project / "missing.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    proc = snakemake(unrun_project, "--dry-run", "--configfile", "missing.yaml")
    assert proc.returncode != 0
    assert (
        "data/raw/H/nope.xlsx: counties.H.files.cadres.path names a file that does not exist"
        in proc.stdout + proc.stderr
    )


def test_a_run_killed_mid_ingest_and_mid_clean_resumes_to_byte_identical_results(project):
    first = tree_digest(project / "results")
    shutil.rmtree(project / "results")
    ingested = lambda: len(list((project / "results").glob("*/ingest/*.parquet")))  # noqa: E731
    kill_run_when(project, lambda: ingested() >= 3, *CLEAN_TARGETS)
    assert 3 <= ingested() < 20, "killed mid-ingest"
    cleaning = lambda: any((project / "results").glob("*/logs/clean.log"))  # noqa: E731
    kill_run_when(project, cleaning, *CLEAN_TARGETS)
    assert not all((project / target).exists() for target in CLEAN_TARGETS), "killed mid-clean"
    # The plain command carries on: no --unlock, no --rerun-incomplete.
    proc = snakemake(project, *CLEAN_TARGETS)
    assert proc.returncode == 0, proc.stderr[-3000:]
    second = tree_digest(project / "results")
    logs = {k for k in first if "/logs/" in k}
    assert {k: v for k, v in first.items() if k not in logs} == {k: v for k, v in second.items() if k not in logs}

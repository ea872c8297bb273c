"""End to end: the ingest and clean stages through snakemake, in a temporary copy of the project."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

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
            # Only H and Yishui supply the optional cadre roster.
            if name == "cadre_roster" and county in ("Boxing", "Lankao"):
                assert not counts["collected"] and "no 帮扶干部花名册" in counts["note"]
                continue
            assert counts["collected"] and counts["reconciles"], (county, name)
        formats[county] = summary["tables"]["households"]["format"]
        households = pd.read_parquet(project / f"results/{county}/clean/households.parquet")
        assert len(households) > 800
        assert households["weight"].gt(0).all()
    assert len(set(formats.values())) == 4


def test_no_personal_value_reaches_results(project):
    from pa_study.audit import audit_folders, raw_personal_values
    from pa_study.codebook import load_codebook

    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    personal = raw_personal_values(config, load_codebook(project / config["codebook"]), project)
    assert len(personal) > 1000
    assert any(re.fullmatch(r"\d{17}[\dX]|1\d{10}", v) for v in personal), "expected ID and phone numbers"
    assert audit_folders([project / "results"], personal) == []


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


def test_a_config_yaml_syntax_error_names_line_and_column(tmp_path):
    broken = copy_project(tmp_path)
    text = (broken / "config.yaml").read_text(encoding="utf-8")
    (broken / "config.yaml").write_text(text.replace("focal: H", "focal: H\nbenchmarks: [Yishui", 1), encoding="utf-8")
    proc = snakemake(broken, "--dry-run")
    assert proc.returncode != 0
    assert "pa-study: error: config.yaml: not valid YAML: line " in proc.stderr
    assert "while parsing a flow sequence" in proc.stderr and "Traceback" not in proc.stderr


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

"""End to end: the comparison through snakemake in a temporary copy of the project, and what swapping
or adding a county re-runs (checked on the modification times of the per-county outputs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers.project import copy_project, snakemake

pytestmark = pytest.mark.slow
# Two counties keep the build short; a CSV and a Stata county are the quickest to ingest.
STUDY = {"focal": "Yishui", "benchmarks": ["Lankao"]}
SWAPPED = {"focal": "Lankao", "benchmarks": ["Yishui"]}
# Targets go before --configfile, which takes several values.
COMPARISON = [f"results/comparison/{part}.json" for part in ("contrasts", "pooled", "published")]


def per_county_times(workdir: Path) -> dict[str, int]:
    """Modification time of every ingest, clean and indicator output of the study's counties."""
    return {
        str(p.relative_to(workdir)): p.stat().st_mtime_ns
        for county in ("Yishui", "Lankao")
        for stage in ("ingest", "clean", "indicators")
        for p in sorted((workdir / "results" / county / stage).rglob("*"))
        if p.is_file()
    }


def jobs_run(proc: subprocess.CompletedProcess) -> list[str]:
    """The rules of the jobs snakemake ran (or would run, in a dry run)."""
    lines = (proc.stdout + proc.stderr).splitlines()
    return [line.split()[-1].rstrip(":") for line in lines if line.startswith(("rule ", "localrule "))]


def write_config(workdir: Path, name: str, values: dict) -> str:
    (workdir / name).write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return name


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with the comparison of Yishui against Lankao built."""
    workdir = copy_project(tmp_path_factory.mktemp("compare_project"))
    proc = snakemake(workdir, *COMPARISON, "--configfile", write_config(workdir, "study.yaml", STUDY))
    assert proc.returncode == 0, proc.stderr[-4000:]
    return workdir


def test_the_comparison_is_written_from_both_kinds_of_evidence(project):
    contrasts = json.loads((project / "results/comparison/contrasts.json").read_text(encoding="utf-8"))
    assert contrasts["county"] == "Yishui" and {r["benchmark"] for r in contrasts["headline"]} == {"Lankao"}
    assert (project / "results/comparison/published_lineup.csv").is_file()
    assert (project / "results/comparison/pooled_coefficients.csv").is_file()


def test_swapping_the_focal_county_reruns_the_comparison_only(project):
    before = per_county_times(project)
    assert len(before) > 30
    proc = snakemake(project, *COMPARISON, "--configfile", write_config(project, "swapped.yaml", SWAPPED))
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert sorted(jobs_run(proc)) == ["compare_microdata", "compare_pooled", "compare_published"]
    assert per_county_times(project) == before
    contrasts = json.loads((project / "results/comparison/contrasts.json").read_text(encoding="utf-8"))
    assert contrasts["county"] == "Lankao" and {r["benchmark"] for r in contrasts["headline"]} == {"Yishui"}


def test_a_fifth_county_is_a_config_block_and_runs_only_its_own_jobs(project):
    config = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    block = {**config["counties"]["Lankao"], "name": "Lankao, second sample"}
    fifth = {**SWAPPED, "benchmarks": ["Yishui", "Lankao2"], "counties": {"Lankao2": block}}
    proc = snakemake(
        project,
        *COMPARISON,
        "--dry-run",
        "--printshellcmds",
        "--configfile",
        write_config(project, "fifth.yaml", fifth),
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    prefix = "Shell command: "
    commands = [line.removeprefix(prefix) for line in proc.stdout.splitlines() if line.startswith(prefix + "pa-study ")]
    per_county = [c for c in commands if not c.startswith("pa-study compare")]
    assert per_county and all("results/Lankao2/" in c for c in per_county), per_county
    assert sum(c.startswith("pa-study compare") for c in commands) == 3


def test_no_personal_data_in_any_result(project):
    status = subprocess.run(
        [sys.executable, "-m", "pa_study.cli", "audit-personal-data", "results"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert status.returncode == 0, status.stdout[-3000:] + status.stderr[-3000:]
    assert (project / "results/comparison/contrasts.csv").is_file()

"""End to end on a cluster engine: the whole workflow through ``snakemake --profile profiles/slurm``
(Snakemake's Slurm executor plugin) on a one-node Slurm cluster, compared byte for byte with a
local run of the same project.

Skipped, with the reason, where no Slurm cluster answers or the plugin is not installed;
``.ci/slurm-setup start`` sets one up (root and apt-get needed). ``PA_STUDY_REQUIRE_SLURM=1``
(set by ``.ci/run`` once it has a cluster) turns the skip into a failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.project import copy_project, tree_digest

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def slurm_unavailable() -> str | None:
    """Why the workflow cannot be run on Slurm here, or None when it can."""
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed (pip install -e '.[cluster]')"
    if shutil.which("sbatch") is None or shutil.which("sinfo") is None:
        return "no Slurm client on PATH (sbatch, sinfo); .ci/slurm-setup start sets up a one-node cluster"
    try:
        proc = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 20 s: no Slurm controller is running"
    states = proc.stdout.split()
    if proc.returncode != 0 or not {"idle", "mixed", "allocated"} & set(states):
        answer = (proc.stdout + proc.stderr).strip() or "no nodes"
        return f"no Slurm node is up (sinfo: {answer[:200]})"
    return None


@pytest.fixture(scope="module")
def slurm() -> None:
    reason = slurm_unavailable()
    if reason is None:
        return
    if os.environ.get("PA_STUDY_REQUIRE_SLURM") == "1":
        pytest.fail(f"PA_STUDY_REQUIRE_SLURM=1 but {reason}")
    pytest.skip(reason)


def run_project(workdir: Path, *args: str) -> subprocess.Popen:
    """Start the whole workflow in ``workdir`` (output to files there, so two runs can overlap)."""
    with open(workdir / "snakemake.out", "w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "snakemake", *args], cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )


def outputs(workdir: Path) -> dict[str, str]:
    """SHA-256 of every output file: results (logs aside: they hold each run's messages) and reports."""
    digest = {f"results/{k}": v for k, v in tree_digest(workdir / "results").items() if "/logs/" not in f"/{k}"}
    digest.update({f"reports/{k}": v for k, v in tree_digest(workdir / "reports").items()})
    return digest


def test_workflow_on_slurm_gives_the_local_outputs_byte_for_byte(slurm, tmp_path: Path) -> None:
    local, on_slurm = tmp_path / "local", tmp_path / "slurm"
    for workdir in (local, on_slurm):
        workdir.mkdir()
        copy_project(workdir)
    # Every rule runs; two counties, one report language and two multiverse specifications (the
    # demo's grid has eleven; capability keeps only its baseline) keep the run short on a one-node
    # cluster, where each Slurm job pays Snakemake's start-up. The local run overlaps the Slurm
    # run, which mostly waits.
    multiverse = (
        "multiverse={families: {identification: {choices: {eligibility: [income_or_items, income], "
        "missing_item: [not_failed]}}, income: {choices: {comparison: [non_participants]}}, "
        "capability: {choices: {index_method: [equal], reference_group: [all]}}}}"
    )
    study = ("--config", "focal=H", "benchmarks=[Lankao]", "report={languages: [en]}", multiverse)
    local_run = run_project(local, "--cores", "1", *study)
    slurm_run = run_project(
        on_slurm,
        "--profile",
        "profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--retries",
        "0",
        *study,
    )
    slurm_status, local_status = slurm_run.wait(timeout=1800), local_run.wait(timeout=1800)
    log = (on_slurm / "snakemake.out").read_text(errors="replace")
    assert slurm_status == 0, log[-4000:]
    assert local_status == 0, (local / "snakemake.out").read_text(errors="replace")[-4000:]
    assert "has been submitted with SLURM jobid" in log, log[-2000:]
    ran_on_slurm, ran_locally = outputs(on_slurm), outputs(local)
    assert "reports/pa-study-report.pdf" in ran_locally
    assert sorted(ran_on_slurm) == sorted(ran_locally)
    different = [name for name in ran_locally if ran_on_slurm[name] != ran_locally[name]]
    assert not different, f"outputs differ between the Slurm and the local run: {different}"

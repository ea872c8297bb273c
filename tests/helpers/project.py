"""The repository under test: its paths, validated config and codebook, and end-to-end runs of a
temporary copy of it."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from pa_study.clean.settings import CleaningOptions
from pa_study.codebook import Codebook, load_codebook
from pa_study.config import load_schema, validated_config
from pa_study.design import SurveyDesignOptions

ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "data" / "codebook" / "codebook.yaml"


@cache
def codebook() -> Codebook:
    """The repository's codebook (shared: do not change it)."""
    return load_codebook(CODEBOOK)


@cache
def _config() -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    return validated_config(raw, load_schema(ROOT / "config.schema.yaml"), check_files=False)


def config() -> dict[str, Any]:
    """The repository's validated config (a copy the test may change)."""
    return copy.deepcopy(_config())


def cleaning_options(**changes: Any) -> CleaningOptions:
    """The cleaning choices in effect for the repository's config (the schema's defaults), with ``changes``."""
    return CleaningOptions.from_config({**config()["cleaning"], **changes})


def sample_design(**changes: Any) -> SurveyDesignOptions:
    """The survey design of the repository's focal county (weights from the frame, registered households
    sampled separately, the schema's defaults; not its calibration, whose townships are its own), with
    ``changes``."""
    block = config()["counties"][config()["focal"]]
    design = {key: value for key, value in block["design"].items() if key != "calibration"}
    return SurveyDesignOptions.parse({**design, **changes}, "test design")


def copy_project(workdir: Path) -> Path:
    """Copy what a researcher's checkout holds for a run (workflow, config, data) into ``workdir``."""
    for name in ("Snakefile", "config.yaml", "config.schema.yaml"):
        shutil.copy(ROOT / name, workdir / name)
    for name in ("rules", "data", "profiles"):
        shutil.copytree(ROOT / name, workdir / name)
    return workdir


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """Run snakemake on two cores in ``workdir``; the completed process with its output as text."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *args], cwd=workdir, capture_output=True, text=True
    )


def kill_run_when(workdir: Path, ready: Callable[[], bool], *targets: str, timeout: float = 120) -> None:
    """Start snakemake on ``targets`` and SIGKILL it and its jobs (the whole process group, as the
    out-of-memory killer or a pre-empted cluster node would) as soon as ``ready()`` holds."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--cores", "2", *targets],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before the point where it was to be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def tree_digest(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }

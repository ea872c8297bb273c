"""The report job killed midway leaves no PDF, and the rerun writes the same bytes as an uninterrupted
build; the PDF's text holds no personal data of the raw files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from pa_study.audit import audit_folders, raw_personal_values
from pa_study.codebook import load_codebook
from tests.helpers.project import ROOT
from tests.helpers.results_fixture import CODEBOOK, SETTINGS, STUDY, indicator_items, summaries


def _report_command(output, log) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pa_study.cli",
        "report",
        "--study",
        json.dumps(STUDY),
        "--settings",
        json.dumps(SETTINGS),
        *(f"--indicators={item}" for item in indicator_items()),
        *(f"--summary={county}={path}" for county, path in summaries().items()),
        "--codebook",
        str(CODEBOOK),
        "--config-sha256",
        "0" * 64,
        "--output",
        str(output),
        "--log",
        str(log),
    ]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The report built once, uninterrupted, in a folder of its own."""
    folder = tmp_path_factory.mktemp("reference")
    subprocess.run(_report_command(folder / "r.pdf", folder / "r.log"), check=True, capture_output=True)
    (folder / "r.log").unlink()
    return folder / "r.pdf"


def test_a_report_killed_midway_leaves_nothing_and_the_rerun_the_same_pdf(reference, tmp_path):
    report, log = tmp_path / "reports" / "r.pdf", tmp_path / "r.log"
    job = subprocess.Popen(_report_command(report, log), start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not log.exists() and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # into the build: reading results, laying out, compiling
    assert job.poll() is None, "the report finished before it could be killed"
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    assert not report.exists() and "wrote" not in log.read_text(encoding="utf-8")
    subprocess.run(_report_command(report, log), check=True, capture_output=True)
    assert report.read_bytes() == reference.read_bytes()
    assert [p.name for p in report.parent.iterdir()] == ["r.pdf"]


def test_the_report_text_holds_no_personal_data_of_the_raw_files(reference):
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    values = raw_personal_values(config, load_codebook(ROOT / config["codebook"]), ROOT)
    assert len(values) > 1000
    assert audit_folders([reference.parent], values) == []

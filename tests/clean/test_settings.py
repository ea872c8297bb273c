"""The clean stage's settings (pa_study.clean.settings)."""

from __future__ import annotations

from pa_study.clean.settings import clean_settings


def test_a_clean_job_depends_on_its_county_design_and_corrections_only():
    design = {"weights": "frame", "oversample_registered": True}
    block = {"design": design, "files": {"households": {"path": "hh.csv"}}, "name": "X", "corrections": None}
    config = {"counties": {"X": block, "Z": {**block, "corrections": "fix.csv"}}}
    assert clean_settings(config, "X") == {"design": design, "corrections": None}
    assert clean_settings(config, "Z")["corrections"] == "fix.csv"

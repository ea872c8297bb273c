"""The command line (python -m pa_study.demo): the scaled mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa_study.demo import Destinations
from pa_study.demo.__main__ import main
from tests.helpers.demo_files import read_table, truth_of
from tests.helpers.project import CODEBOOK


def test_scaled_mode_runs(tmp_path: Path) -> None:
    args = [
        "--out",
        str(tmp_path / "raw"),
        "--truth",
        str(tmp_path / "truth"),
        "--corrections",
        str(tmp_path / "corrections"),
        "--codebook",
        str(CODEBOOK),
    ]
    assert main(args + ["--households-per-county", "200", "--counties", "Yishui", "Lankao"]) == 0
    assert main(args + ["--households-per-county", "3000", "--counties", "H"]) == 0
    for county, target in (("Yishui", 200), ("Lankao", 200), ("H", 3000)):
        truth = truth_of(Destinations(tmp_path / "raw", tmp_path / "truth", tmp_path), county)
        assert truth["design"]["n_sampled_households"] == pytest.approx(target, rel=0.25)
        households = truth["injected"]["households"]
        assert len(households["unresolved_conflict_ids"]) == 1 and len(households["new_id_rows"]) == 1
        headers, rows = read_table(tmp_path / "raw" / county / truth["files"]["households"]["file"])
        assert len(rows) == truth["files"]["households"]["n_rows"]

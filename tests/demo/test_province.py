"""Tests of the synthetic province generator (:mod:`pa_study.demo.province`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from pa_study.config import load_schema, validated_config
from pa_study.demo.__main__ import main
from pa_study.demo.profiles import BOXING, COUNTIES, LANKAO, YISHUI, H
from pa_study.demo.province import (
    ProvinceSpec,
    census_positions,
    county_names,
    generate_province,
    mixed_parameters,
    province_counties,
)
from tests.helpers.project import CODEBOOK, ROOT, tree_digest

VOCABULARY = ROOT / "data" / "benchmarks" / "published.yaml"
SMALL = ProvinceSpec(counties=4, households=3000, sample=200)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate_province(SMALL, out, CODEBOOK, VOCABULARY)
    return out


def test_census_counties_are_spread_and_never_the_focal_county() -> None:
    assert census_positions(100, 10) == [5, 15, 25, 35, 45, 55, 65, 75, 85, 95]
    assert census_positions(4, 1) == [2]
    assert census_positions(5, 0) == []
    for counties in range(2, 60):
        for census in range(counties):
            positions = census_positions(counties, census)
            assert len(positions) == census and 0 not in positions and max(positions, default=1) < counties
    assert ProvinceSpec(100, 30000).census_counties == 10
    assert ProvinceSpec(3, 30000).census_counties == 1


def test_province_spec_refuses_impossible_sizes() -> None:
    with pytest.raises(ValueError, match="at least 2 counties"):
        ProvinceSpec(1, 30000)
    with pytest.raises(ValueError, match="sample"):
        ProvinceSpec(5, 3000, sample=5000)
    with pytest.raises(ValueError, match="census counties"):
        ProvinceSpec(5, 3000, census=5)


def test_county_names_are_distinct_and_gbk_encodable() -> None:
    names = county_names(300, np.random.default_rng(1))
    assert len(set(names)) == 300
    assert all(n.endswith("县") for n in names)
    "".join(names).encode("gbk")


def test_mixed_parameters_stay_within_the_demo_counties_and_shares_sum_to_one() -> None:
    rng = np.random.default_rng(7)
    bases = (H, YISHUI, BOXING, LANKAO)
    for _ in range(20):
        mixed = mixed_parameters(rng.dirichlet(np.ones(4)))
        for name in ("att", "registration_rate", "inclusion_error_target", "drive_gap"):
            values = [getattr(b, name) for b in bases]
            assert min(values) - 1e-6 <= mixed[name] <= max(values) + 1e-6
        assert sum(mixed["exit_year_weights"]) == pytest.approx(1.0, abs=1e-12)
        assert sum(mixed["project_type_mix"].values()) == pytest.approx(1.0, abs=1e-12)
    at_h = mixed_parameters(np.array([1.0, 0.0, 0.0, 0.0]))
    assert at_h["att"] == H.att and at_h["exit_year_weights"] == pytest.approx(H.exit_year_weights)


def test_province_counties_are_deterministic_and_cycle_the_demo_formats() -> None:
    first, second = province_counties(ProvinceSpec(12, 30000)), province_counties(ProvinceSpec(12, 30000))
    assert first == second
    assert [c.profile.key for c in first[:3]] == ["P001", "P002", "P003"]
    census = [c for c in first if c.census]
    assert len(census) == 1 and census[0].profile.files.file_format in ("csv", "xlsx")
    assert {c.profile.files.file_format for c in first if not c.census} == {"xlsx", "csv", "sav", "dta"}
    assert province_counties(ProvinceSpec(12, 30000, seed=5))[0].profile != first[0].profile


def test_province_folder_holds_a_valid_study(province: Path) -> None:
    config = yaml.safe_load((province / "config.yaml").read_text(encoding="utf-8"))
    assert config["focal"] == "P001" and config["benchmarks"] == ["P002", "P003", "P004"]
    cwd = Path.cwd()
    os.chdir(province)  # the config's paths are relative to the study folder
    try:
        checked = validated_config(config, load_schema(ROOT / "config.schema.yaml"))
    finally:
        os.chdir(cwd)
    assert all(block["synthetic"] for block in checked["counties"].values())
    assert "SYNTHETIC" in (province / "data" / "raw" / "README.md").read_text(encoding="utf-8")
    assert "census" in (province / "config.yaml").read_text(encoding="utf-8").splitlines()[1]


def test_census_county_delivers_every_household_and_samples_about_the_sample(province: Path) -> None:
    config = yaml.safe_load((province / "config.yaml").read_text(encoding="utf-8"))
    for key, block in config["counties"].items():
        truth = json.loads((province / "data" / "truth" / f"{key}.json").read_text(encoding="utf-8"))
        design = truth["design"]
        assert (
            truth["synthetic"] and 0.7 * SMALL.households < design["n_population_households"] < 1.3 * SMALL.households
        )
        if design.get("census"):
            assert key == "P003" and block["design"] == "census"
            assert design["n_sampled_households"] == design["n_population_households"]
            assert design["sum_of_design_weights"] == design["n_population_households"]
            assert design["n_sampled_villages"] == design["n_villages"]
            households = pd.read_csv(province / block["files"]["households"]["path"], encoding="gbk", dtype=str)
            assert len(households) == truth["files"]["households"]["n_rows"] >= design["n_population_households"]
        else:
            assert block["design"]["weights"] in ("frame", "column")
            assert 0.6 * SMALL.sample < design["n_sampled_households"] < 1.3 * SMALL.sample


def test_province_is_byte_identical_when_regenerated(province: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "--counties",
                "4",
                "--households",
                "3000",
                "--sample",
                "200",
                "--out",
                str(tmp_path),
                "--codebook",
                str(CODEBOOK),
                "--vocabulary",
                str(VOCABULARY),
            ]
        )
        == 0
    )
    assert tree_digest(tmp_path) == tree_digest(province)


def test_command_line_tells_demo_counties_from_a_province(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["--counties", "Atlantis"])
    assert "unknown county Atlantis" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--counties", "1"])
    assert "at least 2 counties" in capsys.readouterr().err
    assert set(COUNTIES) == {"H", "Yishui", "Boxing", "Lankao"}


def test_workflow_accepts_the_province_folder(province: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--quiet", "rules", "--directory", str(province)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", proc.stdout, flags=re.MULTILINE))
    assert jobs["clean"] == str(SMALL.counties) and jobs["report_pdf"] == "2"

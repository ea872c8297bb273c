"""Setting up one's own county (pa_study.ingest.newcounty, pa-study new-county)."""

from __future__ import annotations

import shutil

import pytest
import yaml

from pa_study.config import load_schema, validated_config
from pa_study.errors import InputError
from pa_study.ingest.newcounty import CORRECTIONS_HEADER, new_county
from tests.helpers import project
from tests.helpers.raw_tables import workbook_with_notes


def test_a_folder_of_renamed_files_becomes_a_config_block(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy("data/raw/Yishui/households.csv", raw / "农户.csv")
    shutil.copy("data/raw/Yishui/villages.csv", raw / "frame.csv")
    shutil.copy("data/raw/Yishui/cadres.csv", raw / "survey2.csv")
    (raw / "notes.txt").write_text("field notes")
    result = new_county(
        "Fuping", raw, project.codebook(), name_zh="阜平县", config_path=tmp_path / "c.yaml", corrections_dir=tmp_path
    )
    assert list(result.files) == ["households", "cadres", "villages"]
    assert result.files["cadres"].config_entry == {"path": (raw / "survey2.csv").as_posix(), "encoding": "gbk"}
    assert result.missing == ["projects"]
    assert "projects: skipped (needs projects)" in result.consequences
    assert not any(line.startswith("income:") for line in result.consequences)  # income reads no ledger
    assert any(line.startswith("no cadre_roster (optional): formalism") for line in result.consequences)
    assert result.unassigned == [(raw / "notes.txt").as_posix()]
    assert (tmp_path / "Fuping" / "households_duplicates.csv").read_text() == CORRECTIONS_HEADER
    written = yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8"))
    assert written["focal"] == "Fuping" and written["counties"]["Fuping"]["name_zh"] == "阜平县"
    merged = project.config()
    merged["counties"].update(written["counties"])
    merged["focal"] = "Fuping"
    validated_config(merged, load_schema(project.ROOT / "config.schema.yaml"))


def test_missing_households_and_frame_say_the_run_stops_and_nothing_is_overwritten(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy("data/raw/Yishui/cadres.csv", raw / "cadres.csv")
    result = new_county("X", raw, project.codebook(), config_path=tmp_path / "c.yaml", corrections_dir=tmp_path)
    assert result.missing == ["households", "projects", "villages"]
    assert any("no households file" in line for line in result.consequences)
    assert any(line.startswith("identification: skipped") for line in result.consequences)
    with pytest.raises(InputError, match="--force"):
        new_county("X", raw, project.codebook(), config_path=tmp_path / "c.yaml", corrections_dir=tmp_path)


def test_a_key_that_is_not_a_plain_name_is_refused(tmp_path):
    with pytest.raises(InputError, match="letters, digits"):
        new_county("阜平", tmp_path, project.codebook())


def test_the_readme_walk_through_check_new_county_then_snakemake(tmp_path, capsys):
    """README, "Your own county's data": a folder as a field team sends it runs as the focal county."""
    import pandas as pd

    from pa_study.cli import main

    workdir = project.copy_project(tmp_path)
    raw = workdir / "data/raw/Fuping"
    raw.mkdir()
    households = pd.read_excel(workdir / "data/raw/H/households.xlsx", dtype=str, engine="calamine")
    notes = ("本表为2020年农户调查", "金额单位：元", "调查员按户编号顺序录入")
    workbook_with_notes(households, raw / "农户调查.xlsx", notes=notes, sheet="农户", titles=("阜平县2020年农户调查",))
    shutil.copy(workdir / "data/raw/Yishui/cadres.csv", raw / "干部问卷.csv")
    shutil.copy(workdir / "data/raw/H/villages.xlsx", raw / "村抽样框.xlsx")

    assert main(["check", str(raw / "农户调查.xlsx"), "--instrument", "households"]) == 0
    assert "sheet: 农户, header_row: 2}" in capsys.readouterr().out
    arguments = ["new-county", "Fuping", "--raw-dir", str(raw), "--name-zh", "阜平县"]
    arguments += [
        "--output",
        str(workdir / "config.Fuping.yaml"),
        "--corrections-dir",
        str(workdir / "data/corrections"),
    ]
    assert main(arguments) == 0
    assert "projects: skipped (needs projects)" in capsys.readouterr().out
    proc = project.snakemake(workdir, "--dry-run", "--configfile", "config.Fuping.yaml")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "results/Fuping/clean/summary.json" in proc.stdout

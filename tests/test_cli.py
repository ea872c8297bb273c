"""The command line: each kind of bad input gives one clear message and exit status 1."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from pa_study.cli import main
from tests.helpers.project import ROOT, config
from tests.helpers.raw_tables import household_rows, village_rows

PSEUDONYM = json.dumps({"salt_env": "PA_STUDY_TEST_SALT_UNSET", "salt_file": None})


def raw_entry(path, **options) -> dict:
    """A ``files.<instrument>`` entry for ``path`` as the workflow passes it (the schema's defaults filled in)."""
    return {**config()["counties"]["H"]["files"]["households"], "path": str(path), **options}


def run_ingest(tmp_path, path, *, encoding="auto", synthetic=True):
    county = {"files": {"households": raw_entry(path, encoding=encoding)}, "synthetic": synthetic}
    return main(
        [
            "ingest",
            "--instrument",
            "households",
            "--county-config",
            json.dumps(county),
            "--pseudonym",
            PSEUDONYM,
            "--codebook",
            str(ROOT / "data/codebook/codebook.yaml"),
            "--output",
            str(tmp_path / "out.parquet"),
            "--report",
            str(tmp_path / "out.json"),
            "--log",
            str(tmp_path / "ingest.log"),
        ]
    )


def test_ingest_writes_table_and_report(tmp_path):
    path = tmp_path / "hh.csv"
    household_rows().to_csv(path, index=False)
    assert run_ingest(tmp_path, path) == 0
    assert len(pd.read_parquet(tmp_path / "out.parquet")) == 6
    assert "personal columns dropped" in (tmp_path / "ingest.log").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content, encoding, message",
    [
        (household_rows().to_csv(index=False).encode("gbk"), "utf-8", "the text is GB18030 (GBK), not UTF-8"),
        (b"", "auto", "the file is empty"),
        (
            household_rows().drop(columns=["户编号"]).to_csv(index=False).encode(),
            "auto",
            "required column 'household_id'",
        ),
        ("县,乡镇,县\nH,城关镇,H\n".encode(), "auto", "duplicate header '县'"),
    ],
    ids=["wrong-encoding", "empty", "missing-column", "duplicate-headers"],
)
def test_bad_input_gives_one_message_and_exit_1(tmp_path, capsys, content, encoding, message):
    path = tmp_path / "hh.csv"
    path.write_bytes(content)
    assert run_ingest(tmp_path, path, encoding=encoding) == 1
    err = capsys.readouterr().err
    assert err.startswith("pa-study: error: ") and str(path) in err and message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.parquet").exists()


def test_personal_data_in_a_kept_column_stop_ingest_without_showing_it(tmp_path, capsys):
    frame = household_rows()
    frame.loc[2, "家庭人口数"] = frame.loc[2, "联系电话"]
    path = tmp_path / "hh.csv"
    frame.to_csv(path, index=False)
    assert run_ingest(tmp_path, path) == 1
    err = capsys.readouterr().err
    assert f"{path}: column '家庭人口数', row 4: holds what looks like a mobile phone number" in err
    log = (tmp_path / "ingest.log").read_text(encoding="utf-8")
    assert frame.loc[2, "联系电话"] not in err + log
    assert not (tmp_path / "out.parquet").exists() and not (tmp_path / "out.json").exists()


def test_log_lines_and_messages_quoting_raw_values_are_masked(tmp_path, capsys):
    households = household_rows()
    households.to_csv(tmp_path / "hh.csv", index=False)
    fixes = tmp_path / "fix.csv"
    fixes.write_text("source_row,household_id,action,new_id\n3,HH001,13383374661,\n", encoding="utf-8")
    county = {"corrections": str(fixes), "synthetic": True}
    status = main(
        [
            "ingest-corrections",
            "--county-config",
            json.dumps(county),
            "--pseudonym",
            PSEUDONYM,
            "--codebook",
            str(ROOT / "data/codebook/codebook.yaml"),
            "--output",
            str(tmp_path / "fix.parquet"),
            "--log",
            str(tmp_path / "fix.log"),
        ]
    )
    assert status == 1
    err = capsys.readouterr().err
    log = (tmp_path / "fix.log").read_text(encoding="utf-8")
    assert "action '[removed: mobile phone number]' is not keep, drop or new_id" in err
    assert "[removed: mobile phone number]" in log and "13383374661" not in err + log


def test_real_data_without_a_salt_are_refused(tmp_path, capsys):
    path = tmp_path / "hh.csv"
    household_rows().to_csv(path, index=False)
    assert run_ingest(tmp_path, path, synthetic=False) == 1
    assert (
        "no pseudonym salt for real data: set the environment variable PA_STUDY_TEST_SALT_UNSET"
        in capsys.readouterr().err
    )


def test_unreadable_number_stops_clean_naming_file_row_and_column(tmp_path, capsys):
    households = household_rows()
    households.loc[2, "家庭人口数"] = "四口"
    households.to_csv(tmp_path / "hh.csv", index=False)
    village_rows().to_csv(tmp_path / "v.csv", index=False)
    tables = []
    for name, file in (("households", "hh.csv"), ("villages", "v.csv")):
        county = {"files": {name: raw_entry(tmp_path / file)}, "synthetic": True}
        assert (
            main(
                [
                    "ingest",
                    "--instrument",
                    name,
                    "--county-config",
                    json.dumps(county),
                    "--pseudonym",
                    PSEUDONYM,
                    "--codebook",
                    str(ROOT / "data/codebook/codebook.yaml"),
                    "--output",
                    str(tmp_path / f"{name}.parquet"),
                    "--report",
                    str(tmp_path / f"{name}.json"),
                ]
            )
            == 0
        )
        tables += [
            "--table",
            f"{name}={tmp_path / f'{name}.parquet'}",
            "--report",
            f"{name}={tmp_path / f'{name}.json'}",
        ]
    status = main(
        [
            "clean",
            "--county-config",
            json.dumps({"design": config()["counties"]["H"]["design"], "corrections": None}),
            "--cleaning",
            json.dumps(config()["cleaning"]),
            "--codebook",
            str(ROOT / "data/codebook/codebook.yaml"),
            *tables,
            "--outdir",
            str(tmp_path / "clean"),
            "--log",
            str(tmp_path / "clean.log"),
        ]
    )
    assert status == 1
    err = capsys.readouterr().err
    assert f"{tmp_path / 'hh.csv'}, row 4: cannot read '四口' in column '家庭人口数' (hh_size) as a whole number" in err
    assert not (tmp_path / "clean" / "summary.json").exists()


def test_installed_command_prints_no_traceback(tmp_path):
    path = tmp_path / "hh.csv"
    path.write_bytes(b"")
    county = {"files": {"households": raw_entry(path)}, "synthetic": True}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pa_study.cli",
            "ingest",
            "--instrument",
            "households",
            "--county-config",
            json.dumps(county),
            "--pseudonym",
            PSEUDONYM,
            "--codebook",
            str(ROOT / "data/codebook/codebook.yaml"),
            "--output",
            str(tmp_path / "o.parquet"),
            "--report",
            str(tmp_path / "o.json"),
            "--log",
            str(tmp_path / "l.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"pa-study: error: {path}: the file is empty; expected a header row and data rows"


def test_figure_draws_each_language_with_the_counties_in_study_order(tmp_path):
    from tests.helpers.results_fixture import indicator_items

    names = {"en": [["H", "H county"], ["Lankao", "Lankao County"]], "zh": [["H", "H县"], ["Lankao", "兰考县"]]}
    arguments = ["figure", "cadre_time", "--function", "cadre_time", "--names", json.dumps(names), "--codebook"]
    arguments += [str(ROOT / "data/codebook/codebook.yaml"), "--log", str(tmp_path / "figure.log")]
    arguments += [f"--indicators={item}" for item in indicator_items()]
    arguments += ["--output", f"en={tmp_path / 'en.svg'}", "--output", f"zh={tmp_path / 'zh.svg'}"]
    assert main(arguments) == 0
    assert (tmp_path / "en.svg").read_bytes() != (tmp_path / "zh.svg").read_bytes()
    assert "(zh)" in (tmp_path / "figure.log").read_text(encoding="utf-8")
    arguments[-1] = f"fr={tmp_path / 'fr.svg'}"
    assert main(arguments) == 1
    arguments[-1], arguments[3] = f"zh={tmp_path / 'zh.svg'}", "_wrapped"
    assert main(arguments) == 1
    assert "unknown figure function '_wrapped'" in (tmp_path / "figure.log").read_text(encoding="utf-8")


def test_a_figure_job_imports_the_plotting_code_and_not_the_statistics(tmp_path):
    # Each of the workflow's figure jobs is a fresh interpreter: the families' statistics (scipy,
    # statsmodels) would be most of its start-up.
    from tests.helpers.results_fixture import indicator_items

    names = {"en": [["H", "H county"], ["Lankao", "Lankao County"]]}
    arguments = ["figure", "county_panel_income", "--function", "county_panel", "--argument", "family=income"]
    arguments += ["--names", json.dumps(names), "--codebook", str(ROOT / "data/codebook/codebook.yaml")]
    arguments += [f"--indicators={item}" for item in indicator_items()]
    arguments += ["--output", f"en={tmp_path / 'en.svg'}", "--log", str(tmp_path / "figure.log")]
    script = (
        "import sys; from pa_study.cli import main; status = main(sys.argv[1:]);"
        "print(status, sorted(m for m in ('scipy', 'statsmodels', 'pa_study.stats') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, check=True)
    assert proc.stdout.split("\n")[-2] == "0 []"
    assert (tmp_path / "en.svg").stat().st_size > 0


def test_check_config_prints_every_value_in_effect(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert main(["check-config", "config.yaml", "--resolved"]) == 0
    resolved = yaml.safe_load(capsys.readouterr().out)
    assert resolved == config()
    assert resolved["indicators"]["level"] == 0.95 and resolved["counties"]["H"]["design"]["oversample_registered"]


@pytest.mark.skipif(__import__("platform").libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_keep_freed_memory_keeps_a_freed_block_for_reuse():
    # A 64 MB array made and freed: glibc gives its memory back to the system unless told to keep it;
    # mallinfo2's fordblks counts the free bytes the allocator holds.
    script = (
        "import ctypes, sys, numpy as np; from pa_study.cli import keep_freed_memory\n"
        "class Info(ctypes.Structure): _fields_ = [(f, ctypes.c_size_t) for f in 'arena ordblks smblks hblks "
        "hblkhd usmblks fsmblks uordblks fordblks keepcost'.split()]\n"
        "libc = ctypes.CDLL(None); libc.mallinfo2.restype = Info\n"
        "if sys.argv[1] == 'keep': keep_freed_memory()\n"
        "np.ones(8_000_000)\n"
        "print(libc.mallinfo2().fordblks)"
    )
    held = {
        mode: int(
            subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, check=True).stdout
        )
        for mode in ("default", "keep")
    }
    assert held["default"] < 8_000_000
    assert held["keep"] >= 64_000_000

"""The one place results are written: atomic, deterministic, screened for personal data."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import time

import pandas as pd
import pytest

from pa_study.files import _atomic_write, read_json, write_bytes, write_csv, write_json, write_parquet
from pa_study.privacy import MOBILE, PersonalDataError

PHONE = "13383374661"


def test_a_table_holding_a_phone_number_is_refused_and_not_written(tmp_path):
    frame = pd.DataFrame({"source_row": [2, 3, 4], "registered": ["是", PHONE, "否"]})
    for write, name, where in (
        (write_csv, "t.csv", "column 'registered', row 3: "),
        (write_parquet, "t.parquet", "column 'registered', record 2 (raw file row 3): "),
    ):
        with pytest.raises(PersonalDataError) as caught:
            write(frame, tmp_path / name)
        assert str(caught.value).startswith(f"{tmp_path / name}: {where}holds what looks like a {MOBILE}")
        assert PHONE not in str(caught.value)
        assert not (tmp_path / name).exists()
    assert not list(tmp_path.iterdir())


def test_diagnostic_tables_mask_and_log_instead(tmp_path, caplog):
    frame = pd.DataFrame({"source_row": [2, 3], "old_value": ["四口", f"电话{PHONE}"]})
    with caplog.at_level(logging.WARNING, logger="pa_study"):
        write_csv(frame, tmp_path / "log.csv", personal="mask")
    written = (tmp_path / "log.csv").read_text(encoding="utf-8-sig")
    assert PHONE not in written and f"电话[removed: {MOBILE}]" in written and "四口" in written
    assert f"log.csv, row 3 (raw file row 3), column 'old_value': masked a {MOBILE}" in caplog.text
    with pytest.raises(ValueError, match="personal must be one of"):
        write_csv(frame, tmp_path / "x.csv", personal="ignore")


def test_json_and_shown_text_are_screened(tmp_path):
    with pytest.raises(PersonalDataError, match=r"value 'headline\[0\]\.note'"):
        write_json({"headline": [{"note": f"tel {PHONE}"}]}, tmp_path / "r.json")
    with pytest.raises(PersonalDataError, match="value 'text'"):
        write_bytes(b"%PDF", tmp_path / "r.pdf", text=f"a label\nphone {PHONE}")
    write_json({"id": "3a13383374661f0e"}, tmp_path / "ok.json")
    assert read_json(tmp_path / "ok.json") == {"id": "3a13383374661f0e"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.json"]


def _write_slowly(path: str) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write('{"half": ')
            fh.flush()
            time.sleep(60)

    _atomic_write(path, write)


def test_a_write_killed_midway_leaves_no_file_and_the_rerun_no_leftover(tmp_path):
    target = tmp_path / "summary.json"
    child = multiprocessing.get_context("spawn").Process(target=_write_slowly, args=(str(target),))
    child.start()
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob(".summary.json.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert not target.exists(), "a killed write must not leave a file that looks complete"
    assert len(list(tmp_path.glob(".summary.json.*.tmp"))) == 1
    write_json({"complete": True}, target)
    assert json.loads(target.read_text(encoding="utf-8")) == {"complete": True}
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]

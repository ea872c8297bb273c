"""The deterministic writers (pa_study.demo.writers): files marked synthetic, with fixed timestamps."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pyreadstat

from pa_study.demo import Destinations
from tests.helpers.demo_files import read_table, truth_of


def test_files_are_marked_synthetic_with_fixed_timestamps(generated: Destinations) -> None:
    workbook = openpyxl.load_workbook(generated.raw / "H" / "households.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "农户问卷"
    assert workbook.properties.creator == "pa-study demo generator"
    assert "SYNTHETIC" in workbook.properties.title
    assert workbook.properties.modified == dt.datetime(2021, 1, 1)
    workbook.close()
    sav = (generated.raw / "Boxing" / "households.sav").read_bytes()
    assert sav[92:109] == b"01 Jan 2100:00:00"
    dta = (generated.raw / "Lankao" / "households.dta").read_bytes()
    assert b"<timestamp>\x1101 Jan 2021 00:00</timestamp>" in dta
    for path, reader in (
        (generated.raw / "Boxing" / "households.sav", pyreadstat.read_sav),
        (generated.raw / "Lankao" / "households.dta", pyreadstat.read_dta),
    ):
        _, meta = reader(str(path), metadataonly=True)
        assert "SYNTHETIC" in meta.file_label
    _, rows = read_table(generated.raw / "Yishui" / "households.csv")
    assert {row[-1] for row in rows} == {"模拟数据（synthetic）"}
    assert truth_of(generated, "H")["synthetic"] is True

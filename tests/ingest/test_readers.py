"""Readers per format (pa_study.ingest.readers): encodings, empty files, blank rows, sheets,
merged headers, Stata and SPSS value labels."""

from __future__ import annotations

import openpyxl
import pytest

from pa_study.errors import InputError
from pa_study.ingest.readers import read_raw
from tests.helpers.raw_tables import household_rows, stat_file, write_csv


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, codebook, encoding):
    path = tmp_path / "hh.csv"
    write_csv(household_rows(), path, encoding)
    raw = read_raw(path)
    assert raw.headers[0] == "县"
    assert raw.rows[0][1] == "城关镇"
    assert raw.source_rows[0] == 2
    assert raw.encoding in ("utf-8-sig", "gb18030")


def test_wrong_explicit_encoding_names_file_and_line(tmp_path):
    path = tmp_path / "hh.csv"
    write_csv(household_rows(), path, "gbk")
    with pytest.raises(InputError, match=r"hh.csv, row 1: cannot decode the text as utf-8.*encoding"):
        read_raw(path, encoding="utf-8")


def test_undecodable_bytes_are_refused_even_in_auto_mode(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("县,乡镇\n".encode() + b"\xff\xff\xff\n")
    with pytest.raises(InputError, match="cannot decode"):
        read_raw(path)


def test_empty_file_and_header_only_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: the file is empty"):
        read_raw(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("县,乡镇\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        read_raw(header_only)


def test_duplicate_headers_are_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("县,乡镇,县\nH,城关镇,H\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate header '县' in columns A, C"):
        read_raw(path)


def test_blank_rows_are_skipped_and_reported(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("县,乡镇\nH,城关镇\n,\nH,西镇\n", encoding="utf-8")
    raw = read_raw(path)
    assert raw.source_rows == [2, 4]
    assert raw.blank_rows == [3]


def test_xlsx_with_chinese_headers_named_sheet_and_header_row(tmp_path):
    path = tmp_path / "hh.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["synthetic"])
    ws = wb.create_sheet("农户问卷")
    ws.append(["农户问卷 2020"])
    frame = household_rows()
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([int(v) if v.isdigit() and len(v) < 6 else v for v in row])
    wb.save(path)
    raw = read_raw(path, sheet="农户问卷", header_row=2)
    assert raw.headers[:3] == ["县", "乡镇", "行政村"]
    assert raw.source_rows[0] == 3
    assert raw.rows[0][raw.headers.index("家庭人口数")] == "4"
    with pytest.raises(InputError, match="sheet '不存在' does not exist; sheets are: 说明, 农户问卷"):
        read_raw(path, sheet="不存在")


def test_xlsx_merged_headers_vertical_filled_horizontal_refused(tmp_path):
    path = tmp_path / "merged.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["县", "收入", None])
    ws.append([None, "工资性收入", "转移性收入"])
    ws.append(["H县", 100, 200])
    ws.merge_cells("A1:A2")
    ws.merge_cells("B1:C1")
    wb.save(path)
    raw = read_raw(path, header_row=2)
    assert raw.headers == ["县", "工资性收入", "转移性收入"]
    with pytest.raises(InputError, match=r"merged header cells B1:C1 spanning several columns"):
        read_raw(path, header_row=1)


@pytest.mark.parametrize("kind", ["dta", "sav"])
def test_stata_and_spss_value_labels_are_applied(tmp_path, kind):
    raw = read_raw(stat_file(tmp_path, kind))
    assert raw.format == ("stata" if kind == "dta" else "spss")
    assert raw.source_rows == [1, 2, 3]
    registered = [row[raw.headers.index("registered")] for row in raw.rows]
    assert registered == ["是", "否", "是"]
    assert raw.column_labels[raw.headers.index("hhid")] == "户编号"

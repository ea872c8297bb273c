"""Readers, header mapping and de-identification of the ingest stage."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyreadstat
import pytest
from conftest import household_rows

from pa_study.errors import InputError
from pa_study.ingest.corrections import ingest_corrections
from pa_study.ingest.deidentify import DEMO_SALT, pseudonym
from pa_study.ingest.headers import map_headers
from pa_study.ingest.readers import read_raw
from pa_study.ingest.run import ingest
from pa_study.ingest.settings import RawFile, corrections_settings, ingest_settings

SALT = "test-salt"


def write_csv(frame: pd.DataFrame, path, encoding: str) -> None:
    path.write_bytes(frame.to_csv(index=False).encode(encoding))


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


def _write_stat(tmp_path, kind: str):
    frame = pd.DataFrame(
        {
            "county": ["Lankao"] * 3,
            "township": ["城关镇"] * 3,
            "village": ["东村"] * 3,
            "hhid": ["L1", "L2", "L3"],
            "name": ["王一", "王二", "王三"],
            "registered": [1, 0, 1],
            "hh_size": [3, 4, 5],
            "head_sex": [1, 2, 1],
        }
    )
    labels = {"registered": {1: "是", 0: "否"}, "head_sex": {1: "男", 2: "女"}}
    column_labels = ["县", "乡镇", "行政村", "户编号", "户主姓名", "是否建档立卡户", "家庭人口数", "户主性别"]
    path = tmp_path / f"hh.{kind}"
    writer = pyreadstat.write_dta if kind == "dta" else pyreadstat.write_sav
    writer(frame, str(path), column_labels=column_labels, variable_value_labels=labels)
    return path


@pytest.mark.parametrize("kind", ["dta", "sav"])
def test_stata_and_spss_value_labels_are_applied(tmp_path, codebook, kind):
    raw = read_raw(_write_stat(tmp_path, kind))
    assert raw.format == ("stata" if kind == "dta" else "spss")
    assert raw.source_rows == [1, 2, 3]
    registered = [row[raw.headers.index("registered")] for row in raw.rows]
    assert registered == ["是", "否", "是"]
    headers = map_headers(raw, codebook["households"])
    assert set(headers.columns.values()) >= {"household_id", "registered", "hh_size", "head_sex", "head_name"}


def test_missing_required_column_names_it_and_its_aliases(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows().drop(columns=["家庭人口数"]), path, "utf-8")
    with pytest.raises(
        InputError,
        match=(
            r"hh.csv, column 'hh_size': required column 'hh_size' \(家庭人口数\) is missing; "
            r"expected a header named one of: hh_size, 家庭人口数"
        ),
    ):
        ingest(path, codebook["households"], salt=SALT)


def test_extra_columns_are_left_out_and_reported(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows().assign(数据来源="模拟数据"), path, "utf-8")
    result = ingest(path, codebook["households"], salt=SALT)
    assert result.report["extra_columns_left_out"] == ["数据来源"]
    assert "数据来源" not in result.table.columns


def test_personal_data_never_leave_ingest_and_ids_are_salted_pseudonyms(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    frame = household_rows()
    write_csv(frame, path, "utf-8")
    table = ingest(path, codebook["households"], salt=SALT).table
    assert not {"head_name", "id_number", "phone"} & set(table.columns)
    text = table.astype(str).to_csv()
    for column in ("户主姓名", "身份证号", "联系电话", "户编号"):
        assert not any(value in text for value in frame[column]), column
    assert table["household_id"].iloc[0] == pseudonym("HH000", SALT)
    assert pseudonym("HH000", SALT) != pseudonym("HH000", DEMO_SALT)
    assert pseudonym("ＨＨ０００", SALT) == pseudonym("HH000", SALT)


def test_corrections_are_validated_and_pseudonymised(tmp_path, codebook):
    path = tmp_path / "fix.csv"
    path.write_text(
        "source_row,household_id,action,new_id,note\n5,HH1,keep,,\n9,HH1,new_id,HH9,typo\n", encoding="utf-8"
    )
    frame = ingest_corrections(path, codebook["households"], salt=SALT)
    assert frame["household_id"].tolist() == [pseudonym("HH1", SALT)] * 2
    assert frame["new_id"].iloc[1] == pseudonym("HH9", SALT)
    path.write_text("source_row,household_id,action,new_id\n5,HH1,merge,\n", encoding="utf-8")
    with pytest.raises(InputError, match="fix.csv, row 2, column 'action': action 'merge' is not keep, drop or new_id"):
        ingest_corrections(path, codebook["households"], salt=SALT)


def test_an_ingest_job_depends_on_its_own_file_entry_only():
    files = {"households": {"path": "hh.csv", "encoding": "gbk"}, "villages": {"path": "v.xlsx", "sheet": 1}}
    config = {"counties": {"X": {"files": files, "synthetic": True, "corrections": "fix.csv"}}}
    assert ingest_settings(config, "X", "villages") == {"files": {"villages": files["villages"]}, "synthetic": True}
    assert corrections_settings(config, "X") == {"corrections": "fix.csv", "synthetic": True}
    with pytest.raises(InputError, match="unknown county 'Y'"):
        ingest_settings(config, "Y", "households")


def test_a_raw_file_entry_reads_with_the_documented_defaults():
    assert RawFile.from_config({"path": "hh.csv"}) == RawFile("hh.csv", encoding="auto", sheet=None, header_row=1)
    assert RawFile.from_config({"path": "v.xlsx", "sheet": "村", "header_row": 2}).header_row == 2

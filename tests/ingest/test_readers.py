"""Readers per format (pa_study.ingest.readers): encodings, empty files, blank rows, sheets,
merged headers, Stata and SPSS value labels."""

from __future__ import annotations

import openpyxl
import pytest

from pa_study.errors import InputError
from pa_study.ingest.readers import read_raw, stream_raw
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


def test_wrong_explicit_encoding_names_file_line_and_the_right_encoding(tmp_path):
    path = tmp_path / "hh.csv"
    write_csv(household_rows(), path, "gbk")
    with pytest.raises(InputError, match=r"hh.csv: the text is GB18030 \(GBK\), not UTF-8.*`encoding`.* gb18030"):
        read_raw(path, encoding="utf-8")
    # GBK decodes UTF-8 bytes into nonsense without an error: the headers would just be "missing".
    write_csv(household_rows(), path, "utf-8")
    with pytest.raises(InputError, match=r"hh.csv: the text is UTF-8, not gbk"):
        read_raw(path, encoding="gbk")


def test_a_bom_is_not_part_of_the_first_header_under_an_explicit_utf8(tmp_path):
    path = tmp_path / "hh.csv"
    write_csv(household_rows(), path, "utf-8-sig")
    raw = read_raw(path, encoding="utf-8")
    assert raw.headers[0] == "县" and raw.encoding == "utf-8-sig"


def test_a_file_pasted_from_two_encodings_is_named_at_the_line_where_they_change(tmp_path):
    path = tmp_path / "hh.csv"
    lines = household_rows(8).to_csv(index=False).splitlines(keepends=True)
    path.write_bytes("".join(lines[:6]).encode("gbk") + "".join(lines[6:]).encode("utf-8"))
    with pytest.raises(InputError) as caught:
        read_raw(path)
    assert str(caught.value) == (
        f"{path}, row 7: the file mixes text encodings: lines 1-6 are GB18030 (GBK) but line 7 is UTF-8 (it was "
        "probably pasted together from two files); re-save the whole file in one encoding, UTF-8"
    )


def test_excel_error_cells_are_kept_as_their_text_and_counted(tmp_path):
    path = tmp_path / "hh.xlsx"
    frame = household_rows()
    workbook = openpyxl.Workbook()
    workbook.active.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        workbook.active.append(list(row))
    workbook.active["I3"] = "#VALUE!"  # 家庭人口数 of the second household: a formula that failed
    workbook.active["M4"] = "#DIV/0!"
    workbook.save(path)
    raw = read_raw(path)
    assert raw.error_cells == 2
    assert raw.rows[1][raw.headers.index("家庭人口数")] == "#VALUE!"
    assert raw.rows[2][raw.headers.index("工资性收入")] == "#DIV/0!"


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


def test_a_file_read_in_chunks_gives_the_records_of_the_whole(tmp_path):
    path = tmp_path / "many.csv"
    lines = ["县,乡镇,备注"] + [f"H,镇{i}," for i in range(1, 26)]
    lines[7] = ","  # a blank row (row 8)
    lines[10] = 'H,镇10,"两行\n的备注"'  # a quoted cell over two lines is one record (row 11)
    path.write_text("\n".join(lines) + "\n", encoding="gbk")
    whole = read_raw(path)
    stream = stream_raw(path, chunk_rows=4)
    chunks = list(stream.chunks)
    assert stream.header.headers == whole.headers == ["县", "乡镇", "备注"]
    assert all(len(chunk.rows) <= 4 for chunk in chunks) and len(chunks) == 6
    assert [row for chunk in chunks for row in chunk.rows] == whole.rows
    assert [n for chunk in chunks for n in chunk.source_rows] == whole.source_rows
    assert whole.blank_rows == [8] and whole.source_rows[-1] == 26
    assert whole.rows[whole.source_rows.index(11)][2] == "两行\n的备注"


def test_a_fault_deep_in_a_streamed_file_names_its_row(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text("县,乡镇\n" + "H,镇\n" * 10 + "H,镇,多出\n", encoding="utf-8")
    stream = stream_raw(wide, chunk_rows=3)
    with pytest.raises(InputError, match=r"wide.csv, row 12: the row has 3 cells but the header has 2"):
        list(stream.chunks)
    undecodable = tmp_path / "gbk.csv"
    undecodable.write_bytes("县,乡镇\n".encode("gbk") + "H,镇\n".encode("gbk") * 7 + b"H,\xff\xfe\n")
    with pytest.raises(InputError, match=r"row 9: cannot decode the text as gbk \(line 9, byte 45: b'\\xff\\xfe\\n'\)"):
        read_raw(undecodable, encoding="gbk")


def test_xlsx_data_off_the_top_left_corner_keep_their_columns(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["C3"], sheet["D3"], sheet["C4"], sheet["D6"] = "县", "乡镇", "H", "西镇"
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    raw = read_raw(path, header_row=3)
    assert raw.headers == ["", "", "县", "乡镇"]
    assert raw.rows == [[None, None, "H", None], [None, None, None, "西镇"]]
    assert raw.source_rows == [4, 6] and raw.blank_rows == [5]


@pytest.mark.parametrize("kind", ["dta", "sav"])
def test_stata_and_spss_read_in_chunks_give_the_cases_of_the_whole(tmp_path, kind):
    path = stat_file(tmp_path, kind)
    chunks = list(stream_raw(path, chunk_rows=2).chunks)
    assert [len(chunk.rows) for chunk in chunks] == [2, 1]
    assert [row for chunk in chunks for row in chunk.rows] == read_raw(path).rows
    assert [n for chunk in chunks for n in chunk.source_rows] == [1, 2, 3]

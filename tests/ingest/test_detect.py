"""Finding a raw file's layout (pa_study.ingest.detect): real format, encoding, sheet, header row."""

from __future__ import annotations

from pa_study.ingest.detect import detect_encoding, detect_layout, sniff_format
from pa_study.ingest.readers import FORMATS
from tests.helpers import project
from tests.helpers.raw_tables import household_rows, workbook_with_notes, write_csv


def test_formats_come_from_the_bytes_not_the_name(tmp_path):
    xlsx = tmp_path / "households.csv"
    household_rows().to_excel(xlsx, index=False)
    assert sniff_format(xlsx) == "xlsx"
    write_csv(household_rows(), tmp_path / "h.csv", "gbk")
    assert sniff_format(tmp_path / "h.csv") == "csv"
    assert sniff_format("data/raw/Boxing/households.sav") == "spss"
    assert sniff_format("data/raw/Lankao/households.dta") == "stata"
    layout = detect_layout(xlsx, project.codebook()["households"], FORMATS)
    assert (layout.format, layout.extension_format) == ("xlsx", "csv")


def test_encodings_bom_and_a_file_that_changes_encoding_midway():
    assert detect_encoding("县,乡镇\n".encode("utf-8-sig")).bom
    assert detect_encoding("县,乡镇\n".encode()).codec == "utf-8"
    assert detect_encoding("县,乡镇\n".encode("gbk")).codec == "gb18030"
    mixed = "县,乡镇\n东村,1\n".encode() + "西村,2\n".encode("gbk")
    found = detect_encoding(mixed)
    assert found.codec == "gb18030" and found.mixed_from_line == 3
    assert detect_encoding(b"a,b\n1,2\n" + "西村,2\n".encode("gbk")).mixed_from_line is None


def test_title_rows_above_the_header_and_a_notes_sheet_first_are_found(tmp_path):
    path = tmp_path / "households.xlsx"
    frame = household_rows()
    workbook_with_notes(frame, path, notes=("本表为2020年农户调查",), sheet="农户", titles=("H县2020年农户问卷", ""))
    layout = detect_layout(path, project.codebook()["households"], FORMATS)
    assert (layout.sheet, layout.header_row, layout.sheets) == ("农户", 3, ["说明", "农户"])
    assert layout.recognised == len(frame.columns)
    assert layout.config_entry("x.xlsx") == {"path": "x.xlsx", "sheet": "农户", "header_row": 3}


def test_ingest_suggests_the_header_row_and_sheet_it_finds(tmp_path):
    from pa_study.codebook import load_codebook
    from pa_study.errors import InputError
    from pa_study.ingest.run import ingest

    path = tmp_path / "households.xlsx"
    notes = ("本表为2020年农户调查", "调查员：第一组", "填表说明见附件")
    workbook_with_notes(household_rows(), path, notes=notes, sheet="农户", titles=("H县2020年农户问卷",))
    households = load_codebook(project.ROOT / "data/codebook/codebook.yaml")["households"]
    try:
        ingest(path, households, salt="s")
    except InputError as exc:
        message = str(exc)
    assert "Row 2 of sheet '农户' holds" in message and "set sheet: 农户 and header_row: 2" in message


def test_ingest_refuses_a_workbook_named_csv_saying_to_rename_it(tmp_path):
    import pytest

    from pa_study.errors import InputError
    from pa_study.ingest.readers import read_raw

    household_rows().to_excel(tmp_path / "h.csv", index=False)
    with pytest.raises(InputError, match=r"contents are xlsx.*rename it to end in \.xlsx"):
        read_raw(tmp_path / "h.csv")

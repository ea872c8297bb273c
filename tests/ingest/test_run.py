"""Ingesting one raw file (pa_study.ingest.run): the table and the report of how it was read."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from pa_study.errors import InputError
from pa_study.files import write_parquet, write_parquet_chunks
from pa_study.ingest.run import IngestStream, ingest
from pa_study.privacy import PersonalDataError
from tests.helpers.raw_tables import SALT, household_rows, write_csv


def test_extra_columns_are_left_out_and_reported(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows().assign(数据来源="模拟数据"), path, "utf-8")
    result = ingest(path, codebook["households"], salt=SALT)
    assert result.report["extra_columns_left_out"] == ["数据来源"]
    assert "数据来源" not in result.table.columns


def test_a_file_ingested_in_chunks_gives_the_table_and_report_of_the_whole(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows(11), path, "gbk")
    whole = ingest(path, codebook["households"], salt=SALT)
    stream = IngestStream(path, codebook["households"], salt=SALT, chunk_rows=4)
    rows = write_parquet_chunks(stream.tables(), tmp_path / "chunked.parquet")
    assert rows == 11 and stream.report() == whole.report
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "chunked.parquet"), whole.table)
    # a table of one chunk is written as write_parquet writes it, byte for byte
    write_parquet(whole.table, tmp_path / "whole.parquet")
    write_parquet_chunks(iter([whole.table]), tmp_path / "one.parquet")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "whole.parquet").read_bytes()


def test_a_file_without_data_rows_writes_no_table(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows(1).iloc[:0], path, "utf-8")
    stream = IngestStream(path, codebook["households"], salt=SALT)
    with pytest.raises(InputError, match="no data rows"):
        write_parquet_chunks(stream.tables(), tmp_path / "t.parquet")
    assert not list(tmp_path.glob("*.parquet")) and not list(tmp_path.glob(".*"))


def test_a_personal_value_is_found_in_a_chunk_before_the_row_it_belongs_to(tmp_path, codebook):
    rows = household_rows(6)
    rows.loc[0, "行政村"] = rows.loc[5, "户主姓名"]  # the last head's name, shifted into the first row
    path = tmp_path / "hh.csv"
    write_csv(rows, path, "utf-8")
    stream = IngestStream(path, codebook["households"], salt=SALT, chunk_rows=2)
    with pytest.raises(PersonalDataError, match=r"row 2"):
        write_parquet_chunks(stream.tables(), tmp_path / "t.parquet")
    assert not (tmp_path / "t.parquet").exists()


def test_headers_in_the_wrong_place_stop_ingest_with_the_fix_first(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    path.write_text("沂水县农户调查\n" + household_rows().to_csv(index=False), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ingest(path, codebook["households"], salt=SALT)
    assert str(caught.value).endswith(
        "Row 2 holds 19 of the households headers: set header_row: 2 for this file in config.yaml (pa-study check "
        "shows the whole mapping)"
    )
    assert len(ingest(path, codebook["households"], salt=SALT, header_row=2).table) == 6


def test_excel_error_cells_are_counted_in_the_report(tmp_path, codebook):
    path = tmp_path / "hh.xlsx"
    frame = household_rows()
    workbook = openpyxl.Workbook()
    workbook.active.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        workbook.active.append(list(row))
    workbook.active["I3"] = "#VALUE!"
    workbook.save(path)
    result = ingest(path, codebook["households"], salt=SALT)
    assert result.report["excel_error_cells"] == 1
    assert result.table.loc[result.table["source_row"] == 3, "hh_size"].iloc[0] == "#VALUE!"

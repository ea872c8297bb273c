"""Ingesting one raw file (pa_study.ingest.run): the table and the report of how it was read."""

from __future__ import annotations

from pa_study.ingest.run import ingest
from tests.helpers.raw_tables import SALT, household_rows, write_csv


def test_extra_columns_are_left_out_and_reported(tmp_path, codebook):
    path = tmp_path / "hh.csv"
    write_csv(household_rows().assign(数据来源="模拟数据"), path, "utf-8")
    result = ingest(path, codebook["households"], salt=SALT)
    assert result.report["extra_columns_left_out"] == ["数据来源"]
    assert "数据来源" not in result.table.columns

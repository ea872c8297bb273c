"""Reading results files (pa_study.results)."""

from __future__ import annotations

from pa_study.files import write_json
from pa_study.results import load_family


def test_a_table_with_no_rows_and_no_columns_reads_as_absent(tmp_path):
    (tmp_path / "identification").mkdir()
    (tmp_path / "identification" / "sensitivity.csv").write_bytes("\ufeff\n".encode())
    (tmp_path / "identification" / "rates.csv").write_text("rate,estimate\neligible_share,0.1\n", encoding="utf-8")
    tables = {"sensitivity": "identification/sensitivity.csv", "rates": "identification/rates.csv"}
    write_json({"county": "H", "family": "identification", "headline": [], "tables": tables}, tmp_path / "i.json")
    family = load_family(tmp_path / "i.json")
    assert family.table("sensitivity") is None
    assert family.table("rates")["estimate"].tolist() == [0.1]

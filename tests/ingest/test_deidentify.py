"""De-identification (pa_study.ingest.deidentify): personal data dropped, ids salted pseudonyms."""

from __future__ import annotations

import pandas as pd

from pa_study.ingest.deidentify import DEMO_SALT, deidentified, pseudonym
from pa_study.ingest.run import ingest
from tests.helpers.raw_tables import SALT, household_rows, write_csv


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


def test_the_hook_drops_personal_columns_and_pseudonymises_ids(codebook):
    households = codebook["households"]
    table = pd.DataFrame({v.name: pd.array(["HH1", None], dtype="string") for v in households.variables})
    out = deidentified(table, households, SALT)
    assert not set(households.personal) & set(out.columns)
    assert list(out.columns) == [v.name for v in households.kept]
    for name in households.pseudonymised:
        assert out[name].tolist()[0] == pseudonym("HH1", SALT) and out[name].isna().tolist()[1]

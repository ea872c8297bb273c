"""De-identification (pa_study.ingest.deidentify): personal data dropped, ids salted pseudonyms."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.errors import InputError
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


def _shift_right(frame: pd.DataFrame, rows: list[int], start: str, by: int) -> pd.DataFrame:
    """Excel's "insert cells, shift right" on ``rows`` from column ``start``: values move ``by`` columns."""
    shifted = frame.copy()
    first = list(frame.columns).index(start)
    for row in rows:
        values = list(frame.iloc[row, first:])
        shifted.iloc[row, first:] = ([None] * by + values)[: len(values)]
    return shifted


@pytest.mark.parametrize(
    ("by", "column", "kind"),
    [(1, "是否建档立卡户", "mobile phone number"), (3, "是否建档立卡户", "value of a personal column")],
)
def test_personal_values_shifted_into_kept_columns_are_refused_naming_rows_and_header(
    tmp_path, codebook, by, column, kind
):
    frame = household_rows(8)
    frame["户主姓名"] = [f"{s}{g}" for s, g in zip("萧姚康王李赵钱孙", "贵庆伟涛军明华强", strict=True)]
    frame["联系电话"] = [f"1338337466{i}" for i in range(8)]
    frame = pd.concat([frame, frame], ignore_index=True)  # each name is also on a row left unshifted
    path = tmp_path / "hh.xlsx"
    _shift_right(frame, [3, 6, 9], "户主姓名", by).to_excel(path, index=False)
    with pytest.raises(InputError) as caught:
        ingest(path, codebook["households"], salt=SALT)
    message = str(caught.value)
    assert message.startswith(f"{path}: column '{column}', rows 5, 8, 11")
    assert "holds what looks like a" in message and kind in message and "nothing was written" in message
    assert not any(v in message for v in [*frame["户主姓名"], *frame["联系电话"]])


def test_pseudonymised_ids_and_vocabulary_in_personal_columns_are_not_personal_data(tmp_path, codebook):
    frame = household_rows()
    frame["户编号"] = [f"13383374661{i}" if i else "13383374661" for i in range(len(frame))]  # phone-like ids
    frame.loc[0, "联系电话"] = "否"  # "no phone": a codebook word, like 是否建档立卡户's answers
    path = tmp_path / "hh.csv"
    write_csv(frame, path, "utf-8")
    table = ingest(path, codebook["households"], salt=SALT).table
    assert table["registered"].tolist() == frame["是否建档立卡户"].tolist()

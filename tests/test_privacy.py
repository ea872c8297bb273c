"""Screening values for personal data: ID-card and mobile numbers, registered personal values."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from pa_study.privacy import (
    ID_CARD,
    MOBILE,
    PERSONAL_VALUE,
    MaskingFormatter,
    PersonalDataError,
    id_check_digit,
    is_id_card_number,
    mask_text,
    masked_frame,
    personal_cells,
    personal_kind,
    personal_values_in,
    refusal,
    register_personal_values,
)

FIRST17 = "41299919470515009"
ID_NUMBER = FIRST17 + id_check_digit(FIRST17)
PHONE = "15840710679"


def test_check_digit_follows_gb11643():
    # The standard's worked example: 11010519491231002X.
    assert id_check_digit("11010519491231002") == "X"
    assert is_id_card_number("11010519491231002X") and is_id_card_number("11010519491231002x")


@pytest.mark.parametrize(
    "text",
    [
        FIRST17 + ("0" if ID_NUMBER[-1] != "0" else "1"),  # wrong check character
        "412999194713150090",  # month 13
        "912999194705150090",  # no province code starts with 9
        "4129991947051500",  # too short
    ],
)
def test_malformed_id_numbers_are_not_id_numbers(text):
    assert not is_id_card_number(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (ID_NUMBER, ID_CARD),
        (f"身份证{ID_NUMBER}。", ID_CARD),
        (PHONE, MOBILE),
        ("158-4071-0679", MOBILE),
        ("+86 158 4071 0679", MOBILE),
        ("8615840710679", MOBILE),
        ("电话:15840710679", MOBILE),
        ("１５８４０７１０６７９", MOBILE),  # full-width digits, as a Chinese input method types them
        ("15840710679.0", MOBILE),  # a phone number read as a number by a spreadsheet
        ("3a15840710679f0e", None),  # a hexadecimal pseudonym containing 11 digits
        ("HH15840710679", None),  # an alphanumeric id
        ("12840710679", None),  # no mobile number starts 12
        ("0.15840710679", None),  # decimals of a number
        ("158407106790", None),  # 12 digits
        ("3200元", None),
    ],
)
def test_personal_kind(text, kind):
    assert personal_kind(text) == kind


def test_registered_values_are_whole_cells_in_tables_and_anywhere_in_text():
    register_personal_values(["萧贵庆", "无", "否", None, np.nan, "x"], vocabulary={"否", "无"})
    assert personal_kind("萧贵庆 ") == PERSONAL_VALUE
    assert personal_kind("萧贵庆村") is None
    assert personal_kind("萧贵庆村", whole_cell=False) == PERSONAL_VALUE
    # vocabulary (a phone column saying "none") and single characters are never registered
    assert personal_kind("无") is None and personal_kind("否") is None and personal_kind("x") is None
    assert mask_text("cannot read '萧贵庆' as yes/no") == f"cannot read '[removed: {PERSONAL_VALUE}]' as yes/no"


def test_values_registered_after_a_screen_are_screened_and_the_longest_value_at_a_place_is_masked():
    frame = pd.DataFrame({"note": pd.array(["王小明", "李四", "王小明明"], dtype="string")})
    register_personal_values(["王小明"])
    assert [f.row for f in personal_cells(frame)] == [0]
    register_personal_values(["李四", "王小明明"])
    assert [f.row for f in personal_cells(frame)] == [0, 1, 2]
    removed = f"[removed: {PERSONAL_VALUE}]"
    assert mask_text("王小明明和 李四、王小明") == f"{removed}和 {removed}、{removed}"


def test_mask_text_replaces_only_the_personal_part():
    text = f"row 5: '{PHONE}' and '{ID_NUMBER}' but not 'a{PHONE}b' or 3200"
    assert mask_text(text) == (f"row 5: '[removed: {MOBILE}]' and '[removed: {ID_CARD}]' but not 'a{PHONE}b' or 3200")
    assert mask_text("nothing personal") == "nothing personal"


def test_personal_cells_in_text_and_number_columns():
    frame = pd.DataFrame(
        {
            "source_row": [2, 3, 4, 5],
            "registered": pd.array(["是", PHONE, "否", None], dtype="string"),
            "income": [3200.0, 15840710679.0, np.nan, 1.5e10 + 0.5],
            "code": np.array([1, 2, int(ID_NUMBER), 4], dtype="int64"),
            "flag": [True, False, True, False],
            "pseudonym": ["a", "b", PHONE, "d"],
        }
    )
    found = personal_cells(frame, skip=["pseudonym"])
    assert [(f.row, f.column, f.kind, f.source_row) for f in found] == [
        (1, "registered", MOBILE, 3),
        (1, "income", MOBILE, 3),
        (2, "code", ID_CARD, 4),
    ]
    masked = masked_frame(frame, found)
    assert masked.loc[1, "registered"] == f"[removed: {MOBILE}]"
    assert masked.loc[1, "income"] == f"[removed: {MOBILE}]"
    assert masked.loc[0, "income"] == 3200.0 and masked.loc[2, "pseudonym"] == PHONE


def test_personal_values_in_json_are_located_by_path():
    document = {"headline": [{"note": "fine"}, {"note": f"call {PHONE}"}], "n": 15840710679, PHONE: 1}
    found = personal_values_in(document)
    assert sorted(f.column for f in found) == ["15840710679", "headline[1].note", "n"]


def test_refusal_names_file_rows_and_columns_never_the_value():
    frame = pd.DataFrame({"source_row": [5, 9, 12], "registered": [PHONE, PHONE, ID_NUMBER]})
    error = refusal(personal_cells(frame), "raw/hh.xlsx", rows="source", headers={"registered": "是否建档立卡户"})
    assert isinstance(error, PersonalDataError)
    message = str(error)
    assert message.startswith("raw/hh.xlsx: column '是否建档立卡户', rows 5, 9, 12: holds what looks like an ")
    assert "ID-card number or a mobile phone number" in message
    assert PHONE not in message and ID_NUMBER not in message
    spreadsheet = str(refusal(personal_cells(frame), "out.csv", rows="spreadsheet"))
    assert "column 'registered', rows 2, 3, 4" in spreadsheet
    assert "record 1 (raw file row 5)" in str(refusal(personal_cells(frame), "out.parquet"))


def test_masking_formatter_masks_messages_and_tracebacks():
    formatter = MaskingFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError(f"bad value {PHONE}")
    except ValueError:
        import sys

        record = logging.LogRecord("pa_study", logging.ERROR, __file__, 1, "reading %s", (ID_NUMBER,), sys.exc_info())
    text = formatter.format(record)
    assert PHONE not in text and ID_NUMBER not in text
    assert f"reading [removed: {ID_CARD}]" in text and f"bad value [removed: {MOBILE}]" in text

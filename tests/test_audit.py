"""Auditing output folders for the raw files' personal values and ID-card or phone numbers."""

from __future__ import annotations

import json

import pandas as pd
import typst
import yaml

from pa_study.audit import RAW_VALUE, audit_folders, raw_personal_values
from pa_study.cli import main
from pa_study.privacy import MOBILE
from tests.helpers.project import ROOT
from tests.helpers.raw_tables import household_rows

PSEUDONYM = "3a13383374661f0e"  # 16 hexadecimal digits, eleven of them in a row


def _study(tmp_path):
    frame = household_rows()
    frame["户主姓名"] = ["张秀英", "王建国", "李桂兰", "赵志强", "刘玉梅", "陈国华"]
    frame.loc[0, "联系电话"] = "无"  # "none": a codebook word, not personal data
    (tmp_path / "data").mkdir()
    frame.to_csv(tmp_path / "data" / "hh.csv", index=False)
    config = {
        "codebook": str(ROOT / "data/codebook/codebook.yaml"),
        "counties": {"H": {"files": {"households": {"path": "data/hh.csv"}}}},
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return frame, config


def _results(tmp_path, *, leak: bool):
    folder = tmp_path / "results"
    folder.mkdir()
    pd.DataFrame({"household_id": [PSEUDONYM, "b"], "village": ["东村", "赵志强村" if leak else "西村"]}).to_parquet(
        folder / "t.parquet"
    )
    (folder / "t.csv").write_text(f"a,b\n1,{'13800000004' if leak else '3200'}\n", encoding="utf-8")
    (folder / "t.json").write_text(json.dumps({"id": PSEUDONYM, "n": 13}), encoding="utf-8")
    (tmp_path / "r.typ").write_text(f"= Report\n\nHousehold {PSEUDONYM}, {'李桂兰' if leak else '李'} county.\n")
    (folder / "r.pdf").write_bytes(typst.compile(str(tmp_path / "r.typ")))
    return folder


def test_raw_personal_values_are_read_from_the_personal_columns(tmp_path, codebook):
    frame, config = _study(tmp_path)
    values = raw_personal_values(config, codebook, tmp_path)
    assert set(frame["户主姓名"]) <= values and set(frame["身份证号"]) <= values
    assert set(frame["联系电话"][1:]) <= values and "无" not in values
    assert not values & set(frame["户编号"])


def test_every_kind_of_file_is_searched_and_pseudonyms_are_not_phones(tmp_path, codebook):
    frame, config = _study(tmp_path)
    values = raw_personal_values(config, codebook, tmp_path)
    assert audit_folders([_results(tmp_path, leak=False), tmp_path / "absent"], values) == []
    leaky = tmp_path / "leaky"
    leaky.mkdir()
    folder = _results(leaky, leak=True)
    found = {
        (leak.path.removeprefix(str(folder) + "/"), leak.where, leak.kind) for leak in audit_folders([folder], values)
    }
    assert found == {
        ("r.pdf", "page 1", RAW_VALUE),
        ("t.csv", "line 2", MOBILE),
        ("t.csv", "line 2", RAW_VALUE),
        ("t.parquet", "record 2", RAW_VALUE),
    }


def test_the_command_lists_places_not_values_and_fails(tmp_path, capsys):
    frame, _ = _study(tmp_path)
    _results(tmp_path, leak=True)
    assert main(["audit-personal-data", str(tmp_path / "results"), "--configfile", str(tmp_path / "config.yaml")]) == 1
    out = capsys.readouterr()
    assert "t.csv, line 2: holds what looks like a mobile phone number" in out.out
    assert "personal data found in 3 file(s)" in out.err
    assert not any(value in out.out + out.err for value in [*frame["户主姓名"], *frame["联系电话"]])


def test_the_geometry_of_an_svg_is_not_read_as_text(tmp_path):
    glyphs = '<path id="g" d="M 1446 166\nC 166 1952 1184 1952 2432 Z"/>'
    (tmp_path / "f.svg").write_text(f"<svg>\n{glyphs}\n<title>138 1234 5678</title>\n</svg>\n", encoding="utf-8")
    assert [(leak.where, leak.kind) for leak in audit_folders([tmp_path], set())] == [("line 4", MOBILE)]

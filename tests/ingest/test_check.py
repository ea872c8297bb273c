"""Checking one's own raw file (pa_study.ingest.check, pa-study check)."""

from __future__ import annotations

from pa_study.cli import main
from pa_study.ingest.check import check_file, format_check
from tests.helpers import project
from tests.helpers.raw_tables import household_rows, write_csv


def households():
    return project.codebook()["households"]


def test_headers_map_with_the_alias_used_and_unknown_ones_get_the_nearest(tmp_path):
    frame = household_rows().rename(columns={"家庭人口数": "家庭人口", "户主年龄": "户主年令"})
    frame["备注"] = "x"
    write_csv(frame, tmp_path / "h.csv", "utf-8")
    report = check_file(tmp_path / "h.csv", households(), project.codebook())
    by_header = {h.header: h for h in report.headers}
    assert by_header["家庭人口"].variable == "hh_size" and by_header["家庭人口"].alias == "家庭人口"
    assert by_header["户主姓名"].personal
    assert by_header["户主年令"].variable is None
    assert any("head_age" in near for near in by_header["户主年令"].nearest)
    assert by_header["备注"].variable is None and report.ready
    text = format_check(report, households())
    assert "not recognised" in text and "head_age" in text


def test_a_missing_required_column_is_named_with_its_spellings(tmp_path):
    write_csv(household_rows().drop(columns=["户编号"]), tmp_path / "h.csv", "utf-8")
    report = check_file(tmp_path / "h.csv", households(), project.codebook())
    assert report.missing_required == ["household_id"] and not report.ready
    assert "household_id (户编号): a header named one of" in format_check(report, households())


def test_value_problems_are_counted_with_their_first_rows(tmp_path):
    frame = household_rows(8)
    frame.loc[[1, 4], "家庭人口数"] = "四口"
    frame.loc[2, "户主性别"] = "未知性别"
    frame.loc[3, "户主年龄"] = "190"
    write_csv(frame, tmp_path / "h.csv", "utf-8")
    problems = {
        (p.variable, p.kind): p for p in check_file(tmp_path / "h.csv", households(), project.codebook()).problems
    }
    size = problems[("hh_size", "unparseable_number")]
    assert (size.count, size.rows, size.values) == (2, (3, 6), ("四口",))
    assert problems[("head_sex", "unknown_category")].rows == (4,)
    assert problems[("head_age", "out_of_range")].values == ("190",)


def test_gbk_and_title_rows_give_the_config_entry_to_paste(tmp_path):
    path = tmp_path / "h.csv"
    frame = household_rows()
    body = ",".join(frame.columns) + "\n" + "\n".join(",".join(map(str, r)) for r in frame.itertuples(index=False))
    path.write_bytes(("H县农户调查\n\n" + body + "\n").encode("gbk"))
    report = check_file(path, households(), project.codebook())
    assert report.config_entry == {"path": str(path), "encoding": "gbk", "header_row": 3}
    assert report.ready and report.rows == len(frame)


def test_an_xlsx_renamed_csv_is_told_to_be_renamed(tmp_path, capsys):
    path = tmp_path / "households.csv"
    household_rows().to_excel(path, index=False)
    assert main(["check", str(path), "--instrument", "households"]) == 1
    out = capsys.readouterr().out
    assert "contents are xlsx" in out and "rename it to end in .xlsx" in out


def test_the_command_prints_the_check_and_exits_0_when_ready(capsys):
    assert main(["check", "data/raw/Yishui/cadres.csv", "--instrument", "cadres"]) == 0
    out = capsys.readouterr().out
    assert "encoding gb18030" in out and "cadres: {path: data/raw/Yishui/cadres.csv, encoding: gbk}" in out
    assert "Ready for ingest." in out

"""Small hand-made raw tables under Chinese headers, as a county's survey files hold them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from pa_study.codebook import Codebook

#: The pseudonym salt of the tests' hand-made tables.
SALT = "test-salt"


def household_rows(n: int = 6) -> pd.DataFrame:
    """A small valid household table under Chinese headers (label_zh), two villages in one township."""
    rows = []
    for i in range(n):
        rows.append(
            {
                "县": "H县",
                "乡镇": "城关镇",
                "行政村": "东村" if i % 2 == 0 else "西村",
                "户编号": f"HH{i:03d}",
                "户主姓名": f"张{i}",
                "身份证号": f"41022519800101{i:03d}X",
                "联系电话": f"1380000{i:04d}",
                "是否建档立卡户": "是" if i % 3 == 0 else "否",
                "家庭人口数": "4",
                "劳动力人数": "2",
                "户主年龄": "45",
                "户主性别": "男",
                "工资性收入": "6000",
                "生产经营性收入": "2000",
                "财产性收入": "0",
                "转移性收入": "1000",
                "家庭总收入": "9000",
                "是否参与产业项目": "否",
                "调查日期": "2020-08-15",
            }
        )
    return pd.DataFrame(rows)


def village_rows() -> pd.DataFrame:
    """A frame of three villages in one township, two of them sampled."""
    return pd.DataFrame(
        {
            "县": ["H县"] * 3,
            "乡镇": ["城关镇"] * 3,
            "行政村": ["东村", "西村", "南村"],
            "是否贫困村": ["是", "否", "否"],
            "总户数": ["100", "200", "150"],
            "建档立卡户数": ["20", "30", "10"],
            "是否抽中": ["是", "是", "否"],
        }
    )


def write_csv(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    """Write ``frame`` as a CSV file in ``encoding`` (``utf-8``, ``utf-8-sig``, ``gbk``, ``gb18030``)."""
    path.write_bytes(frame.to_csv(index=False).encode(encoding))


def workbook_with_notes(
    frame: pd.DataFrame, path: Path, *, notes: tuple[str, ...], sheet: str, titles: tuple[str, ...]
) -> None:
    """Write ``frame`` as an Excel workbook the way field teams send them: a sheet of ``notes`` first,
    then ``sheet`` with ``titles`` rows above the headers (empty cells left empty)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "说明"
    for note in notes:
        book.active.append([note])
    data = book.create_sheet(sheet)
    for title in titles:
        data.append([title] if title else [])
    data.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        data.append([None if pd.isna(v) else v for v in row])
    book.save(path)


def stat_file(folder: Path, kind: str) -> Path:
    """A three-household Stata (``dta``) or SPSS (``sav``) file in ``folder``: English variable names,
    Chinese variable labels and value labels (是/否, 男/女), and a personal column (``name``)."""
    frame = pd.DataFrame(
        {
            "county": ["Lankao"] * 3,
            "township": ["城关镇"] * 3,
            "village": ["东村"] * 3,
            "hhid": ["L1", "L2", "L3"],
            "name": ["王一", "王二", "王三"],
            "registered": [1, 0, 1],
            "hh_size": [3, 4, 5],
            "head_sex": [1, 2, 1],
        }
    )
    labels = {"registered": {1: "是", 0: "否"}, "head_sex": {1: "男", 2: "女"}}
    column_labels = ["县", "乡镇", "行政村", "户编号", "户主姓名", "是否建档立卡户", "家庭人口数", "户主性别"]
    path = folder / f"hh.{kind}"
    writer = pyreadstat.write_dta if kind == "dta" else pyreadstat.write_sav
    writer(frame, str(path), column_labels=column_labels, variable_value_labels=labels)
    return path


def text_table(codebook: Codebook, **columns: list[str | None]) -> pd.DataFrame:
    """A households table as the ingest stage hands it to cleaning: text cells under canonical names,
    indexed by source row (2, 3, …), with the given columns filled and the others missing."""
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame({v.name: pd.array([None] * n, dtype="string") for v in codebook["households"].kept})
    for name, values in columns.items():
        frame[name] = pd.array(values, dtype="string")
    frame.index = pd.Index(range(2, n + 2), name="source_row")
    return frame

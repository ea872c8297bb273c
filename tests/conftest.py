"""Shared fixtures: the repository's codebook and small hand-made raw tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pa_study.codebook import Codebook, load_codebook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return load_codebook(ROOT / "data" / "codebook" / "codebook.yaml")


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

"""Test data of the indicator tests: settings from the repository's config and hand-made cleaned
tables."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from pa_study.clean.run import empty_table
from pa_study.indicators import FAMILIES, family_settings
from pa_study.indicators.settings import FamilySettings
from tests.helpers.project import codebook, config

#: Values of a plain household: not registered, not poor, no project, nothing failing.
HOUSEHOLD_DEFAULTS: dict[str, Any] = {
    "county": "测试县",
    "registered": False,
    "exited": False,
    "hh_size": 4,
    "labour_count": 2,
    "hh_size_base": 4,
    "labour_count_base": 2,
    "head_age": 50,
    "head_sex": "male",
    "head_schooling": 9,
    "n_disabled": 0,
    "n_chronic": 0,
    "n_students": 1,
    "inc_wage": 20000.0,
    "inc_business": 8000.0,
    "inc_property": 1000.0,
    "inc_transfer": 1000.0,
    "inc_total": 30000.0,
    "inc_wage_base": 15000.0,
    "inc_business_base": 6000.0,
    "inc_property_base": 500.0,
    "inc_transfer_base": 500.0,
    "inc_total_base": 22000.0,
    "food_secure": True,
    "clothing_secure": True,
    "child_out_of_school": False,
    "medical_insured": True,
    "housing_grade": "a",
    "safe_water": True,
    "project_participant": False,
    "training_sessions": 0,
    "has_skill": False,
    "migrant_work": False,
    "microcredit": False,
    "help_visits": 1,
    "forms_inspections": 0,
    **{
        item: 3
        for item in (
            "motiv_aspire_1",
            "motiv_aspire_2",
            "motiv_selfrely_1",
            "motiv_selfrely_2",
            "motiv_wait",
            "motiv_rely",
            "motiv_ask",
        )
    },
}


def settings(family: str, county: str = "H", **changes: Any) -> FamilySettings:
    """The repository config's settings of one family and county, with ``changes`` merged into
    their JSON (nested dicts key by key), e.g. ``settings("income", min_sample={"households": 50})``."""
    data = family_settings(config(), family, county).to_dict()
    return FAMILIES[family].settings_from_json(merged(data, changes))


def merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` merged in, nested dicts key by key."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def households(rows: list[dict[str, Any]], *, townships: int = 2, villages: int = 2) -> pd.DataFrame:
    """Return a cleaned household table (codebook dtypes plus design columns) from hand-made rows.

    Each row overrides :data:`HOUSEHOLD_DEFAULTS`; rows without ``township``/``village`` are spread
    round-robin over ``townships`` x ``villages`` villages, and weights default to 1 with 10 villages
    per township in the frame.
    """
    template = empty_table(codebook()["households"])
    records = []
    for i, row in enumerate(rows):
        cell = i % (townships * villages)
        place = {"township": f"镇{cell // villages}", "village": f"村{cell % villages}", "household_id": f"h{i:05d}"}
        records.append({**HOUSEHOLD_DEFAULTS, **place, **row})
    frame = pd.DataFrame.from_records(records)
    table = pd.DataFrame(
        {
            c: pd.Series(frame[c].tolist() if c in frame else [None] * len(frame), dtype=template[c].dtype)
            for c in template.columns
            if c != "source_row"
        }
    )
    table.insert(0, "source_row", np.arange(2, len(table) + 2))
    table["stratum"] = table["township"]
    table["psu"] = table["township"] + "/" + table["village"]
    table["fpc_villages"] = pd.array(frame.get("fpc_villages", pd.Series([10] * len(frame))), dtype="Int64")
    registered = table["registered"].astype("boolean").fillna(False)
    table["design_group"] = pd.array(np.where(registered, "registered", "other"), dtype="string")
    table["fpc_households"] = pd.array(frame.get("fpc_households", pd.Series([1000] * len(frame))), dtype="Int64")
    table["weight"] = pd.array(frame.get("weight", pd.Series([1.0] * len(frame))), dtype="Float64")
    return table


def cadres(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return a cleaned cadre table from hand-made rows (codebook dtypes)."""
    return typed_table("cadres", rows)


def ledger(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return a cleaned project ledger from hand-made rows (codebook dtypes)."""
    return typed_table("projects", rows)


def village_frame(n: int) -> pd.DataFrame:
    """Return a cleaned village frame of ``n`` villages in one township."""
    return typed_table(
        "villages",
        [
            {
                "county": "测试县",
                "township": "镇0",
                "village": f"村{i}",
                "n_households": 100,
                "n_registered": 10,
                "sampled": i < 2,
            }
            for i in range(n)
        ],
    )


def typed_table(instrument: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Return a cleaned table of ``instrument`` from hand-made rows: the codebook's columns and dtypes,
    missing where a row does not say."""
    template = empty_table(codebook()[instrument])
    frame = pd.DataFrame.from_records(rows)
    table = pd.DataFrame(
        {
            c: pd.Series(frame[c].tolist() if c in frame else [None] * len(frame), dtype=template[c].dtype)
            for c in template.columns
            if c != "source_row"
        }
    )
    table.insert(0, "source_row", np.arange(2, len(table) + 2))
    return table

"""The injected field-data mess (pa_study.demo.mess): every injected problem is recorded where it
is in the files, nothing else is messy, and the duplicates bookkeeping matches the corrections file."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from pa_study.codebook import INCOME_TOTALS
from pa_study.demo import COUNTIES, Destinations
from tests.helpers.demo_files import read_table, truth_of


@pytest.mark.parametrize("county", list(COUNTIES))
def test_injected_counts_and_duplicate_bookkeeping(generated: Destinations, county: str) -> None:
    truth = truth_of(generated, county)
    for table in truth["injected"].values():
        records = table["records"]
        assert dict(Counter(r["problem"] for r in records)) == table["counts"]
        assert [r["source_row"] for r in records] == sorted(r["source_row"] for r in records)
    households = truth["injected"]["households"]
    assert len(households["unresolved_conflict_ids"]) == 1 and len(households["new_id_rows"]) == 1
    conflicts = [r for r in households["records"] if r["problem"] == "conflicting_duplicate"]
    by_id = Counter(r["value"]["household_id"] for r in conflicts)
    assert set(by_id.values()) == {2}
    with open(generated.corrections / county / "households_duplicates.csv", encoding="utf-8", newline="") as f:
        corrections = list(csv.DictReader(f))
    assert {c["household_id"] for c in corrections} == set(by_id) - set(households["unresolved_conflict_ids"])
    assert [int(c["source_row"]) for c in corrections if c["action"] == "new_id"] == households["new_id_rows"]
    resolutions = {r["source_row"]: r["value"]["resolution"] for r in conflicts}
    assert all(resolutions[int(c["source_row"])] == c["action"] for c in corrections)
    assert all(bool(c["new_id"]) == (c["action"] == "new_id") for c in corrections)


@pytest.mark.parametrize("county", list(COUNTIES))
def test_injected_records_match_the_files_and_nothing_else_is_messy(
    generated: Destinations, codebook_yaml: dict, county: str
) -> None:
    truth = truth_of(generated, county)
    for instrument in truth["files"]:
        spec = truth["files"][instrument]
        headers, rows = read_table(generated.raw / county / spec["file"])
        first = spec["first_source_row"]
        column_of = {name: headers.index(header) for name, header in spec["headers"].items()}
        records = truth["injected"][instrument]["records"]
        messy_cells = set()
        messy_rows = set()
        for record in records:
            if record["column"] is None:
                messy_rows.add(record["source_row"])
                continue
            messy_cells.add((record["source_row"], record["column"]))
            cell = rows[record["source_row"] - first][column_of[record["column"]]]
            assert _same_cell(cell, record["value"]), record
        for variable in codebook_yaml[instrument]["variables"]:
            name = variable["name"]
            if name not in column_of:
                continue
            for i, row in enumerate(rows):
                source_row = i + first
                if (source_row, name) not in messy_cells and source_row not in messy_rows:
                    _assert_clean_cell(row[column_of[name]], variable, county, (source_row, name))
        if instrument == "households":
            _assert_row_rules(rows, column_of, first, messy_cells, messy_rows)


def _same_cell(cell: object, value: object) -> bool:
    if isinstance(cell, float):  # .sav/.dta numbers
        return cell == value
    return cell == value or cell == str(value)


def _assert_clean_cell(cell: object, variable: dict, county: str, where: tuple) -> None:
    if cell is None:
        return
    kind = variable["type"]
    text = COUNTIES[county].files.file_format in ("xlsx", "csv")
    if kind in ("integer", "number"):
        value = float(cell)  # plain ASCII number: no full-width digits, units or 万
        low, high = variable.get("range", [float("-inf"), float("inf")])
        scale = 10000 if county == "H" and variable["name"] == "fiscal_investment" else 1
        assert low <= value * scale <= high, where
    elif kind == "boolean":
        assert cell in (("是", "否") if text else (0, 1)), where
    elif kind == "category":
        allowed = [c["label_zh"] if text else c["code"] for c in variable["categories"].values()]
        assert cell in allowed, where


def _assert_row_rules(rows: list[list], column_of: dict, first: int, messy_cells: set, messy_rows: set) -> None:
    for i, row in enumerate(rows):
        source_row = i + first
        if source_row in messy_rows:
            continue

        def number(name: str, row: list = row, source_row: int = source_row) -> float | None:
            cell = row[column_of[name]]
            return None if cell is None or (source_row, name) in messy_cells else float(cell)

        size, labour = number("hh_size"), number("labour_count")
        assert size is None or labour is None or labour <= size, source_row
        registered_in, exited_in = number("registration_year"), number("exit_year")
        assert registered_in is None or exited_in is None or exited_in >= registered_in, source_row
        if row[column_of["project_participant"]] in ("否", 0):
            assert all(row[column_of[n]] is None for n in ("project_type", "project_days", "project_income"))
        parts = [number(n) for n in INCOME_TOTALS["inc_total"]]
        total = number("inc_total")
        if None not in parts and total is not None:
            assert total == sum(parts), source_row


@pytest.mark.parametrize("county", list(COUNTIES))
def test_exact_duplicates_are_identical_copies(generated: Destinations, county: str) -> None:
    truth = truth_of(generated, county)
    for instrument in ("households", "cadres"):
        headers, rows = read_table(generated.raw / county / truth["files"][instrument]["file"])
        first = truth["files"][instrument]["first_source_row"]
        copies = [r for r in truth["injected"][instrument]["records"] if r["problem"] == "exact_duplicate"]
        assert copies
        for record in copies:
            assert rows[record["source_row"] - first] == rows[record["value"]["duplicate_of"] - first]

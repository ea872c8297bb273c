"""Tests of the synthetic demo-data generator (:mod:`pa_study.demo`)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pyreadstat
import pytest
import yaml

from pa_study.demo import COUNTIES, Destinations, generate
from pa_study.demo.__main__ import main
from pa_study.demo._names import id_check_digit

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data" / "codebook" / "codebook.yaml"
COMMITTED = Destinations(ROOT / "data" / "raw", ROOT / "data" / "truth", ROOT / "data" / "corrections")
INSTRUMENTS = ("households", "cadres", "projects", "villages")
_INCOMES = ("inc_wage", "inc_business", "inc_property", "inc_transfer")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Destinations:
    root = tmp_path_factory.mktemp("demo")
    destinations = Destinations(root / "raw", root / "truth", root / "corrections")
    generate(destinations, codebook_path=CODEBOOK)
    return destinations


@pytest.fixture(scope="module")
def codebook() -> dict:
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))["instruments"]


def truth_of(destinations: Destinations, county: str) -> dict:
    return json.loads((destinations.truth / f"{county}.json").read_text(encoding="utf-8"))


def read_table(path: Path) -> tuple[list[str], list[list]]:
    """Return the header and data rows of a raw file as its format stores them."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        return [str(h) for h in rows[0]], rows[1:]
    if path.suffix == ".csv":
        with open(path, encoding="gbk", newline="") as handle:
            rows = [[c if c != "" else None for c in row] for row in csv.reader(handle)]
        return rows[0], rows[1:]
    reader = pyreadstat.read_sav if path.suffix == ".sav" else pyreadstat.read_dta
    frame, _ = reader(str(path))
    rows = [
        [None if (isinstance(v, float) and v != v) or v == "" else v for v in row]
        for row in frame.itertuples(index=False)
    ]
    return list(frame.columns), rows


def generator_files(destinations: Destinations) -> dict[str, bytes]:
    """Return the bytes of every file the generator owns under the destinations (by relative name)."""
    paths = [destinations.raw / "README.md"]
    for county in COUNTIES:
        paths += sorted((destinations.raw / county).glob("*"))
        paths += [
            destinations.truth / f"{county}.json",
            destinations.corrections / county / "households_duplicates.csv",
        ]
    return {f"{p.parent.name}/{p.name}": p.read_bytes() for p in paths if p.is_file()}


def test_generator_reproduces_committed_files(generated: Destinations) -> None:
    fresh = generator_files(generated)
    committed = generator_files(COMMITTED)
    assert len(fresh) == 4 * 6 + 1
    assert sorted(fresh) == sorted(committed)
    different = [name for name in fresh if fresh[name] != committed[name]]
    assert not different, f"regenerate with `python -m pa_study.demo`; differing: {different}"


def test_committed_files_stay_small() -> None:
    sizes = {p.name: p.stat().st_size for p in COMMITTED.raw.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 700_000


@pytest.mark.parametrize("county", list(COUNTIES))
def test_headers_are_codebook_names_or_aliases(generated: Destinations, codebook: dict, county: str) -> None:
    truth = truth_of(generated, county)
    for instrument in INSTRUMENTS:
        spec = truth["files"][instrument]
        headers, _ = read_table(generated.raw / county / spec["file"])
        expected = [v["name"] for v in codebook[instrument]["variables"] if v["name"] != "weight" or county == "Lankao"]
        assert sorted(spec["headers"]) == sorted(expected)
        assert headers == [spec["headers"][n] for n in expected] + list(spec["extra_columns"])
        for variable in codebook[instrument]["variables"]:
            header = spec["headers"].get(variable["name"])
            spellings = [variable["name"], variable["label_zh"]] + [
                a if isinstance(a, str) else a["alias"] for a in variable.get("aliases", [])
            ]
            assert header is None or header in spellings


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
    generated: Destinations, codebook: dict, county: str
) -> None:
    truth = truth_of(generated, county)
    for instrument in INSTRUMENTS:
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
        for variable in codebook[instrument]["variables"]:
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
        parts = [number(n) for n in _INCOMES]
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


@pytest.mark.parametrize("county", list(COUNTIES))
def test_id_numbers_are_well_formed(generated: Destinations, county: str) -> None:
    truth = truth_of(generated, county)
    spec = truth["files"]["households"]
    headers, rows = read_table(generated.raw / county / spec["file"])
    ids = [row[headers.index(spec["headers"]["id_number"])] for row in rows]
    phones = [row[headers.index(spec["headers"]["phone"])] for row in rows]
    assert all(isinstance(i, str) and len(i) == 18 and i[-1] == id_check_digit(i[:17]) for i in ids)
    assert all(dt.date(int(i[6:10]), int(i[10:12]), int(i[12:14])) for i in ids)
    assert all(p is None or (isinstance(p, str) and len(p) == 11 and p.isdigit()) for p in phones)
    assert "id_number" not in json.dumps(truth["injected"]) and ids[0] not in json.dumps(truth)


@pytest.mark.parametrize("county", list(COUNTIES))
def test_design_weights_add_up_to_the_population(generated: Destinations, county: str) -> None:
    truth = truth_of(generated, county)
    design = truth["design"]
    assert design["sum_of_design_weights"] == pytest.approx(design["n_population_households"], rel=0.08)
    spec = truth["files"]["villages"]
    headers, rows = read_table(generated.raw / county / spec["file"])
    sizes = [float(r[headers.index(spec["headers"]["n_households"])]) for r in rows]
    registered = [float(r[headers.index(spec["headers"]["n_registered"])]) for r in rows]
    assert sum(sizes) == design["n_population_households"]
    assert sum(registered) == truth["population"]["identification"]["n_registered"]


def test_lankao_weight_column_holds_the_design_weights(generated: Destinations) -> None:
    truth = truth_of(generated, "Lankao")
    headers, rows = read_table(generated.raw / "Lankao" / "households.dta")
    extra_rows = {
        r["source_row"]
        for r in truth["injected"]["households"]["records"]
        if r["problem"] == "exact_duplicate" or (r["problem"] == "conflicting_duplicate" and "changed" in r["value"])
    }
    weights = [row[headers.index("weight")] for i, row in enumerate(rows, start=1) if i not in extra_rows]
    assert len(weights) == truth["design"]["n_sampled_households"]
    assert sum(weights) == pytest.approx(truth["design"]["sum_of_design_weights"], rel=1e-9)


def test_files_are_marked_synthetic_with_fixed_timestamps(generated: Destinations) -> None:
    workbook = openpyxl.load_workbook(generated.raw / "H" / "households.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "农户问卷"
    assert workbook.properties.creator == "pa-study demo generator"
    assert "SYNTHETIC" in workbook.properties.title
    assert workbook.properties.modified == dt.datetime(2021, 1, 1)
    workbook.close()
    sav = (generated.raw / "Boxing" / "households.sav").read_bytes()
    assert sav[92:109] == b"01 Jan 2100:00:00"
    dta = (generated.raw / "Lankao" / "households.dta").read_bytes()
    assert b"<timestamp>\x1101 Jan 2021 00:00</timestamp>" in dta
    for path, reader in (
        (generated.raw / "Boxing" / "households.sav", pyreadstat.read_sav),
        (generated.raw / "Lankao" / "households.dta", pyreadstat.read_dta),
    ):
        _, meta = reader(str(path), metadataonly=True)
        assert "SYNTHETIC" in meta.file_label
    _, rows = read_table(generated.raw / "Yishui" / "households.csv")
    assert {row[-1] for row in rows} == {"模拟数据（synthetic）"}
    assert truth_of(generated, "H")["synthetic"] is True


def test_planted_truths_are_realised(generated: Destinations) -> None:
    h, lankao = truth_of(generated, "H"), truth_of(generated, "Lankao")
    for truth in (h, lankao):
        industry = truth["population"]["industry"]
        assert industry["att_realised"] == pytest.approx(industry["att_planted"], rel=0.05)
    assert h["population"]["identification"]["wrongful_exit_rate"] > 0.02
    assert h["population"]["identification"]["missed_rate"] > 0.02
    assert lankao["population"]["identification"]["wrongful_exit_rate"] < 0.02
    assert lankao["population"]["identification"]["missed_rate"] < 0.02
    assert h["population"]["burden"]["share_formalism"] > lankao["population"]["burden"]["share_formalism"] + 0.1


def test_scaled_mode_runs(tmp_path: Path) -> None:
    args = [
        "--out",
        str(tmp_path / "raw"),
        "--truth",
        str(tmp_path / "truth"),
        "--corrections",
        str(tmp_path / "corrections"),
        "--codebook",
        str(CODEBOOK),
    ]
    assert main(args + ["--households-per-county", "200", "--counties", "Yishui", "Lankao"]) == 0
    assert main(args + ["--households-per-county", "3000", "--counties", "H"]) == 0
    for county, target in (("Yishui", 200), ("Lankao", 200), ("H", 3000)):
        truth = truth_of(Destinations(tmp_path / "raw", tmp_path / "truth", tmp_path), county)
        assert truth["design"]["n_sampled_households"] == pytest.approx(target, rel=0.25)
        households = truth["injected"]["households"]
        assert len(households["unresolved_conflict_ids"]) == 1 and len(households["new_id_rows"]) == 1
        headers, rows = read_table(tmp_path / "raw" / county / truth["files"]["households"]["file"])
        assert len(rows) == truth["files"]["households"]["n_rows"]

"""Reading what the demo generator writes: its raw files as their formats store them, its truth
files, and the set of files it owns."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pyreadstat

from pa_study.demo import COUNTIES, Destinations
from tests.helpers.project import ROOT

#: The demo data committed to the repository.
COMMITTED = Destinations(ROOT / "data" / "raw", ROOT / "data" / "truth", ROOT / "data" / "corrections")


def truth_of(destinations: Destinations, county: str) -> dict:
    """The generator's truth file of ``county`` under ``destinations``."""
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

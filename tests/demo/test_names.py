"""Fake personal data (pa_study.demo._names): well-formed ID-card and mobile numbers, kept out of
the truth files."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from pa_study.demo import COUNTIES, Destinations
from pa_study.privacy import id_check_digit
from tests.helpers.demo_files import read_table, truth_of


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

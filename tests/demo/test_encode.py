"""Encoding and naming the columns (pa_study.demo.encode): every header is a codebook name or alias."""

from __future__ import annotations

import pytest

from pa_study.config import INSTRUMENTS
from pa_study.demo import COUNTIES, Destinations
from tests.helpers.demo_files import read_table, truth_of


@pytest.mark.parametrize("county", list(COUNTIES))
def test_headers_are_codebook_names_or_aliases(generated: Destinations, codebook_yaml: dict, county: str) -> None:
    truth = truth_of(generated, county)
    # Every county delivers the four main instruments; H and Yishui also the cadre roster.
    roster = ("cadre_roster",) if county in ("H", "Yishui") else ()
    assert set(truth["files"]) == {i for i in INSTRUMENTS if i != "cadre_roster"} | set(roster)
    for instrument in truth["files"]:
        spec = truth["files"][instrument]
        headers, _ = read_table(generated.raw / county / spec["file"])
        delivered = {"weight": county == "Lankao", "income_at_registration_pc": county != "Boxing"}
        delivered["income_at_exit_pc"] = delivered["income_at_registration_pc"]  # the register's records
        expected = [v["name"] for v in codebook_yaml[instrument]["variables"] if delivered.get(v["name"], True)]
        assert sorted(spec["headers"]) == sorted(expected)
        assert headers == [spec["headers"][n] for n in expected] + list(spec["extra_columns"])
        for variable in codebook_yaml[instrument]["variables"]:
            header = spec["headers"].get(variable["name"])
            spellings = [variable["name"], variable["label_zh"]] + [
                a if isinstance(a, str) else a["alias"] for a in variable.get("aliases", [])
            ]
            assert header is None or header in spellings

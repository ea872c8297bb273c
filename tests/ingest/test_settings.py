"""The ingest stage's settings (pa_study.ingest.settings)."""

from __future__ import annotations

import pytest

from pa_study.errors import InputError
from pa_study.ingest.settings import RawFile, corrections_settings, ingest_settings
from tests.helpers.project import config


def test_an_ingest_job_depends_on_its_own_file_entry_only():
    files = {"households": {"path": "hh.csv", "encoding": "gbk"}, "villages": {"path": "v.xlsx", "sheet": 1}}
    config = {"counties": {"X": {"files": files, "synthetic": True, "corrections": "fix.csv"}}}
    assert ingest_settings(config, "X", "villages") == {"files": {"villages": files["villages"]}, "synthetic": True}
    assert corrections_settings(config, "X") == {"corrections": "fix.csv", "synthetic": True}
    with pytest.raises(InputError, match="unknown county 'Y'"):
        ingest_settings(config, "Y", "households")


def test_a_raw_file_entry_takes_the_schema_defaults_and_refuses_a_partial_entry():
    entry = config()["counties"]["H"]["files"]["households"]
    assert RawFile.from_config(entry) == RawFile(
        path="data/raw/H/households.xlsx", encoding="auto", sheet=None, header_row=1
    )
    assert RawFile.from_config({**entry, "sheet": "村", "header_row": 2}).sheet == "村"
    with pytest.raises(InputError, match="raw file's settings: key 'encoding'"):
        RawFile.from_config({"path": "hh.csv"})

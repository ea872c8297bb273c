"""The exploration notebooks run top to bottom on results files (a small fixture study)."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient

from pa_study.indicators import FAMILIES
from tests.helpers.project import ROOT
from tests.helpers.results_fixture import RESULTS


@pytest.mark.parametrize("family", FAMILIES)
def test_notebook_runs_on_results_files(family, monkeypatch):
    monkeypatch.setenv("PA_STUDY_RESULTS", str(RESULTS))
    monkeypatch.setenv("PA_STUDY_COUNTY", "H")
    notebook = nbformat.read(ROOT / "notebooks" / f"{family}.ipynb", as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}}
    ).execute()
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"
    ]
    assert not errors

"""Cleaning the bundled demo data finds every problem the generator injected, at the recorded counts."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.clean.run import clean_county
from pa_study.design import design_options
from pa_study.ingest.corrections import ingest_corrections
from pa_study.ingest.deidentify import DEMO_SALT
from pa_study.ingest.run import ingest
from tests.helpers import demo_data, project

CELL_RULES = ["fullwidth", "unit_suffix", "wan", "missing_code", "out_of_range"]


@pytest.fixture(scope="module", params=demo_data.COUNTIES)
def cleaned(request, monkeypatch_module):
    county = request.param
    monkeypatch_module.chdir(project.ROOT)
    block = project.config()["counties"][county]
    codebook = project.codebook()
    ingested = {}
    for name, spec in block["files"].items():
        result = ingest(spec["path"], codebook[name], salt=DEMO_SALT, encoding=spec["encoding"])
        ingested[name] = (result.table, result.report)
    corrections = ingest_corrections(block["corrections"], codebook["households"], salt=DEMO_SALT)
    results, design = clean_county(
        ingested,
        codebook,
        project.cleaning_options(),
        design_options(block["design"]),
        corrections=corrections,
        corrections_path=block["corrections"],
    )
    return county, results, demo_data.truth(county)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def records(truth: dict, table: str, problem: str) -> list[dict]:
    return [r for r in truth["injected"][table]["records"] if r["problem"] == problem]


def test_injected_counts_are_what_the_truth_file_says(cleaned):
    _, _, truth = cleaned
    for table, injected in truth["injected"].items():
        counted = (
            pd.Series([r["problem"] for r in injected["records"]]).value_counts().to_dict()
            if injected["records"]
            else {}
        )
        assert counted == injected["counts"], table


def test_exact_duplicates_and_conflicts_are_all_found(cleaned):
    _, results, truth = cleaned
    for table, result in results.items():
        log = result.log
        found = set(log.loc[log["rule"] == "exact_duplicate", "source_row"])
        assert found == {r["source_row"] for r in records(truth, table, "exact_duplicate")}, table
        assert result.reconciliation["exact_duplicates_removed"] == len(found)
    households = results["households"]
    conflicts = {r["source_row"] for r in records(truth, "households", "conflicting_duplicate")}
    handled = set(
        households.log.loc[households.log["rule"].isin(["correction_drop", "correction_new_id"]), "source_row"]
    )
    quarantined = set(
        households.quarantine.loc[households.quarantine["reasons"].str.contains("conflicting_duplicate"), "source_row"]
    )
    assert handled | quarantined <= conflicts
    assert set(households.log.loc[households.log["rule"] == "correction_new_id", "source_row"]) == set(
        truth["injected"]["households"]["new_id_rows"]
    )
    assert len(quarantined) == 2 * len(truth["injected"]["households"]["unresolved_conflict_ids"])


def _removed_rows(result) -> set[int]:
    log = result.log
    return set(log.loc[log["rule"].isin(["exact_duplicate", "correction_drop"]), "source_row"])


@pytest.mark.parametrize("rule", CELL_RULES)
def test_cell_problems_are_found_where_they_were_injected(cleaned, rule):
    _, results, truth = cleaned
    for table, result in results.items():
        removed = _removed_rows(result)
        expected = {
            (r["source_row"], r["column"]) for r in records(truth, table, rule) if r["source_row"] not in removed
        }
        log = result.log
        found = set(map(tuple, log.loc[log["rule"] == rule, ["source_row", "column"]].to_numpy().tolist()))
        assert found == expected, (table, rule, sorted(found ^ expected)[:5])


@pytest.mark.parametrize("rule", ["labour_exceeds_size", "exit_before_registration"])
def test_unrepairable_rows_are_quarantined_with_their_reason(cleaned, rule):
    _, results, truth = cleaned
    households = results["households"]
    expected = {r["source_row"] for r in records(truth, "households", rule)} - _removed_rows(households)
    quarantine = households.quarantine
    assert set(quarantine.loc[quarantine["reasons"].str.contains(rule), "source_row"]) == expected


@pytest.mark.parametrize("rule", ["skip_logic", "total_mismatch"])
def test_repaired_rows_are_logged(cleaned, rule):
    _, results, truth = cleaned
    households = results["households"]
    expected = {r["source_row"] for r in records(truth, "households", rule)} - _removed_rows(households)
    log = households.log
    assert set(log.loc[log["rule"] == rule, "source_row"]) == expected


def test_counts_reconcile_for_every_table(cleaned):
    _, results, _ = cleaned
    for result in results.values():
        counts = result.reconciliation
        assert (
            counts["rows_in"]
            == counts["rows_out"]
            + counts["exact_duplicates_removed"]
            + counts["dropped_by_corrections"]
            + counts["quarantined"]
        )

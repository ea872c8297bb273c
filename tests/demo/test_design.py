"""The county frame and the sample (pa_study.demo.design): design weights add up to the population."""

from __future__ import annotations

import pytest

from pa_study.demo import COUNTIES, Destinations
from tests.helpers.demo_files import read_table, truth_of


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

"""Issue 9, section 2: every headline estimate of the demo counties carries ``deff`` and ``n_effective``
beside ``se``, or says why it has none.

A design effect is missing by design only for the project ledger's rows (a census, no sampling
error), for statistics whose SE is not design-based (their definition says "no design effect" and
why) and for estimates at 0 or 1, whose variance under simple random sampling is zero (``deff_note``).
"""

from __future__ import annotations

import pytest

from pa_study.indicators import FAMILIES
from pa_study.indicators.output import ZERO_VARIANCE_DEFF
from tests.helpers.demo_data import COUNTIES, demo_result


@pytest.mark.parametrize("county", COUNTIES)
def test_every_sampled_headline_estimate_carries_a_design_effect_or_says_why(county: str) -> None:
    """Issue 9, section 2: ``deff`` and ``n_effective`` beside ``se`` on every headline estimate but the
    project ledger's (a census), unless its definition or ``deff_note`` says why there is none."""
    for family, spec in FAMILIES.items():
        for row in demo_result(family, county).headline:
            if row["estimate"] is None or row["name"] in spec.protection.register_rows:
                continue
            if row["deff"] is not None:
                assert row["deff"] > 0 and row["n_effective"] == pytest.approx(row["n"] / row["deff"]), row["name"]
                continue
            assert row.get("deff_note") == ZERO_VARIANCE_DEFF or "no design effect" in row["definition"].lower(), (
                family,
                row["name"],
            )
            if "deff_note" in row:
                assert row["estimate"] in (0.0, 1.0) or row["se"] == 0, (family, row["name"])

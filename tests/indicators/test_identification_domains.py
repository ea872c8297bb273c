"""The identification family estimates on domains of the full two-stage household design, as R's
``svymean(~y, subset(design, known == 1))`` and ``svyby`` do, never on a design of the rows left
after dropping households whose constructs are unknown (fixtures: make_domain_reference.R)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pa_study.design import FPC, FPC_GROUP, GROUP, PSU, STRATUM, WEIGHT
from pa_study.indicators.identification.targeting import targeting_rates
from pa_study.indicators.survey import household_design, ratio_by, ratio_estimate
from tests.helpers.survey_reference import EST_RTOL, FIXTURES, SE_RTOL, dataset

LEVEL = 0.95


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "domain_reference.csv")


def _sample() -> pd.DataFrame:
    """apitwostage in the household design's columns, with the constructs missing outside the
    domain, as :func:`~pa_study.indicators.identification.identification_frame` leaves them."""
    d = dataset("apitwostage")
    known = (d["mobility"] <= 20).to_numpy()
    frame = pd.DataFrame(
        {
            STRATUM: d["stype"],
            PSU: d["stype"] + "/" + d["dnum"].astype(str),
            FPC: d["fpc1"].astype(float),
            GROUP: d["grp"],
            FPC_GROUP: d["fpc2"].astype(float),
            WEIGHT: d["pw"],
            "known": known.astype(float),
        }
    )
    for column in ("eligible", "registered", "exited", "wrongly_exited"):
        frame[column] = d[column].astype(float).where(known)
    frame["current"] = frame["registered"] * (1 - frame["exited"])
    frame["included"] = frame["current"] * (1 - frame["eligible"])
    frame["excluded"] = frame["eligible"] * (1 - frame["current"])
    return frame


def _rows(reference: pd.DataFrame, case: str) -> pd.DataFrame:
    return reference[reference["case"] == case].set_index("name")


@pytest.mark.parametrize("key", ["domain", "subset_built"])
def test_targeting_rates_on_the_domain_match_r_subset_and_differ_from_a_design_of_the_rows_left(
    reference: pd.DataFrame, key: str
) -> None:
    frame = _sample()
    known = frame["known"].to_numpy()
    full = household_design(frame, lonely_psu="adjust")
    left = household_design(frame[known == 1], lonely_psu="adjust")
    rates, _ = targeting_rates(full, frame["eligible"].to_numpy(), level=LEVEL, method="wald", domain=known)
    shares, ratios = _rows(reference, f"{key}/share"), _rows(reference, f"{key}/ratio")
    ours = {
        "eligible": rates["eligible_share"],
        "registered": rates["registered_share"],
        "current": rates["current_share"],
        "included/current": rates["inclusion_error"],
        "excluded/eligible": rates["exclusion_error"],
    }
    exits = ratio_estimate(full, "wrongly_exited", "exited", level=LEVEL)
    ours["wrongly_exited/exited"] = exits
    r = pd.concat([shares, ratios])
    estimates = np.array([ours[name].estimate for name in r.index])
    ses = np.array([ours[name].se for name in r.index])
    np.testing.assert_allclose(estimates, r["estimate"], rtol=EST_RTOL)
    if key == "domain":
        np.testing.assert_allclose(ses, r["se"], rtol=SE_RTOL)
    else:
        # The old way, a design of the known rows alone, is R's design of those rows, not R's domain.
        assert not np.allclose(ses, r["se"], rtol=SE_RTOL)
        left_rates, _ = targeting_rates(left, left.data["eligible"].to_numpy(), level=LEVEL, method="wald")
        np.testing.assert_allclose(left_rates["eligible_share"].se, shares.at["eligible", "se"], rtol=SE_RTOL)


def test_township_domains_match_r_svyby_on_the_subset(reference: pd.DataFrame) -> None:
    full = household_design(_sample(), lonely_psu="adjust")
    for numerator, denominator, case in (
        ("eligible", None, "domain/by_stype/eligible"),
        ("excluded", "eligible", "domain/by_stype/excluded/eligible"),
    ):
        table = ratio_by(full, numerator, denominator, STRATUM, level=LEVEL).set_index(STRATUM)
        r = _rows(reference, case)
        np.testing.assert_allclose(table.loc[r.index, "estimate"], r["estimate"], rtol=EST_RTOL)
        np.testing.assert_allclose(table.loc[r.index, "se"], r["se"], rtol=SE_RTOL)
        built = _rows(reference, case.replace("domain/", "subset_built/"))
        assert not np.allclose(table.loc[r.index, "se"], built["se"], rtol=SE_RTOL)

"""Shared access to the R `survey` reference fixtures (see tests/fixtures/stats/*.R)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd

from pa_study.stats import SurveyDesign
from tests.helpers.project import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "stats"

# Estimates to 1e-6 relative, standard errors to 1e-4 relative (issue 3, section 6). The
# absolute floor only matters for exact zeros, e.g. the SE of a proportion that is 1 in a domain.
EST_RTOL, SE_RTOL, ATOL = 1e-6, 1e-4, 1e-10

TWO_STAGE = dict(weight="pw", strata=["stype", "grp"], psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])

# How each design key of make_survey_reference.R maps onto SurveyDesign.
DESIGNS: dict[str, tuple[str, dict]] = {
    "strat": ("apistrat", dict(weight="pw", strata="stype", fpc="fpc")),
    "strat_nofpc": ("apistrat", dict(weight="pw", strata="stype")),
    "clus1": ("apiclus1", dict(weight="pw", psu="dnum", fpc="fpc")),
    "clus2": ("apiclus2", dict(weight="pw", psu="dnum", fpc="fpc1")),
    "clus2_wr": ("apiclus2", dict(weight="pw", psu="dnum")),
    "stratclus": ("apistratclus", dict(weight="pw", strata="stype", psu="dnum", fpc="fpc")),
    "lonely_strat_adjust": ("apistrat", dict(weight="pw", strata="cname", lonely_psu="adjust")),
    "lonely_strat_certainty": ("apistrat", dict(weight="pw", strata="cname", lonely_psu="certainty")),
    "lonely_clus_adjust": ("apistrat", dict(weight="pw", strata="cname", psu="dnum", lonely_psu="adjust")),
    "lonely_clus_certainty": ("apistrat", dict(weight="pw", strata="cname", psu="dnum", lonely_psu="certainty")),
    # Two-stage designs: svydesign(ids=~dnum+snum, fpc=~fpc1+fpc2), and with strata at both stages.
    "clus2_2stage": ("apiclus2", dict(weight="pw", psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])),
    "clus2_2stage_wr": ("apiclus2", dict(weight="pw", psu=["dnum", "snum"], fpc=["fpc1", None], lonely_psu="adjust")),
    "twostage": ("apitwostage", TWO_STAGE),
    "twostage_lonely_adjust": ("apitwostage_lonely", dict(TWO_STAGE, lonely_psu="adjust")),
    "twostage_lonely_certainty": ("apitwostage_lonely", dict(TWO_STAGE, lonely_psu="certainty")),
}

# Population counts of apipop used for calibration in make_survey_reference.R.
POP_STYPE = {"E": 4421, "H": 755, "M": 1018}
POP_SCH_WIDE = {"No": 1072, "Yes": 5122}

# Designs derived from those above: calibrated, replicate-weight, or both.
DERIVED: dict[str, Callable[[], object]] = {
    "clus1_ps": lambda: design("clus1").poststratify("stype", POP_STYPE),
    "clus1_rake": lambda: design("clus1").rake({"stype": POP_STYPE, "sch_wide": POP_SCH_WIDE}),
    "clus2_2stage_ps": lambda: design("clus2_2stage").poststratify("stype", POP_STYPE),
    "clus2_2stage_rake": lambda: design("clus2_2stage").rake({"stype": POP_STYPE, "sch_wide": POP_SCH_WIDE}),
    "clus1_jk1": lambda: design("clus1").replicate("jk1"),
    "stratclus_jkn": lambda: design("stratclus").replicate("jkn"),
    "clus1_jk1_ps": lambda: design("clus1").poststratify("stype", POP_STYPE).replicate("jk1"),
    "clus1_jk1_rake": lambda: design("clus1").rake({"stype": POP_STYPE, "sch_wide": POP_SCH_WIDE}).replicate("jk1"),
}


@cache
def dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(FIXTURES / f"{name}.csv")


@cache
def _reference() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "survey_reference.csv", keep_default_na=False, na_values=["NA"])


def reference_cases(prefix: str = "", contains: str = "") -> list[str]:
    cases = _reference()["case"].drop_duplicates()
    return [c for c in cases if c.startswith(prefix) and contains in c]


def reference(case: str) -> pd.DataFrame:
    rows = _reference()[_reference()["case"] == case]
    assert len(rows), f"no reference rows for {case}"
    return rows.reset_index(drop=True)


def design(key: str, **options: object) -> SurveyDesign:
    """The design ``key`` of make_survey_reference.R; domains use the full design's degrees of
    freedom, as R's ``confint(svyby(...), df = degf(design))`` in the reference."""
    if key in DERIVED:
        return DERIVED[key]()  # type: ignore[return-value]
    data_name, kwargs = DESIGNS[key]
    return SurveyDesign(dataset(data_name), **{"domain_df": "design", **kwargs, **options})


def assert_matches(ours: pd.DataFrame, ref: pd.DataFrame, *, check_df: bool = True) -> None:
    """Compare aligned rows of ``ours`` (estimate, se, ci_low, ci_high[, df]) with R's."""
    assert len(ours) == len(ref)
    np.testing.assert_allclose(ours["estimate"], ref["estimate"], rtol=EST_RTOL, atol=ATOL)
    np.testing.assert_allclose(ours["se"], ref["se"], rtol=SE_RTOL, atol=ATOL)
    # Interval limits are estimate +- t * se: held to the SE tolerance relative to the SE.
    for limit in ("ci_low", "ci_high"):
        np.testing.assert_allclose(ours[limit], ref[limit], rtol=0, atol=SE_RTOL * 3 * ref["se"].max() + ATOL)
    if check_df:
        np.testing.assert_array_equal(np.asarray(ours["df"], dtype=float), ref["df"])

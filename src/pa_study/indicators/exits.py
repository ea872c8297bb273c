"""Exit cohorts (脱贫年度): households grouped by the year they exited the register.

Shared by the families that follow exited households (identification's wrongful exit and relapse,
monitoring's relapse risk after 2020), so that a cohort is defined once: the exit year recorded for
a registered household that has exited, ``unknown`` when that year is missing or later than the
survey year, and no cohort for households that have not exited.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pa_study.indicators.survey import domain_proportion_intervals, ratio_by
from pa_study.stats import SurveyDesign

#: Column holding the exit cohort in the frames of :func:`exit_cohorts`.
EXIT_COHORT = "exit_cohort"
#: Cohort of exited households whose exit year is missing or after the survey year.
UNKNOWN_YEAR = "unknown"
#: The row of :func:`cohort_table` over all exited households.
ALL_EXITED = "all"


def exit_cohorts(households: pd.DataFrame, *, survey_year: int) -> pd.Series:
    """Return each household's exit cohort as text (``"2016"``), indexed like ``households``.

    Parameters
    ----------
    households : DataFrame
        Cleaned households (``registered``, ``exited``, ``exit_year``).
    survey_year : int
        The survey year: an exit recorded after it cannot have happened by the interview.

    Returns
    -------
    Series
        ``string`` dtype: the exit year for registered households that have exited, ``unknown``
        for those whose exit year is missing or later than the survey year, ``<NA>`` for every
        other household.
    """
    exited = households["registered"].astype("boolean").fillna(False) & households["exited"].astype("boolean").fillna(
        False
    )
    year = households["exit_year"].astype("Int64")
    known = year.notna() & (year <= survey_year)
    cohort = year.astype("string").where(known.fillna(False), UNKNOWN_YEAR)
    return cohort.where(exited.to_numpy(dtype=bool), pd.NA).astype("string")


def cohort_table(
    design: SurveyDesign,
    rates: Mapping[str, tuple[str, str | None]],
    *,
    level: float,
    proportion_interval: str,
) -> pd.DataFrame:
    """Return rates by exit cohort and over all exited households, as a tidy table.

    Parameters
    ----------
    design : SurveyDesign
        Design whose data hold :data:`EXIT_COHORT` (:func:`exit_cohorts`) and the rates' columns.
    rates : dict
        Rate name -> (numerator column, denominator column or ``None`` for the share of exited
        households). Domain estimates on the full design (:func:`~.survey.ratio_by`).
    level : float
        Confidence level.
    proportion_interval : str
        ``korn_graubard`` or ``wald`` (:func:`~.survey.domain_proportion_intervals`).

    Returns
    -------
    DataFrame
        ``exit_cohort`` (``all`` first, then the years, ``unknown`` last), ``rate``, ``estimate``,
        ``se``, ``ci_low``, ``ci_high``, ``n_denominator``, and ``deff`` and ``n_effective`` where the
        design reports design effects.
    """
    cohort = design.data[EXIT_COHORT].astype("string")
    everyone = design.assign(_all_exited=cohort.notna().map({True: ALL_EXITED, False: pd.NA}).astype("string"))
    tables = []
    for name, (numerator, denominator) in rates.items():
        for by, ds in ((EXIT_COHORT, design), ("_all_exited", everyone)):
            table = ratio_by(ds, numerator, denominator, by, level=level).rename(columns={by: EXIT_COHORT})
            tables.append(table.assign(rate=name))
    columns = [EXIT_COHORT, "rate", "estimate", "se", "ci_low", "ci_high", "n_denominator"]
    if not tables:
        return pd.DataFrame(columns=columns)
    out = domain_proportion_intervals(
        pd.concat(tables, ignore_index=True), method=proportion_interval, design=design, level=level
    )
    order = {name: i for i, name in enumerate(rates)}
    key = out[EXIT_COHORT].map(lambda c: (0, "") if c == ALL_EXITED else (2, "") if c == UNKNOWN_YEAR else (1, c))
    out = out.assign(_rate=out["rate"].map(order), _cohort=key).sort_values(["_rate", "_cohort"], kind="stable")
    columns += [c for c in ("deff", "n_effective") if c in out.columns]
    return out[columns].reset_index(drop=True)

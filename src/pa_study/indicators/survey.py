"""Survey designs of the cleaned tables and the estimation helpers all families share."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd

from pa_study.design import CALIBRATION_MARGINS, FPC, FPC_GROUP, GROUP, PSU, STRATUM, WEIGHT
from pa_study.errors import InputError
from pa_study.indicators.output import estimate_from_row
from pa_study.stats import (
    Estimate,
    RegressionResult,
    StatsInputError,
    SurveyDesign,
    korn_graubard_interval,
    logit_interval,
)
from pa_study.stats.survey import LonelyPSU

_ONE = "_one"
_HOUSEHOLD = "_household"
_DOMAIN = "_domain"


def as_float(column: pd.Series) -> np.ndarray:
    """Return a numeric or boolean column as float64, missing values as NaN."""
    return column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def required_table(tables: Mapping[str, pd.DataFrame | None], instrument: str) -> pd.DataFrame:
    """Return a cleaned table a family cannot do without.

    Raises
    ------
    InputError
        When the county did not collect it (:func:`pa_study.indicators.run.family_result` skips a
        family before that happens).
    """
    table = tables.get(instrument)
    if table is None:
        raise InputError(f"the cleaned {instrument} table is missing; the county must collect it")
    return table


def baseline_household_size(households: pd.DataFrame) -> tuple[np.ndarray, int]:
    """Return the household size of the baseline year (``hh_size_base`` where recalled, else the
    survey year's ``hh_size``) and the number of households that fell back on the survey year's."""
    size = as_float(households["hh_size"])
    if "hh_size_base" not in households.columns:
        return size, int(np.isfinite(size).sum())
    recalled = as_float(households["hh_size_base"])
    fallback = np.isnan(recalled) & np.isfinite(size)
    return np.where(fallback, size, recalled), int(fallback.sum())


def household_size(households: pd.DataFrame, *, suffix: str = "") -> np.ndarray:
    """Return the household size of the survey year, or with ``suffix`` ``"_base"`` of the baseline
    year (:func:`baseline_household_size`): the members an income of that year is shared by."""
    return baseline_household_size(households)[0] if suffix == "_base" else as_float(households["hh_size"])


def per_member_sum(households: pd.DataFrame, columns: Sequence[str], *, suffix: str = "") -> np.ndarray:
    """Return the sum of ``columns`` (each with ``suffix``, e.g. ``_base``) per member of that year's
    household (:func:`household_size`); NaN where any of them is missing."""
    total = np.column_stack([as_float(households[f"{c}{suffix}"]) for c in columns]).sum(axis=1)
    return total / household_size(households, suffix=suffix)


def household_design(
    households: pd.DataFrame, *, lonely_psu: LonelyPSU, like: SurveyDesign | None = None
) -> SurveyDesign:
    """Return the two-stage design of the cleaned household sample.

    Townships are strata and villages PSUs sampled without replacement (``fpc_villages``, the
    township's villages in the frame); within each sampled village households are drawn from
    their ``design_group`` (the register list or the other households, or the whole village)
    without replacement (``fpc_households``, the group's households in the frame). The variance
    adds both stages, each with its finite-population correction, as R's
    ``svydesign(ids=~psu+household, strata=~stratum+design_group, fpc=~fpc_villages+fpc_households,
    weights=~weight, nest=TRUE)`` (``svyrecvar``); the first-stage correction alone would shrink the
    within-village variance too (issue 9). Every row is one household.

    Parameters
    ----------
    households : DataFrame
        Cleaned households (or a slice of their columns that keeps the design columns).
    lonely_psu : str
        ``adjust``, ``certainty`` or ``error`` for a township with one sampled village, or a
        village group with one sampled household.
    like : SurveyDesign, optional
        A household design of the same rows (built by this function from the same table, or a
        table derived from it row for row): its stages are reused
        (:meth:`~pa_study.stats.SurveyDesign.with_data`) instead of read again, which is most of
        what a design costs at a million households; weights, calibration and design effects are
        those of ``households``, as without it.

    Returns
    -------
    SurveyDesign

    Raises
    ------
    InputError
        A design column is absent, or the design itself is unusable (naming why).
    """
    absent = [c for c in (STRATUM, PSU, FPC, GROUP, FPC_GROUP, WEIGHT) if c not in households.columns]
    if absent:
        raise InputError(
            f"the cleaned household table lacks the design column(s) {absent}; re-run the clean stage", column=absent[0]
        )
    data = households.reset_index(drop=True).assign(**{_HOUSEHOLD: np.arange(len(households))})
    try:
        design = (
            like.with_data(data)
            if like is not None
            else SurveyDesign(
                data,
                weight=WEIGHT,
                strata=[STRATUM, GROUP],
                psu=[PSU, _HOUSEHOLD],
                fpc=[FPC, FPC_GROUP],
                lonely_psu=lonely_psu,
            )
        )
    except StatsInputError as exc:
        sample = (
            f"{len(households)} usable household(s) in {households[PSU].nunique()} village(s) of "
            f"{households[STRATUM].nunique()} township(s)"
        )
        raise InputError(
            f"cannot build the household survey design from {sample}: {exc}; design-based standard errors "
            "need at least two sampled villages"
        ) from None
    return _calibrated_design(design, data)


def _calibrated_design(design: SurveyDesign, data: pd.DataFrame) -> SurveyDesign:
    """``design`` raked to the register's counts when ``data`` holds the calibrated sample, with
    its design effects."""
    if holds_calibrated_sample(data):
        margins = {
            column: data.groupby(column)[total].first().astype(float) for column, total in CALIBRATION_MARGINS.items()
        }
        try:
            design = design.rake(margins)
        except StatsInputError as exc:
            raise InputError(f"cannot calibrate the household weights to the register counts: {exc}") from None
    return with_design_effects(design)


def holds_calibrated_sample(data: pd.DataFrame) -> bool:
    """Whether ``data`` is the whole sample of a county calibrated to the register's counts
    (``design.calibration``), with its calibrated household weights: every row in a category of
    both margins (township, register status) and each category's weights summing to its count.

    Only then does the design carry the raking into its variances (R's ``rake``, which leaves these
    weights as they are). A part of the sample, or weights that count persons (weight x household
    size), keep the calibrated weights of the cleaned table but the variance of the design without
    calibration: wider where township or register status explains the outcome, as a subset of R's
    calibrated design is not. The families estimate on domains of the whole sample, so their
    household counts carry the calibration.
    """
    for column, total in CALIBRATION_MARGINS.items():
        if column not in data.columns or data[column].isna().any():
            return False
        sums = data.groupby(column).agg(weight=(WEIGHT, "sum"), total=(total, "first"))
        if not np.allclose(sums["weight"].astype(float), sums["total"].astype(float), rtol=1e-8, atol=0):
            return False
    return True


def with_design_effects(design: SurveyDesign) -> SurveyDesign:
    """Return ``design`` reporting design effects with its estimates (:func:`design_effects_kind`)."""
    return design.with_design_effects(design_effects_kind(design))


def design_effects_kind(design: SurveyDesign) -> bool | str:
    """Which design effect a design's estimates report: against simple random sampling without
    replacement when the weights are inverse inclusion probabilities (they sum to more units than
    were sampled), with replacement when they are not (equal weights of 1); none for a census,
    which has no sampling variance to compare."""
    if design.fully_enumerated:
        return False
    return True if design.weights.sum() > design.n else "replace"


def respondent_design(frame: pd.DataFrame, *, census: bool = False) -> SurveyDesign:
    """Return an equal-weight design with every row its own PSU.

    ``census=False`` treats the rows as a simple random sample (with replacement), as for the
    cadre survey, which has no sampling frame; ``census=True`` as the whole population (the
    project ledger lists every project), so estimates carry no sampling error.
    """
    data = frame.reset_index(drop=True).assign(**{_ONE: 1.0})
    if census:
        return SurveyDesign(data.assign(_population=float(len(data))), weight=_ONE, fpc="_population")
    return with_design_effects(SurveyDesign(data, weight=_ONE))


def ratio_by(design: SurveyDesign, numerator: str, denominator: str | None, by: str, *, level: float) -> pd.DataFrame:
    """Ratio of totals (a mean when ``denominator`` is ``None``) in each domain of ``by``.

    Domains are estimated on the full design (not by subsetting). Domains in which the
    denominator has no weight (no exited household in a township, say) are left out rather
    than failing the whole table; rows with a missing numerator or denominator do not count.

    Returns
    -------
    DataFrame
        ``by``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n_denominator`` (sampled rows
        with a positive denominator), ``df`` (the domain's degrees of freedom: a township's own
        ``#villages - 1``), and, where the design reports design effects, ``deff``,
        ``n_effective`` (``n_denominator / deff``) and ``kish_deff`` (of the weights of the rows
        in the denominator); empty when no domain qualifies.
    """
    data = design.data
    num = as_float(data[numerator])
    den = np.ones(len(data)) if denominator is None else as_float(data[denominator])
    counted = ~np.isnan(num) & ~np.isnan(den) & (den != 0)
    # Domains are coded once, as integers: grouping a million strings again for every count
    # costs more than the estimates.
    codes, labels = pd.factorize(data[by].astype("string"), sort=True)
    rows = np.flatnonzero(codes >= 0)
    counts = pd.Series(np.bincount(codes[rows], weights=counted[rows], minlength=len(labels)), index=labels)
    kept = np.flatnonzero(counts.to_numpy() > 0)
    columns = [by, "estimate", "se", "ci_low", "ci_high", "n_denominator", "df"]
    if not kept.size:
        return pd.DataFrame(columns=columns)
    renumbered = np.full(len(labels) + 1, -1)
    renumbered[kept] = np.arange(kept.size)
    domain = pd.Categorical.from_codes(renumbered[codes], categories=labels[kept])
    ds = design.assign(**{_DOMAIN: domain, "_num": num, "_den": den})
    table = cast(pd.DataFrame, ds.ratio("_num", "_den", by=_DOMAIN, na_rm=True, level=level))
    table = table.rename(columns={_DOMAIN: by}).drop(columns="n")
    table["n_denominator"] = table[by].map(counts).astype(int)
    if "deff" in table.columns:
        table["n_effective"] = table["n_denominator"] / table["deff"]
        weights = pd.Series(np.where(counted, design.weights, 0.0)[rows])
        sums = pd.DataFrame({"squares": weights**2, "weights": weights}).groupby(codes[rows]).sum()
        sums.index = labels[sums.index]
        kish = counts * sums["squares"] / sums["weights"] ** 2
        table["kish_deff"] = table[by].map(kish)
        columns += ["deff", "n_effective", "kish_deff"]
    return table[columns]


def mean_estimate(design: SurveyDesign, column: str, *, level: float) -> Estimate:
    """Design-based mean of ``column`` over its observed rows, as an :class:`Estimate`."""
    return cast(Estimate, design.mean(column, na_rm=True, level=level))


def ratio_estimate(design: SurveyDesign, numerator: str, denominator: str, *, level: float) -> Estimate:
    """Design-based ratio of totals over rows where both columns are observed."""
    return cast(Estimate, design.ratio(numerator, denominator, na_rm=True, level=level))


def coefficient(fit: RegressionResult, term: str) -> Estimate:
    """Return one regression coefficient as an :class:`Estimate` (``n`` = rows in the fit), with
    its design effect when the fit has them."""
    ci = fit.conf_int()
    extra = {}
    if fit.deff is not None:
        deff = float(fit.deff[term])
        extra = {"deff": deff, "n_effective": fit.n / deff if deff > 0 else np.nan}
    return Estimate(
        name=f"{fit.formula}: {term}",
        estimate=float(fit.params[term]),
        se=float(fit.se[term]),
        ci_low=float(ci.at[term, "ci_low"]),
        ci_high=float(ci.at[term, "ci_high"]),
        n=fit.n,
        df=fit.df,
        level=fit.level,
        extra=extra,
    )


def group_difference(design: SurveyDesign, outcome: str, group: str, *, level: float) -> Estimate:
    """Difference in the design-based mean of ``outcome`` between ``group == 1`` and ``group == 0``.

    The slope of a survey-weighted regression of the outcome on the 0/1 group indicator, which
    equals the difference of the two domain means with its linearisation SE; rows with a missing
    outcome or group are out of both domains (restrict to a sub-population by setting the
    outcome to missing outside it). ``extra["n_smallest_group"]`` counts the smaller group.
    """
    fit = design.regression(f"{outcome} ~ {group}", na_rm=True, level=level)
    data = design.data
    used = data[outcome].notna() & data[group].notna()
    smallest = int(min((data.loc[used, group] == 1).sum(), (data.loc[used, group] == 0).sum()))
    estimate = coefficient(fit, group)
    return dataclasses.replace(estimate, extra={**estimate.extra, "n_smallest_group": smallest})


def proportion_interval(estimate: Estimate, *, method: str, design: SurveyDesign) -> Estimate:
    """Return a proportion with its interval by ``method`` (``korn_graubard`` or ``wald``).

    ``korn_graubard`` replaces the Wald limits by :func:`pa_study.stats.korn_graubard_interval`
    on the proportion's ``n`` (units in its denominator) and the design's degrees of freedom; with
    no event observed, on ``n`` over the Kish design effect of those units' weights (carried by the
    estimate as ``kish_deff``). The effective sample size never exceeds ``n`` (``truncate``: a rare
    proportion's design effect below 1 is noise, and the NCHS standards count it as 1). A census
    (:attr:`~pa_study.stats.SurveyDesign.fully_enumerated`) keeps its interval of zero width: its
    proportions are the population's, with no sampling error to allow for.
    """
    if method == "wald" or design.fully_enumerated:
        return estimate
    kish = float(estimate.extra.get("kish_deff", 1.0))
    low, high = korn_graubard_interval(
        estimate.estimate, estimate.se, estimate.n, design.df, estimate.level, kish_deff=max(kish, 1.0), truncate=True
    )
    return dataclasses.replace(
        estimate, ci_low=low, ci_high=high, extra={**estimate.extra, "interval": "korn_graubard"}
    )


def bounded_interval(
    estimate: Estimate,
    *,
    design: SurveyDesign,
    lower: float = 0.0,
    upper: float = 1.0,
    at_bound: tuple[float, float] | None = None,
) -> Estimate:
    """Return a bounded estimate that is not a share of units (FGT P1 and P2, the Alkire-Foster M0,
    F1, Cohen's kappa, the composite incidence) with limits inside ``[lower, upper]``.

    The limits are built on the logit scale (:func:`pa_study.stats.logit_interval`) with the
    design's degrees of freedom. On a bound, or without sampling error, the transform is undefined:
    the limits are then ``at_bound`` when given (a poverty gap of zero is bounded by its headcount's
    interval, as P2 <= P1 <= P0 and M0 <= H), else the point. A census keeps its interval of zero
    width, as :func:`proportion_interval` does.
    """
    if design.fully_enumerated:
        return estimate
    df = estimate.df if estimate.df is not None else design.df
    low, high = logit_interval(estimate.estimate, estimate.se, df, estimate.level, lower=lower, upper=upper)
    if low == high and at_bound is not None:
        low, high = at_bound
    return dataclasses.replace(estimate, ci_low=low, ci_high=high, extra={**estimate.extra, "interval": "logit"})


def domain_proportion_intervals(
    table: pd.DataFrame, *, method: str, design: SurveyDesign, level: float
) -> pd.DataFrame:
    """Return a :func:`ratio_by` table of proportions with each row's interval by ``method``.

    ``korn_graubard`` replaces the Wald limits by :func:`pa_study.stats.korn_graubard_interval` on
    the row's ``n_denominator`` (over its ``kish_deff`` when no event is observed) and the row's
    degrees of freedom (the domain's: a township's own); ``wald`` keeps them, and so does a census
    (:attr:`~pa_study.stats.SurveyDesign.fully_enumerated`), as :func:`proportion_interval`.
    """
    if method == "wald" or design.fully_enumerated or table.empty:
        return table
    out = table.copy()
    rows = out.to_dict("records")
    limits = [
        korn_graubard_interval(
            float(r["estimate"]),
            float(r["se"]),
            int(r["n_denominator"]),
            float(r.get("df", design.df)),
            level,
            kish_deff=max(float(r.get("kish_deff", 1.0)), 1.0),
            truncate=True,
        )
        for r in rows
    ]
    out[["ci_low", "ci_high"]] = limits
    return out


def counting_design(frame: pd.DataFrame, *, unit: str, lonely_psu: LonelyPSU) -> SurveyDesign:
    """Return the household design counting ``persons`` (weight × household size) or ``households``.

    Poverty measures count persons (each member of a household shares its per-capita income);
    ``frame`` needs ``hh_size`` for persons.
    """
    if unit == "persons":
        frame = frame.assign(**{WEIGHT: as_float(frame[WEIGHT]) * as_float(frame["hh_size"])})
    return household_design(frame, lonely_psu=lonely_psu)


def proportion_estimate(
    design: SurveyDesign, numerator: str, denominator: str | None, *, level: float, method: str
) -> Estimate | None:
    """Return a proportion over the sampled rows of its domain, with the interval by ``method``.

    The domain is the rows where ``numerator`` is observed (and ``denominator`` positive, when
    given); ``n`` counts them, as :func:`proportion_interval` needs. None when the domain is empty.
    """
    table = ratio_by(design.assign(_everyone="all"), numerator, denominator, "_everyone", level=level)
    if table.empty:
        return None
    row = domain_proportion_intervals(table, method=method, design=design, level=level).iloc[0]
    # The design effects ratio_by reports for the domain travel with the estimate to its headline row.
    df = int(row["df"]) if "df" in row and pd.notna(row["df"]) else design.df
    return dataclasses.replace(estimate_from_row(row, numerator), df=df, level=level)


def varying_columns(frame: pd.DataFrame, columns: list[str]) -> tuple[list[str], list[str]]:
    """Split ``columns`` into those that vary in ``frame`` and those that do not.

    A constant regressor (a question nobody answered yes to in a county, say) is collinear with
    the intercept and would stop every model it enters; callers leave it out and say so.
    """
    varying = [c for c in columns if frame[c].nunique(dropna=True) > 1]
    return varying, [c for c in columns if c not in varying]

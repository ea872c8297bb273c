"""Targeting of the register as Coady, Grosh & Hoddinott (2004) and the World Bank's ADePT measure it.

The register judged is the current one (registered and not exited): a correct exit is then not an
error. Need is judged by income before transfers by default (``welfare: pre_transfer``), so that a
household lifted above the line by transfers does not count as wrongly registered; both versions
are estimated. Coverage and the distribution of beneficiaries by welfare quantile group need no
poverty line at all. The registration check judges registration by the line and income of the year
registration looked at; registration worked under county quotas (规模控制), so part of any exclusion
error at registration is by design.

References
----------
Coady, D., Grosh, M. and Hoddinott, J. (2004). Targeting of Transfers in Developing Countries.
World Bank. World Bank (2012). ADePT Social Protection: user's guide (coverage and beneficiary
incidence by quintile of pre-transfer welfare).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from pa_study.indicators.identification.exit import unit_weights
from pa_study.indicators.identification.settings import IdentificationSettings
from pa_study.indicators.output import estimate_from_row, estimate_table
from pa_study.indicators.survey import (
    bounded_interval,
    domain_proportion_intervals,
    household_design,
    proportion_interval,
    ratio_by,
    ratio_estimate,
)
from pa_study.stats import Estimate, SurveyDesign, targeting_errors

WELFARE = ("pre_transfer", "post_transfer")
#: Eligibility column of the identification frame for each welfare measure.
ELIGIBLE = {"pre_transfer": "eligible_pre", "post_transfer": "eligible_post"}
#: name -> (label, definition) of every targeting rate.
TARGETING_RATES: dict[str, tuple[str, str]] = {
    "eligible_share": ("符合识别标准的农户比例 eligible households", "eligible households ÷ all households (weighted)"),
    "registered_share": ("建档立卡户比例 ever-registered households", "ever-registered households ÷ all households"),
    "current_share": ("在册贫困户比例 households on the current register", "registered, not exited ÷ all households"),
    "inclusion_error": (
        "错评率（在册）inclusion error, current register",
        "not eligible ÷ households on the current register (registered, not exited)",
    ),
    "inclusion_error_ever": (
        "错评率（全部建档立卡）inclusion error, ever registered",
        "not eligible ÷ all ever-registered households (a correct exit counts as an error)",
    ),
    "exclusion_error": (
        "漏保率 exclusion error, current register",
        "eligible but not on the current register ÷ eligible households",
    ),
    "accuracy": ("识别准确率 accuracy", "share of households whose current registration matches eligibility"),
    "precision": ("precision", "eligible ÷ households on the current register (1 - inclusion error)"),
    "recall": ("recall (coverage of the eligible)", "on the current register ÷ eligible households"),
    "f1": ("F1", "harmonic mean of precision and recall"),
    "kappa": ("Cohen's kappa", "agreement of the current register with eligibility beyond chance"),
}
_WELFARE_WORDS = {
    "pre_transfer": "income before transfers (total minus transfer income)",
    "post_transfer": "income after transfers",
}


_REGISTRATION_RATES = ("inclusion_error", "exclusion_error", "accuracy", "kappa")


def welfare_words(welfare: str) -> str:
    """How a welfare measure is named in labels and definitions."""
    return _WELFARE_WORDS[welfare]


def targeting_rates(
    design: SurveyDesign, eligible: np.ndarray, *, level: float, method: str, domain: np.ndarray | None = None
) -> tuple[dict[str, Estimate], list[str]]:
    """Return the rates of :data:`TARGETING_RATES` of the current register against ``eligible``.

    Proportions carry the configured proportion interval, F1 and kappa logit-scale limits inside
    their ranges ([0, 1] and [-1, 1]). Rates undefined in the sample (an empty denominator, kappa
    without variation) are left out with a note starting with the rate's name; the others are kept.
    ``domain`` (0/1 per row, default every row) marks the households the rates describe; the others
    stay in the design with zero influence (R's ``subset(design, ...)``) and may lack indicators.
    """
    data = design.data
    inside = np.ones(len(data)) if domain is None else np.asarray(domain, dtype=float)
    within = inside > 0
    registered = np.where(within, data["registered"].to_numpy(dtype=float), 0.0)
    current = np.where(within, data["current"].to_numpy(dtype=float), 0.0)
    elig = np.where(within, eligible, 0.0)
    ds = design.assign(_elig=elig, _reg=registered, _cur=current, _all=inside, _fp=registered * (1 - elig))
    shares = cast(pd.DataFrame, ds.ratio(["_elig", "_reg", "_cur"], "_all", level=level))
    rates = {
        name: estimate_from_row(shares.iloc[i], name, n=int(np.count_nonzero(within)))
        for i, name in enumerate(("eligible_share", "registered_share", "current_share"))
    }
    notes = []
    if registered.any():
        ever = ratio_estimate(ds, "_fp", "_reg", level=level)
        rates["inclusion_error_ever"] = dataclasses.replace(ever, n=int(registered.sum()))
    result = targeting_errors(current, elig, design=design, level=level, undefined="omit", domain=inside)
    rates |= {name: result.rates[name] for name in TARGETING_RATES if name in result.rates}
    notes += [
        f"{name} is undefined against the current register: {why}"
        for name, why in result.undefined.items()
        if name in TARGETING_RATES
    ]
    bounds = {"f1": (0.0, 1.0), "kappa": (-1.0, 1.0)}
    return {
        name: bounded_interval(e, design=design, lower=bounds[name][0], upper=bounds[name][1])
        if name in bounds
        else proportion_interval(e, method=method, design=design)
        for name, e in rates.items()
    }, notes


def rates_table(rates: Mapping[str, Estimate], **keys: Any) -> pd.DataFrame:
    """Tidy rows (keys, rate, estimate, se, ci, n) of :func:`targeting_rates`, in their table order."""
    rows = [({**keys, "rate": name}, rates[name]) for name in TARGETING_RATES if name in rates]
    return estimate_table(rows)


def coverage_table(
    frame: pd.DataFrame, settings: IdentificationSettings, *, like: SurveyDesign | None = None
) -> pd.DataFrame:
    """Return coverage and the distribution of beneficiaries by pre-transfer welfare group (ADePT).

    Persons are ranked by per-capita income before transfers and cut into ``quantile_groups``
    groups of equal weighted population (quintiles by default; cut points from the weighted
    distribution, treated as fixed). For the current and the ever register: ``coverage``, the share
    of the group's persons in registered households; ``beneficiary_share``, the share of the
    register's persons that falls in the group (its shares in the upper groups are the leakage).
    ``like``: the household design of ``frame``, whose stages to reuse.

    Returns
    -------
    DataFrame
        ``register``, ``group`` (1 poorest), ``upper_limit`` (yuan; empty for the top group),
        ``measure``, ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n`` (sampled households in the
        denominator).
    """
    groups = settings.identification.quantile_groups
    level = settings.level
    persons = household_design(unit_weights(frame, "persons"), lonely_psu=settings.lonely_psu, like=like)
    # The weighted distribution's quantiles (svyquantile's default rule): a person at a cut point
    # belongs to the group below it, as Stata's xtile and ADePT assign them.
    # Households outside the family's domain have no income here: out of the quantiles and groups.
    probabilities = list(np.arange(1, groups) / groups)
    cuts = cast(pd.DataFrame, persons.quantile("income_pc_pre", probabilities, na_rm=True, level=level))
    cuts = cuts["estimate"].to_numpy()
    income = persons.data["income_pc_pre"].to_numpy(dtype=float)
    group = np.searchsorted(cuts, income, side="left") + 1
    design = persons.assign(_group=pd.Series(group.astype(str)).where(~np.isnan(income)).astype("string"))
    rows = []
    for register, name in (("current", "current"), ("registered", "ever")):
        ds = design.assign(_reg=design.data[register].to_numpy())
        cover = ratio_by(ds, "_reg", None, "_group", level=level)
        cover = domain_proportion_intervals(cover, method=settings.proportion_interval, design=design, level=level)
        rows.append(
            cover.rename(columns={"n_denominator": "n"})
            .assign(register=name, measure="coverage", group=cover["_group"].astype(int))
            .drop(columns="_group")
        )
        n_registered = int((ds.data["_reg"] == 1).sum())
        shares = []
        for g in range(1, groups + 1) if n_registered else ():
            share = ratio_estimate(ds.assign(_in=ds.data["_reg"] * (group == g)), "_in", "_reg", level=level)
            share = dataclasses.replace(share, n=n_registered)
            keys = {"register": name, "group": g, "measure": "beneficiary_share"}
            shares.append((keys, proportion_interval(share, method=settings.proportion_interval, design=design)))
        if shares:
            rows.append(estimate_table(shares))
    table = pd.concat(rows, ignore_index=True)
    limits = dict(enumerate(cuts, start=1))
    table["upper_limit"] = table["group"].map(limits)
    columns = ["register", "group", "upper_limit", "measure", "estimate", "se", "ci_low", "ci_high", "n"]
    order = {"coverage": 0, "beneficiary_share": 1}
    table = table.assign(_m=table["measure"].map(order)).sort_values(["register", "_m", "group"], kind="stable")
    return table[columns].reset_index(drop=True)


def registration_check(
    frame: pd.DataFrame, settings: IdentificationSettings, *, like: SurveyDesign | None = None
) -> tuple[pd.DataFrame, list[str], set[int]]:
    """Return the errors of registration against the income registration judged, and the years whose
    lines were used.

    Two references. ``register``: the income the information system recorded at registration
    (``income_at_registration_pc``, of the year ``registration_income_lag`` before registration)
    against that year's line; it exists for registered households only, so it gives the inclusion
    error alone. ``baseline_recall``: the baseline-year income recalled in the survey against the
    baseline year's line, for every household (inclusion and exclusion errors, accuracy, kappa), a
    proxy for the income registration judged. Errors count households. Registration filled county
    quotas (规模控制), so part of any exclusion error is by design. ``like``: the household design of
    ``frame``, whose stages to reuse.
    """
    options, level, method = settings.identification, settings.level, settings.proportion_interval
    tables, notes, years = [], [], set()
    recorded = frame[(frame["registered"] == 1) & frame["income_at_registration_pc"].notna()]
    recorded = recorded[recorded["registration_year"].notna()]
    if len(recorded) >= settings.min_sample.group:
        judged_year = (recorded["registration_year"] - options.registration_income_lag).astype(int)
        lines = {int(y): settings.poverty_line(int(y)) for y in sorted(set(judged_year))}
        years |= set(lines)
        ds = household_design(frame, lonely_psu=settings.lonely_psu, like=like)
        known = frame.index.isin(recorded.index).astype(float)
        line = pd.Series(judged_year.map(lines).to_numpy(), index=recorded.index).reindex(frame.index)
        not_poor = (frame["income_at_registration_pc"] >= line).astype(float) * known
        ds = ds.assign(_known=known, _not_poor=not_poor.to_numpy())
        inclusion = dataclasses.replace(ratio_estimate(ds, "_not_poor", "_known", level=level), n=int(known.sum()))
        reference = (
            "income recorded at registration against the line of the year it judged ("
            + ", ".join(f"{y}: {v:g}" for y, v in lines.items())
            + ")"
        )
        tables.append(
            estimate_table(
                [
                    (
                        {
                            "basis": "register",
                            "reference": reference,
                            "year": np.nan,
                            "line": np.nan,
                            "rate": "inclusion_error",
                        },
                        proportion_interval(inclusion, method=method, design=ds),
                    )
                ]
            )
        )
    elif frame["income_at_registration_pc"].notna().any():
        notes.append(
            f"registration check on the register's records skipped: {len(recorded)} registered households "
            f"have a recorded income and year, fewer than {settings.min_sample.group}"
        )
    year = settings.study.baseline_year
    line = settings.poverty_line(year)
    # The households reporting baseline income are a domain of the whole sample's design, not a
    # design of their own: the others keep their place in it (R's subset(design, ...)).
    known = frame["income_pc_base"].notna().to_numpy()
    if known.sum() < settings.min_sample.households:
        notes.append(f"registration check on recalled income skipped: {known.sum()} households report baseline income")
    else:
        years.add(year)
        design = household_design(frame, lonely_psu=settings.lonely_psu, like=like)
        poor = np.where(known, frame["income_pc_base"].to_numpy(dtype=float, na_value=np.nan) < line, 0.0)
        result = targeting_errors(
            frame["registered"].to_numpy(), poor, design=design, level=level, undefined="omit", domain=known
        )
        notes += [
            f"registration check on recalled income: {name} undefined: {why}"
            for name, why in result.undefined.items()
            if name in _REGISTRATION_RATES
        ]
        keys = {
            "basis": "baseline_recall",
            "reference": f"income of {year} recalled in the survey against the {year} line (a proxy for the "
            "income registration judged)",
            "year": year,
            "line": line,
        }
        rows = [
            (
                {**keys, "rate": name},
                bounded_interval(result.rates[name], design=design, lower=-1.0)
                if name == "kappa"
                else proportion_interval(result.rates[name], method=method, design=design),
            )
            for name in _REGISTRATION_RATES
            if name in result.rates
        ]
        tables.append(estimate_table(rows))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return table, notes, years

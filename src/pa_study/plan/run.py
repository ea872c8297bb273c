"""A county's plan for its next survey, from the current survey's own design information.

For each exit criterion with a threshold (错退率, 漏评率: the rates a family declares units for,
:attr:`~pa_study.indicators.family.IndicatorFamily.threshold_units`), the current sample is
described by its sampled units per village, the intra-village correlation of the rate's outcome
(estimated from the data, :func:`~pa_study.stats.planning.intraclass_correlation`) and Kish's
design effect of its weights; for each planned true rate the plan gives the power of the current
sample and the villages and households needed for the verdict the indicators would give (certify
a rate below the threshold, or detect one above it) with the wanted power, keeping the current
households per village and at the optimum for the configured cost ratio, each checked by
simulating that survey (:mod:`pa_study.stats.planning`). For effects and for contrasts between
counties the plan gives the minimum detectable effect at the current sample and the sample needed
for a wanted one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import Codebook
from pa_study.design import PSU, STRATUM, WEIGHT
from pa_study.errors import InputError
from pa_study.files import read_json, write_json
from pa_study.indicators.family import CleanedTables
from pa_study.indicators.output import json_ready
from pa_study.indicators.registry import indicator_family
from pa_study.indicators.run import cleaned_tables
from pa_study.plan.settings import PlanSettings
from pa_study.stats import StatsInputError, SurveyDesign, kish_deff, minimum_detectable_effect
from pa_study.stats.planning import (
    ClusterDesign,
    intraclass_correlation,
    mde_sample_factor,
    optimal_cluster_size,
    rate_of_homogeneity,
    simulated_verdict_power,
    verdict_power,
    verdict_sample_size,
)
from pa_study.stats.thresholds import OPERATORS

#: Seed of the simulations that check each planned design (a rerun gives the same figures).
SEED = 20201231


@dataclass(frozen=True)
class RateDesign:
    """What the current sample says about one threshold rate's design.

    Attributes
    ----------
    rate : str
        The headline name (``wrongful_exit_rate``).
    threshold : float
        The criterion's threshold; ``operator`` its direction (``<``).
    estimate : float or None
        The current estimate (None where it was not made or was suppressed).
    n : int
        Sampled units in the rate's denominator.
    villages : int
        Sampled villages holding them; ``strata`` the townships of the household sample.
    per_village : float
        Units per village (``n / villages``).
    rho : float
        Intra-village correlation used for the plan: the ANOVA estimate, or 0 where it is negative
        or cannot be estimated (``rho_estimated`` keeps the estimate, NaN when there was none).
    weighting_deff : float
        Kish's design effect of the units' weights.
    deff : float or None
        The design effect of the current estimate against simple random sampling; ``rho_from_deff``
        the rate of homogeneity it implies (a cross-check of ``rho``).
    """

    rate: str
    threshold: float
    operator: str
    estimate: float | None
    n: int
    villages: int
    strata: int
    per_village: float
    rho: float
    rho_estimated: float
    weighting_deff: float
    deff: float | None
    rho_from_deff: float | None

    @property
    def current(self) -> ClusterDesign:
        """The current sample as a :class:`~pa_study.stats.planning.ClusterDesign`."""
        return ClusterDesign(self.villages, self.per_village, self.rho, self.weighting_deff, self.strata)


def rate_design(rate: str, units: pd.DataFrame, row: Mapping[str, Any], *, strata: int, villages: int) -> RateDesign:
    """Describe the current sample of one rate from its units (``below``, the design columns) and
    its headline row (threshold, operator, estimate).

    Parameters
    ----------
    rate : str
        The rate's headline name.
    units : DataFrame
        The family's :attr:`~pa_study.indicators.family.IndicatorFamily.threshold_units` of the rate.
    row : dict
        The rate's headline row in the indicator file.
    strata, villages : int
        Townships and villages of the household sample (the design the indicators judge on).
    """
    if units.empty:
        raise InputError(f"{rate}: no sampled unit in its denominator; nothing to plan from")
    below = units["below"].to_numpy(dtype=float)
    estimated = _anova_rho(below, units[PSU].to_numpy())
    rho = estimated if estimated > 0 else 0.0
    n = len(units)
    per_village = n / units[PSU].nunique()
    weights = units[WEIGHT].to_numpy(dtype=float)
    deff = _measured_deff(units)
    return RateDesign(
        rate=rate,
        threshold=float(row["threshold"]),
        operator=str(row.get("threshold_operator") or "<"),
        estimate=None if row.get("estimate") is None else float(row["estimate"]),
        n=n,
        villages=villages,
        strata=strata,
        per_village=n / villages,
        rho=rho,
        rho_estimated=estimated,
        weighting_deff=kish_deff(weights),
        deff=deff,
        rho_from_deff=None if deff is None else rate_of_homogeneity(deff, per_village, kish_deff(weights)),
    )


def _anova_rho(below: np.ndarray, villages: np.ndarray) -> float:
    try:
        return intraclass_correlation(below, villages)
    except StatsInputError:
        return float("nan")


def _measured_deff(units: pd.DataFrame) -> float | None:
    """Design effect of the rate on its own units (villages as PSUs in townships), as R's
    ``svyratio(deff = "replace")``; None where it cannot be estimated (no event, or one village a
    township)."""
    if units["below"].nunique() < 2:
        return None
    try:
        design = SurveyDesign(units.assign(_one=1.0), weight=WEIGHT, strata=STRATUM, psu=PSU, lonely_psu="adjust")
        value = design.ratio("below", "_one", deff="replace").deff
    except StatsInputError:
        return None
    return None if value is None or not math.isfinite(value) else float(value)


def scenario(
    design: RateDesign,
    true_rate: float,
    *,
    power: float,
    level: float,
    interval: str,
    cost_ratio: float,
    simulations: int = 0,
    weights: np.ndarray | None = None,
) -> dict[str, Any]:
    """Plan one rate for one true rate: certify it (when the true rate meets the criterion) or
    detect it failing (when it does not), with ``power``.

    Returns
    -------
    dict
        ``true_rate``, ``verdict`` (``pass`` or ``fail``), ``current_power`` (of the current
        sample), ``sufficient`` (whether that reaches ``power``) and ``designs``: the sample needed
        keeping the current units per village (``current_shape``) and with the optimal number per
        village for ``cost_ratio`` (``optimal``, when ``rho > 0``), each with ``villages``,
        ``per_village``, ``units``, ``deff``, ``power``, ``cost`` (household interviews, a village
        counting ``cost_ratio``) and ``simulated_power`` (share of ``simulations`` simulated
        surveys of that design giving the verdict; absent when ``simulations`` is 0).
    """
    verdict = "pass" if OPERATORS[design.operator](true_rate, design.threshold) else "fail"
    options = {"verdict": verdict, "operator": design.operator, "level": level, "interval": interval}
    current = design.current
    current_power = verdict_power(true_rate, design.threshold, current, **options)
    shapes = {"current_shape": design.per_village}
    optimum = optimal_cluster_size(cost_ratio, design.rho)
    if math.isfinite(optimum):
        shapes["optimal"] = float(max(1, round(optimum)))
    designs = {}
    for shape, per_village in shapes.items():
        plan = verdict_sample_size(
            true_rate,
            design.threshold,
            per_village=per_village,
            rho=design.rho,
            weighting_deff=design.weighting_deff,
            strata=design.strata,
            power=power,
            **options,
        )
        planned = plan.design
        entry = {
            "villages": planned.villages,
            "per_village": per_village,
            "units": math.ceil(planned.n),
            "deff": planned.deff,
            "power": plan.power,
            "cost": planned.cost(cost_ratio),
        }
        if simulations > 0:
            entry["simulated_power"] = _simulated(true_rate, design, planned, options, simulations, weights)
        designs[shape] = entry
    return {
        "true_rate": true_rate,
        "verdict": verdict,
        "current_power": current_power,
        "current_cost": current.cost(cost_ratio),
        "sufficient": current_power >= power,
        "optimal_per_village": optimum if math.isfinite(optimum) else None,
        "designs": designs,
    }


def _simulated(
    true_rate: float,
    design: RateDesign,
    planned: ClusterDesign,
    options: dict[str, Any],
    simulations: int,
    weights: np.ndarray | None,
) -> float:
    """The planned design's power over simulated surveys, the weights resampled from the current units'."""
    rng = np.random.default_rng(SEED)
    count = planned.villages * max(1, round(planned.per_village))
    drawn = None if weights is None else rng.choice(weights, size=count, replace=True)
    return simulated_verdict_power(
        true_rate, design.threshold, planned, weights=drawn, replications=simulations, seed=SEED, **options
    )


def effect_plan(
    row: Mapping[str, Any], target: float, *, power: float, level: float, villages: int, strata: int
) -> dict[str, Any]:
    """Plan an effect on its minimum detectable effect.

    Returns
    -------
    dict
        ``estimate``, ``se``, ``n``, ``df`` (the row's, else ``villages - strata``), ``mde`` at the
        current sample (:func:`~pa_study.stats.minimum_detectable_effect`), the ``target`` MDE,
        the ``factor`` the sample must grow by for it (:func:`~pa_study.stats.planning.mde_sample_factor`,
        more villages of the current size), and the ``households`` and ``villages`` that makes.
    """
    se = float(row["se"])
    df = float(row["df"]) if row.get("df") is not None else float(villages - strata)
    factor = mde_sample_factor(se, target, level=level, power=power, villages=villages, strata=strata)
    return {
        "estimate": float(row["estimate"]),
        "se": se,
        "n": int(row["n"]),
        "df": df,
        "mde": minimum_detectable_effect(se, level, df, power),
        "target": target,
        "factor": factor,
        "households": math.ceil(factor * int(row["n"])),
        "villages": math.ceil(factor * villages),
    }


def contrast_plan(
    row: Mapping[str, Any], other: Mapping[str, Any], target: float, *, power: float, level: float
) -> dict[str, Any] | None:
    """Plan the difference of one headline between two counties (independent samples, judged on
    the normal as the comparison judges it): the MDE now, and the factor both samples must grow by
    for ``target``. None where either estimate is missing or both have no sampling error."""
    if row.get("se") is None or other.get("se") is None:
        return None
    se = math.hypot(float(row["se"]), float(other["se"]))
    if not se > 0:
        return None
    factor = mde_sample_factor(se, target, level=level, power=power)
    return {
        "difference": float(row["estimate"]) - float(other["estimate"]),
        "se": se,
        "mde": minimum_detectable_effect(se, level, None, power),
        "target": target,
        "factor": factor,
        "units": math.ceil(factor * int(row["n"])),
        "units_other": math.ceil(factor * int(other["n"])),
    }


def headline_row(documents: Mapping[str, Mapping[str, Any]], name: str) -> dict[str, Any] | None:
    """The headline row ``name`` among one county's indicator files (family -> document), if estimated."""
    for document in documents.values():
        for row in document.get("headline", []):
            if row["name"] == name and row.get("estimate") is not None and row.get("se") is not None:
                return row
    return None


def rate_designs(
    settings: PlanSettings,
    tables: CleanedTables,
    own: Mapping[str, Mapping[str, Any]],
    rates: Sequence[str],
    notes: list[str],
) -> list[tuple[RateDesign, np.ndarray]]:
    """Return the current design of each of ``rates`` with the weights of its units.

    The rates' units come from the families that declare them
    (:attr:`~pa_study.indicators.family.IndicatorFamily.threshold_units`), their thresholds from the
    county's indicator files (family -> document, ``own``); a rate without either is left out with
    a note in ``notes``.
    """
    households = tables["households"]
    if households is None:
        raise InputError(f"{settings.county} has no household survey: there is no sample to plan from")
    villages, strata = int(households[PSU].nunique()), int(households[STRATUM].nunique())
    found: dict[str, tuple[RateDesign, np.ndarray]] = {}
    for family_name, family_json in settings.families.items():
        family = indicator_family(family_name)
        if family.threshold_units is None:
            continue
        units = family.threshold_units(tables, family.settings_from_json(family_json))
        for rate in rates:
            if rate not in units or rate in found:
                continue
            row = next((r for r in own.get(family_name, {}).get("headline", []) if r["name"] == rate), None)
            if row is None or row.get("threshold") is None:
                notes.append(f"{rate}: no headline row with a threshold in the {family_name} results; not planned")
                continue
            design = rate_design(rate, units[rate], row, strata=strata, villages=villages)
            if design.rho_estimated != design.rho:
                notes.append(
                    f"{rate}: the intra-village correlation is estimated at {design.rho_estimated:.4g}; "
                    "the plan takes 0 (no clustering beyond the weights)"
                )
            found[rate] = (design, units[rate][WEIGHT].to_numpy(dtype=float))
    for rate in rates:
        if rate not in found and not any(rate in note for note in notes):
            notes.append(f"{rate}: no family declares the units of this rate; not planned")
    return [found[rate] for rate in rates if rate in found]


def county_plan(
    settings: PlanSettings, tables: CleanedTables, indicators: Mapping[str, Mapping[str, Mapping[str, Any]]]
) -> dict[str, Any]:
    """Return the plan of ``settings.county`` as the JSON document ``plan.json`` holds.

    Parameters
    ----------
    settings : PlanSettings
        The county's plan settings.
    tables : CleanedTables
        The county's cleaned tables (the households and what the families' units read).
    indicators : dict
        County -> family -> indicator file document, for the county and ``settings.others``.

    Returns
    -------
    dict
        ``county``, ``households``, ``villages``, ``strata``; ``criteria`` (per rate its
        :class:`RateDesign` and a :func:`scenario` per planned true rate), ``effects``
        (:func:`effect_plan`), ``contrasts`` (:func:`contrast_plan` with each other county),
        ``notes`` and the ``settings``.
    """
    options = settings.planning
    power, level = float(options.power), float(settings.level)
    households = tables["households"]
    if households is None:
        raise InputError(f"{settings.county} has no household survey: there is no sample to plan from")
    villages, strata = int(households[PSU].nunique()), int(households[STRATUM].nunique())
    own = indicators[settings.county]
    notes: list[str] = []
    criteria = []
    for design, weights in rate_designs(settings, tables, own, list(options.criteria), notes):
        scenarios = options.criteria[design.rate]
        plans = [
            scenario(
                design,
                float(true_rate),
                power=power,
                level=level,
                interval=settings.proportion_interval,
                cost_ratio=float(options.cost_ratio),
                simulations=options.simulations,
                weights=weights,
            )
            for true_rate in (scenarios.certify, scenarios.detect)
        ]
        criteria.append({**asdict(design), "scenarios": plans})
    effects = []
    for name, target in options.effects.items():
        row = headline_row(own, name)
        if row is None:
            notes.append(f"{name}: not estimated for {settings.county}; its MDE is not planned")
            continue
        plan = effect_plan(row, float(target), power=power, level=level, villages=villages, strata=strata)
        effects.append({"name": name, "label": row.get("label"), **plan})
    contrasts = []
    for name, target in options.contrast_mde.items():
        row = headline_row(own, name)
        for other in settings.others:
            other_row = headline_row(indicators.get(other, {}), name)
            plan = None
            if row is not None and other_row is not None:
                plan = contrast_plan(row, other_row, float(target), power=power, level=level)
            if plan is None:
                notes.append(f"{name}: the contrast of {settings.county} with {other} cannot be planned (no estimate)")
                continue
            contrasts.append({"name": name, "label": row.get("label"), "other": other, **plan})
    return json_ready(
        {
            "county": settings.county,
            "households": len(households),
            "villages": villages,
            "strata": strata,
            "criteria": criteria,
            "effects": effects,
            "contrasts": contrasts,
            "notes": notes,
            "settings": settings.to_dict(),
        }
    )


def plan_inputs(
    settings: PlanSettings,
    clean_dir: str | Path,
    codebook: Codebook,
    indicators: Mapping[str, Mapping[str, str | Path]],
) -> tuple[CleanedTables, dict[str, dict[str, dict[str, Any]]]]:
    """Return what a county's plan reads: its cleaned tables (the instruments of the families whose
    rates it plans) and the indicator documents (county -> family -> document) of ``indicators``
    (county -> family -> file)."""
    instruments = tuple(dict.fromkeys(i for name in settings.families for i in indicator_family(name).instruments))
    tables = CleanedTables(cleaned_tables(clean_dir, instruments or ("households",)), codebook)
    documents = {
        county: {family: read_json(path) for family, path in files.items()} for county, files in indicators.items()
    }
    return tables, documents


def run_plan(
    *,
    settings: PlanSettings,
    clean_dir: str | Path,
    codebook: Codebook,
    indicators: Mapping[str, Mapping[str, str | Path]],
    output: str | Path,
) -> dict[str, Any]:
    """Compute the county's plan from its cleaned tables and the indicator files and write ``plan.json``.

    Parameters
    ----------
    settings : PlanSettings
        The plan settings of the county.
    clean_dir : str or Path
        The county's cleaned tables.
    codebook : Codebook
        The codebook.
    indicators : dict
        County -> family -> indicator file, for the county and the counties it is contrasted with.
    output : str or Path
        The JSON file.
    """
    document = county_plan(settings, *plan_inputs(settings, clean_dir, codebook, indicators))
    write_json(document, output)
    return document

"""Poverty measures of the identification family: FGT indices by registration, and the Alkire-Foster
index over income and the 两不愁三保障 items, at the configured cutoff ``k`` and over a grid of cutoffs.

Intervals stay inside [0, 1]: the headcounts (P0, H) are proportions (Korn-Graubard where
configured), the others (P1, P2, M0) get logit-scale limits; an index of zero is bounded by its
headcount's interval (P2 <= P1 <= P0, M0 <= H).

References
----------
Foster, Greer & Thorbecke (1984), Econometrica 52(3). Alkire & Foster (2011), J. Public Economics
95(7-8); Alkire et al. (2015), Multidimensional Poverty Measurement and Analysis, ch. 5 (robustness
of rankings to k: dominance over the cutoffs).
"""

from __future__ import annotations

from typing import cast

import numpy as np
import pandas as pd

from pa_study.indicators.identification.settings import IdentificationSettings
from pa_study.indicators.output import estimate_from_row, estimate_table
from pa_study.indicators.survey import bounded_interval, proportion_interval
from pa_study.stats import AlkireFosterResult, Estimate, SurveyDesign, alkire_foster, alkire_foster_curve, fgt


def fgt_table(design: SurveyDesign, line: float, settings: IdentificationSettings) -> pd.DataFrame:
    """Return FGT P0, P1, P2 of per-capita income (after transfers) for all, registered and
    unregistered households (counting the design's unit), with intervals inside [0, 1]."""
    level, method = settings.level, settings.proportion_interval
    ds = design.assign(group=np.where(design.data["registered"] == 1, "registered", "unregistered"))
    by_alpha: dict[int, list[tuple[str, Estimate]]] = {}
    for alpha in (0, 1, 2):
        overall = cast(Estimate, fgt("income_pc", line, alpha, design=ds, na_rm=True, level=level))
        by_group = cast(pd.DataFrame, fgt("income_pc", line, alpha, design=ds, by="group", na_rm=True, level=level))
        by_alpha[alpha] = [("all", overall)] + [
            (record["group"], estimate_from_row(record, f"P{alpha}")) for _, record in by_group.iterrows()
        ]
    headcounts = {group: proportion_interval(e, method=method, design=design) for group, e in by_alpha[0]}
    rows = []
    for alpha, estimates in by_alpha.items():
        for group, estimate in estimates:
            if alpha == 0:
                estimate = headcounts[group]
            else:
                bound = (0.0, headcounts[group].ci_high)
                estimate = bounded_interval(estimate, design=design, at_bound=bound)
            rows.append(({"group": group, "measure": f"P{alpha}", "alpha": alpha}, estimate))
    return estimate_table(rows).assign(line=line)


def _af_dimensions(design: SurveyDesign, line: float, settings: IdentificationSettings) -> dict[str, object]:
    """The design with one achievement column per dimension, their cutoffs and normalised weights.

    Achievements: per-capita income (deprived below the line) and, per item, 1 when it passes
    (deprived at 0). An unanswered item is a pass under ``missing_item: not_failed``; otherwise
    the person is left out.
    """
    options = settings.identification
    weights = options.alkire_foster.weights
    data = design.data
    columns, cutoffs = {}, {}
    for dimension in weights:
        if dimension == "income":
            columns["af_income"], cutoffs["af_income"] = data["income_pc"].to_numpy(), line
            continue
        fails = data[f"fails_{dimension}"] if f"fails_{dimension}" in data else pd.Series(np.nan, index=data.index)
        if options.missing_item == "not_failed":
            fails = fails.fillna(0.0)
        columns[f"af_{dimension}"], cutoffs[f"af_{dimension}"] = (1.0 - fails).to_numpy(), 1.0
    total = float(sum(weights.values()))
    return {
        "achievements": list(columns),
        "cutoffs": cutoffs,
        "weights": {f"af_{d}": w / total for d, w in weights.items()},
        "design": design.assign(**columns),
        "na_rm": True,
        "level": settings.level,
    }


def alkire_foster_result(design: SurveyDesign, line: float, settings: IdentificationSettings) -> AlkireFosterResult:
    """Return the Alkire-Foster result (H, A, M0, censored headcounts, contributions) at the
    configured ``k`` over income and the 两不愁三保障 dimensions of the config; relative dimension
    weights are normalised to sum to one.

    Raises
    ------
    StatsInputError
        When nobody is poor at ``k`` (A and the contributions are then undefined; H and M0 are
        zero, see :func:`af_curve`).
    """
    return alkire_foster(k=settings.identification.alkire_foster.k, **_af_dimensions(design, line, settings))  # type: ignore[arg-type]


def af_design_effects(design: SurveyDesign, line: float, settings: IdentificationSettings) -> pd.DataFrame:
    """Return the design effects of H and M0 at the configured ``k`` (index ``measure``; ``deff``,
    ``n_effective``, ``kish_deff``; no columns when the design reports none, as a census).

    R's ``svymean(deff = TRUE)`` of the 0/1 poverty status and of the censored score: the headline
    pair carries them, the curve over every cutoff (:func:`af_curve`) only at the configured ``k``, as
    they would double its cost.
    """
    k = float(settings.identification.alkire_foster.k)
    table = alkire_foster_curve(ks=[k], deff=None, **_af_dimensions(design, line, settings))  # type: ignore[arg-type]
    return table.set_index("measure").drop(columns=["k", "estimate", "se", "ci_low", "ci_high", "n", "df", "level"])


def af_curve(
    design: SurveyDesign, line: float, settings: IdentificationSettings, effects: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Return H and M0 at the configured ``k`` and every cutoff of ``alkire_foster.k_grid``.

    H is a proportion (the configured proportion interval); M0 gets logit-scale limits, bounded by
    H's interval where it is zero. Plotted against ``k`` for each county, the curves show whether a
    ranking of counties holds for every cutoff (dominance) or depends on the one chosen.

    Parameters
    ----------
    design, line, settings
        The household design, the poverty line and the family's settings.
    effects : DataFrame, optional
        The design effects at the configured ``k`` (:func:`af_design_effects`). That cutoff's rows
        carry them, and where nobody is poor at a cutoff, H's Korn-Graubard interval rests on ``n``
        over their ``kish_deff`` (the Kish design effect of the persons' weights, the same at every
        cutoff, as the denominator is) instead of the nominal ``n``.

    Returns
    -------
    DataFrame
        ``k``, ``measure`` (``H``, ``M0``), ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``n``
        (and ``deff``, ``n_effective`` with ``effects``).
    """
    options = settings.identification.alkire_foster
    ks = sorted({float(k) for k in (*options.k_grid, options.k)})
    table = alkire_foster_curve(ks=ks, **_af_dimensions(design, line, settings))  # type: ignore[arg-type]
    at_every_k = {} if effects is None or "kish_deff" not in effects else {"kish_deff": effects.loc["H", "kish_deff"]}
    rows = []
    for k in ks:
        at = table[table["k"] == k].set_index("measure")
        if effects is not None and k == float(options.k):
            h_row, m0_row = ({**at.loc[m], **effects.loc[m]} for m in ("H", "M0"))
        else:
            h_row, m0_row = {**at.loc["H"], **at_every_k}, at.loc["M0"]
        h = proportion_interval(estimate_from_row(h_row, "H"), method=settings.proportion_interval, design=design)
        m0 = bounded_interval(estimate_from_row(m0_row, "M0"), design=design, at_bound=(0.0, h.ci_high))
        rows += [({"k": k, "measure": "H"}, h), ({"k": k, "measure": "M0"}, m0)]
    return estimate_table(rows)

"""Survey design of the household sample: strata, PSUs, finite-population sizes and weights.

The study's household surveys follow a stratified two-stage design: townships are strata, villages
the primary sampling units (drawn by simple random sampling within a township), and households are
drawn within sampled villages — optionally registered (建档立卡) and other households separately, so
that registered households can be oversampled. Weights either come from a column of the data or
are derived here from the village frame as the inverse of the two stage-wise inclusion
probabilities, with the realised sample counts (so household non-response within a village is
absorbed by its village's other respondents).

A county that enumerated every household (全县入户大排查, ``design: census`` in its config) has no
sampling: every weight is 1 and each township's villages are all "sampled", so the finite-population
correction removes all sampling variance and design-based standard errors are 0, as R's ``survey``
gives for ``fpc`` equal to the number of PSUs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pa_study.codebook import normalise_label

STRATUM, PSU, FPC, WEIGHT = "stratum", "psu", "fpc_villages", "weight"
DESIGN_COLUMNS = [STRATUM, PSU, FPC, WEIGHT]
#: The ``design`` of a county that enumerated every household.
CENSUS = "census"


def is_census(design: str | dict[str, Any]) -> bool:
    """Whether a county's ``design`` config says every household was enumerated."""
    return design == CENSUS


def village_key(frame: pd.DataFrame) -> pd.Series:
    """Return the key that links a household to its village in the frame: ``township/village``,
    normalised (half-width, no white space) so the two files need not spell names identically."""
    return normalised_labels(frame["township"]) + "/" + normalised_labels(frame["village"])


def normalised_labels(values: pd.Series) -> pd.Series:
    """Return :func:`~pa_study.codebook.normalise_label` of every value, as ``Series.map`` would,
    computed once per distinct value: a census repeats each village name hundreds of times."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    labels = np.array([normalise_label(v) for v in distinct], dtype=object)
    return pd.Series(labels[codes], index=values.index, dtype="string")


def design_columns(
    households: pd.DataFrame, villages: pd.DataFrame, design: str | dict[str, Any]
) -> tuple[pd.DataFrame, dict[int, list[str]], dict[str, Any]]:
    """Attach the design columns (stratum, PSU, FPC, weight) to the cleaned household table.

    Parameters
    ----------
    households : DataFrame
        Cleaned households, indexed by source row.
    villages : DataFrame
        The cleaned village frame (every village of the county, with ``sampled``).
    design : str or dict
        The county's ``design`` config: ``census``, or ``weights`` (``frame`` or ``column``),
        ``weight_column``, ``oversample_registered``.

    Returns
    -------
    (DataFrame, dict, dict)
        The households with ``stratum`` (township), ``psu`` (township/village), ``fpc_villages``
        (villages of the township in the frame, R's ``svydesign(fpc=)``; in a census, the villages
        enumerated) and ``weight`` (1 in a census); the rows to quarantine with reasons (village not
        in frame, village not sampled, no usable weight); and a summary of the design for the report.
    """
    census = is_census(design)
    households = households.copy()
    frame = villages.assign(_key=village_key(villages))
    key = village_key(households)
    in_frame = key.isin(frame["_key"])
    sampled_keys = set(frame["_key"] if census else frame.loc[frame["sampled"].fillna(False).astype(bool), "_key"])
    quarantine: dict[int, list[str]] = {}
    for row in households.index[~in_frame]:
        quarantine[int(row)] = ["village_not_in_frame"]
    for row in households.index[in_frame & ~key.isin(sampled_keys)]:
        quarantine[int(row)] = ["village_not_sampled_in_frame"]
    usable = ~households.index.isin(list(quarantine))
    township = normalised_labels(households["township"])
    if census:
        # Every village with households is enumerated: N_h = n_h, no sampling variance.
        villages_in_stratum = key[usable].groupby(township[usable]).nunique()
    else:
        villages_in_stratum = frame.groupby(normalised_labels(frame["township"]))["_key"].nunique()
    households[STRATUM] = households["township"].astype("string")
    households[PSU] = (households["township"] + "/" + households["village"]).astype("string")
    households[FPC] = pd.array(township.map(villages_in_stratum), dtype="Int64")
    if census:
        weights = pd.Series(1.0, index=households.index[usable], dtype="Float64")
    elif design["weights"] == "frame":
        weights = _frame_weights(households[usable], key[usable], frame, design.get("oversample_registered", True))
    else:
        weights = households.loc[usable, design.get("weight_column", "weight")].astype("Float64")
    households[WEIGHT] = pd.array(weights.reindex(households.index), dtype="Float64")
    for row in households.index[usable & households[WEIGHT].isna().to_numpy()]:
        quarantine[int(row)] = ["missing_weight"]
    summary = {
        "weights": CENSUS if census else design["weights"],
        "strata": int(households.loc[usable, STRATUM].nunique()),
        "psus": int(households.loc[usable, PSU].nunique()),
        "frame_villages": int(len(frame)),
        "frame_villages_sampled": int(len(sampled_keys)),
        "single_psu_strata": sorted(
            str(s) for s, n in households[usable].groupby(STRATUM)[PSU].nunique().items() if n < 2
        ),
    }
    if census:
        summary["census"] = True
        summary["frame_villages_without_households"] = int((~frame["_key"].isin(key[usable])).sum())
    return households, quarantine, summary


def _frame_weights(
    households: pd.DataFrame, key: pd.Series, frame: pd.DataFrame, oversample_registered: bool
) -> pd.Series:
    """Weight = (villages in township ÷ responding sampled villages in township)
    × (frame households of the household's group in its village ÷ responding sample households of
    that group), the group being registered / not registered when registered households were
    sampled separately, else the whole village."""
    frame = frame.set_index("_key")
    township = normalised_labels(households["township"])
    villages_total = frame.groupby(normalised_labels(frame["township"])).size()
    villages_responding = key.groupby(township).nunique()
    first_stage = township.map(villages_total) / township.map(villages_responding)
    if oversample_registered:
        registered = households["registered"].astype("boolean")
        population = key.map(frame["n_registered"]).where(
            registered, key.map(frame["n_households"] - frame["n_registered"])
        )
        group = key + "|" + registered.astype("string")
    else:
        population = key.map(frame["n_households"])
        group = key
    sample = group.map(group.value_counts())
    return (first_stage * population.astype("Float64") / sample).astype("Float64")

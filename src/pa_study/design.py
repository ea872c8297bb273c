"""Survey design of the household sample: strata, PSUs, groups, finite-population sizes and weights.

The study's household surveys follow a stratified two-stage design: townships are strata, villages
the primary sampling units (drawn by simple random sampling within a township), and households are
drawn within sampled villages — optionally registered (建档立卡) and other households separately, so
that registered households can be oversampled. Weights either come from a column of the data or
are derived here from the village frame as the inverse of the two stage-wise inclusion
probabilities, with the realised sample counts (so household non-response within a village is
absorbed by its village's other respondents).

The second-stage group of a household is the list it was drawn from: ``sample_group``, written by
the field team from the sampling list. Where the data lack it, the survey answer ``registered``
stands in, and the cleaning log says so: a household drawn from the register that has exited and
answers "not registered" would then be weighted as an other household, which the sampling list
avoids.

A county that enumerated every household (全县入户大排查, ``design: census`` in its config) has no
sampling: every weight is 1 and each township's villages are all "sampled", so the finite-population
correction removes all sampling variance and design-based standard errors are 0, as R's ``survey``
gives for ``fpc`` equal to the number of PSUs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from pa_study.clean.log import log_entry
from pa_study.codebook import Instrument, normalise_label
from pa_study.config import ConfigPart
from pa_study.errors import InputError
from pa_study.stats import StatsInputError, SurveyDesign, kish_deff

STRATUM, PSU, FPC, WEIGHT = "stratum", "psu", "fpc_villages", "weight"
#: Second stage: the household's sampling group in its village and the group's size in the frame.
GROUP, FPC_GROUP = "design_group", "fpc_households"
DESIGN_COLUMNS = [STRATUM, PSU, FPC, GROUP, FPC_GROUP, WEIGHT]
#: Second-stage groups: drawn from the register list, the other households, or the whole village.
REGISTERED, OTHER, WHOLE_VILLAGE = "registered", "other", "all"
#: Calibration (``design.calibration``): the two margins the household weights are raked to, each
#: household's category in them and the category's population count: its township (the frame's
#: households) and its register status over the county (current, exited, other).
CALIBRATION_TOWNSHIP, CALIBRATION_STATUS = "calibration_township", "calibration_status"
#: Calibration column -> the column holding its category's population count.
CALIBRATION_MARGINS = {
    CALIBRATION_TOWNSHIP: "calibration_township_total",
    CALIBRATION_STATUS: "calibration_status_total",
}
CALIBRATION_COLUMNS = [c for pair in CALIBRATION_MARGINS.items() for c in pair]
#: The ``design`` of a county that enumerated every household.
CENSUS = "census"


class RegisterCounts(ConfigPart):
    """A township's households on the register (ever registered, 建档立卡) and among them exited (脱贫)."""

    registered: int
    exited: int


class DesignCalibration(ConfigPart):
    """``design.calibration``: the register's counts per township the household weights are
    raked to (:func:`calibration_margins`), with where they come from."""

    source: str
    townships: dict[str, RegisterCounts]


class SurveyDesignOptions(ConfigPart):
    """The ``design`` of a sampled county (its defaults are the schema's).

    Attributes
    ----------
    weights : str
        ``frame`` (derived from the village frame) or ``column`` (read from ``weight_column``).
    weight_column : str
        The household column holding the weights when ``weights`` is ``column``.
    oversample_registered : bool
        Whether registered households were sampled separately within villages.
    calibration : DesignCalibration, optional
        The register's counts per township to rake the household weights to.
    """

    weights: str
    weight_column: str
    oversample_registered: bool
    calibration: DesignCalibration | None = None


def design_options(config: str | Mapping[str, Any]) -> str | SurveyDesignOptions:
    """Return a county's validated ``design`` config, typed: :data:`CENSUS`, or the sample's options."""
    return CENSUS if config == CENSUS else SurveyDesignOptions.parse(config, "the county's design settings")


def is_census(design: str | SurveyDesignOptions) -> bool:
    """Whether a county's ``design`` says every household was enumerated."""
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


def weight_column(design: SurveyDesignOptions, households: Instrument) -> str:
    """Return the cleaned-table column ``design.weight_column`` names: the codebook name of a
    household variable, or any header spelling of it (``wt`` for ``weight``), as a researcher would
    write the column they see in the raw file.

    Raises
    ------
    InputError
        When it names no numeric household variable of the codebook, listing those that are.
    """
    named = design.weight_column
    if named in households.by_name:
        variable = households[named]
    else:
        match = households.header_lookup.get(normalise_label(named))
        variable = households[match[0]] if match else None
    if variable is None or variable.type != "number":
        numbers = [v.name for v in households.kept if v.type == "number"]
        spellings = ", ".join(dict.fromkeys(a.text for a in households[WEIGHT].header_spellings()))
        raise InputError(
            f"design.weight_column is '{named}', which is no numeric household variable of the codebook; "
            f"expected the weight's name or a header spelling of it ({spellings}), or another of: {', '.join(numbers)}",
            path="config",
        )
    return variable.name


def frame_problems(households: pd.DataFrame, villages: pd.DataFrame, oversample_registered: bool) -> list[str]:
    """Return what in the village frame cannot hold for the sample drawn from it, one line per
    village: more registered households than households, or fewer households (of the group sampled
    separately) than were sampled there. Either would give negative, zero or below-one weights.

    Parameters
    ----------
    households : DataFrame
        The usable households (``township``, ``village``, and ``design_group``, the list each was
        drawn from, or else the answer ``registered``).
    villages : DataFrame
        The cleaned village frame (``source_row``, ``n_households``, ``n_registered``).
    oversample_registered : bool
        Whether registered households were sampled as a group of their own.
    """
    frame = villages.assign(_key=village_key(villages)).drop_duplicates("_key").set_index("_key")
    key = village_key(households)
    # Each village's households from one grouping of the columns read here (a boolean selection of
    # the whole table per village was most of the clean stage's time on a census).
    by_village = households[[c for c in (GROUP, "registered") if c in households.columns]].groupby(key, sort=False)
    problems = []
    for village, row in frame.loc[frame.index.isin(key)].iterrows():
        where = f"village {row['township']}/{row['village']}"
        if pd.notna(row.get("source_row")):
            where = f"row {int(row['source_row'])}, {where}"
        total, registered = row["n_households"], row["n_registered"]
        sampled = by_village.get_group(village)
        if oversample_registered and pd.notna(total) and pd.notna(registered) and registered > total:
            problems.append(f"{where}: {registered} registered households (n_registered) but {total} in all")
            continue
        groups = {"households": (len(sampled), total)}
        if oversample_registered:
            is_registered = (
                sampled[GROUP] == REGISTERED
                if GROUP in sampled.columns
                else sampled["registered"].astype("boolean").fillna(False)
            )
            groups = {
                "registered households": (int(is_registered.sum()), registered),
                "other households": (int((~is_registered).sum()), None if pd.isna(total) else total - registered),
            }
        for group, (drawn, population) in groups.items():
            if drawn and pd.notna(population) and population < drawn:
                problems.append(f"{where}: the frame counts {population} {group} but {drawn} were sampled there")
    return problems


def design_columns(
    households: pd.DataFrame,
    villages: pd.DataFrame,
    design: str | SurveyDesignOptions,
    *,
    frame_path: str | None = None,
) -> tuple[pd.DataFrame, dict[int, list[str]], dict[str, Any], list[dict[str, Any]]]:
    """Attach the design columns (stratum, PSU, FPCs, group, weight) to the cleaned household table.

    Parameters
    ----------
    households : DataFrame
        Cleaned households, indexed by source row.
    villages : DataFrame
        The cleaned village frame (every village of the county, with ``sampled``).
    design : str or SurveyDesignOptions
        The county's ``design`` (:func:`design_options`): :data:`CENSUS`, or the sample's weights
        (``weight_column`` a canonical name, see :func:`weight_column`).
    frame_path : str, optional
        The village frame's raw file, named when the frame cannot hold for the sample
        (:func:`frame_problems`).

    Returns
    -------
    (DataFrame, dict, dict, list)
        The households with ``stratum`` (township), ``psu`` (township/village), ``fpc_villages``
        (villages of the township in the frame, R's ``svydesign(fpc=)`` of the first stage; in a
        census, the villages enumerated), ``design_group`` (``registered`` / ``other`` when
        registered households were sampled separately, else ``all``), ``fpc_households`` (the
        group's households in the village's frame entry; in a census, those enumerated) and
        ``weight`` (1 in a census); the rows to quarantine with reasons (village not in frame,
        village not sampled, no usable weight); a summary of the design for the report, with the
        distribution of the weights; and cleaning-log rows (groups taken from the survey answer,
        frame counts below the sample).
    """
    census = is_census(design)
    households = households.copy(deep=False)  # copy-on-write: only the columns set here are copied
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
    oversampled = census or design.oversample_registered
    group, log = sampling_groups(households, oversampled)
    households[GROUP] = group
    population, short = group_population(households[usable], key[usable], frame, census)
    households[FPC_GROUP] = pd.array(population.reindex(households.index), dtype="Int64")
    log += [
        log_entry("households", "design", None, FPC_GROUP, n_frame, n_sample, f"frame_group_below_sample:{where}")
        for where, n_frame, n_sample in short
    ]
    if census:
        weights = pd.Series(1.0, index=households.index[usable], dtype="Float64")
    elif design.weights == "frame":
        problems = frame_problems(households[usable], villages, oversampled)
        if problems:
            more = f" (and {len(problems) - 5} more villages)" if len(problems) > 5 else ""
            raise InputError(
                "the village frame does not fit the sample drawn from it, so the design weights would be "
                f"negative, zero or below one: {'; '.join(problems[:5])}{more}. Correct the frame's counts "
                "(总户数, 建档立卡户数), or set design.oversample_registered: false if registered households "
                "were not sampled separately",
                path=frame_path,
            )
        weights = _frame_weights(households[usable], key[usable], frame)
    else:
        weights = households.loc[usable, design.weight_column].astype("Float64")
    households[WEIGHT] = pd.array(weights.reindex(households.index), dtype="Float64")
    for row in households.index[usable & households[WEIGHT].isna().to_numpy()]:
        quarantine[int(row)] = ["missing_weight"]
    kept = usable & households[WEIGHT].notna().to_numpy()
    calibration = None
    if not census and design.calibration is not None:
        categories, totals, calibration, calibration_log = calibration_margins(
            households[kept], frame, design.calibration
        )
        for column, total in CALIBRATION_MARGINS.items():
            households[column] = categories[column].reindex(households.index).astype("string")
            households[total] = pd.array(households[column].map(totals[column]), dtype="Int64")
        households[WEIGHT] = raked(households[WEIGHT], categories, totals)
        log += calibration_log
    summary = {
        "weights": CENSUS if census else design.weights,
        "strata": int(households.loc[usable, STRATUM].nunique()),
        "psus": int(households.loc[usable, PSU].nunique()),
        "frame_villages": int(len(frame)),
        "frame_villages_sampled": int(len(sampled_keys)),
        "single_psu_strata": sorted(
            str(s) for s, n in households[usable].groupby(STRATUM)[PSU].nunique().items() if n < 2
        ),
        "second_stage_groups": _group_source(households, oversampled),
        "groups_from_answer": int(sum(entry["n_rows"] for entry in log if entry["rule"] == "group_from_answer")),
        "frame_groups_below_sample": [where for where, _, _ in short],
        "weight_distribution": weight_distribution(households.loc[kept, WEIGHT].to_numpy(dtype=float)),
    }
    if census:
        summary["census"] = True
        summary["frame_villages_without_households"] = int((~frame["_key"].isin(key[usable])).sum())
    if calibration is not None:
        summary["calibration"] = calibration
    return households, quarantine, summary, log


def raked(weights: pd.Series, categories: pd.DataFrame, totals: dict[str, dict[str, int]]) -> pd.Series:
    """Return the weights raked to the population count of every category of each calibration
    column (iterative proportional fitting, R's ``rake``; :meth:`pa_study.stats.SurveyDesign.rake`);
    missing outside ``categories``' rows.

    The cleaned table carries these weights, so that every estimate, on the whole sample or on a
    domain of it, uses them; :func:`pa_study.indicators.survey.household_design` adds the
    calibration's variance where the design holds the whole calibrated sample.

    Raises
    ------
    InputError
        Raking does not converge (the sample lacks a combination of township and status the counts
        need), naming the column, the category and the numbers.
    """
    inside = categories.index
    data = categories.assign(_w=weights.loc[inside].astype(float).to_numpy())
    try:
        design = SurveyDesign(data.reset_index(drop=True), weight="_w").rake(
            {column: {k: float(v) for k, v in counts.items() if v > 0} for column, counts in totals.items()}
        )
    except StatsInputError as exc:
        raise InputError(
            f"design.calibration cannot rake the household weights to the register counts: {exc}; correct the "
            "counts or drop the calibration",
            path="config",
        ) from None
    out = pd.Series(np.nan, index=weights.index)
    out.loc[inside] = design.weights
    return pd.array(out, dtype="Float64")


def calibration_margins(
    households: pd.DataFrame, frame: pd.DataFrame, calibration: DesignCalibration
) -> tuple[pd.DataFrame, dict[str, dict[str, int]], dict[str, Any], list[dict[str, Any]]]:
    """Return each household's category in the two calibration margins, the margins' population
    counts, a summary, and log rows.

    Margins: the township (its households in the frame) and the register status over the county:
    on the register and not exited (``current``: ``registered - exited`` summed over townships),
    ``exited``, or ``other`` (the frame's households ``- registered``). The status is that of the
    list the household was drawn from (``design_group``; the answer ``registered`` when households
    were not sampled by list). A registered household whose exit is unknown counts as current
    (logged).

    Why two margins and not township x status cells: with four or five sampled villages per
    township, a cell's weight total rests on a handful of villages, and post-stratifying to 3 x
    townships cells made the ratios over small groups biased (the wrongful-exit share by -1.4
    points, 87% coverage of 95% intervals in benchmarks/check_household_coverage.py). Raking to the
    margins uses the same counts with each total estimated from many more villages.

    Raises
    ------
    InputError
        A township of the sample missing from the counts (or named there but not sampled), counts
        that do not add up (exited above registered, registered above the frame's households), or
        a status with households in the population but none in the sample, or the reverse.
    """
    given = {normalise_label(name): counts for name, counts in calibration.townships.items()}
    township = normalised_labels(households["township"])
    missing = sorted(set(township) - set(given))
    if missing:
        raise InputError(
            f"design.calibration.townships has no register counts for sampled township(s) {missing}; give "
            "registered and exited households for every sampled township",
            path="config",
        )
    extra = sorted(set(given) - set(township))
    if extra:
        raise InputError(
            f"design.calibration.townships names township(s) {extra} with no sampled household; leave them out",
            path="config",
        )
    in_frame = frame.groupby(normalised_labels(frame["township"]))["n_households"].sum()
    townships: dict[str, int] = {}
    statuses = {"current": 0, "exited": 0, "other": 0}
    for name, counts in given.items():
        registered, exited = counts.registered, counts.exited
        households_here = int(in_frame.get(name, 0))
        if exited > registered or registered > households_here:
            raise InputError(
                f"design.calibration.townships.{name}: {exited} exited, {registered} registered and {households_here} "
                "households in the frame; expected exited <= registered <= households",
                path="config",
            )
        townships[name] = households_here
        statuses["current"] += registered - exited
        statuses["exited"] += exited
        statuses["other"] += households_here - registered
    on_register = (
        households[GROUP] == REGISTERED
        if (households[GROUP] != WHOLE_VILLAGE).any()
        else households["registered"].astype("boolean").fillna(False)
    )
    exited_answer = households["exited"].astype("boolean")
    status = pd.Series("other", index=households.index, dtype="string")
    status = status.where(~on_register, "current").where(~(on_register & exited_answer.fillna(False)), "exited")
    log = []
    unknown = int((on_register & exited_answer.isna()).sum())
    if unknown:
        rule = "calibration_exit_unknown_counts_as_current"
        log.append(log_entry("households", "design", None, CALIBRATION_STATUS, None, "current", rule, unknown))
    sampled = status.value_counts()
    empty = sorted(c for c, n in statuses.items() if n > 0 and c not in sampled.index)
    stray = sorted(f"{c} ({int(sampled[c])} households)" for c in sampled.index if statuses[c] == 0)
    if empty or stray:
        problem = (f"statuses with register counts but no sampled household: {empty}" if empty else "") + (
            f"{'; ' if empty else ''}sampled households in statuses the counts make empty: {stray}" if stray else ""
        )
        raise InputError(
            f"design.calibration cannot rake the households: {problem}; correct the counts or drop the calibration",
            path="config",
        )
    categories = pd.DataFrame({CALIBRATION_TOWNSHIP: township, CALIBRATION_STATUS: status}, index=households.index)
    totals = {CALIBRATION_TOWNSHIP: townships, CALIBRATION_STATUS: statuses}
    summary = {
        "source": calibration.source,
        "margins": {"townships": len(townships), "statuses": int((pd.Series(statuses) > 0).sum())},
        "population": int(sum(townships.values())),
        "weighted_before": float(households[WEIGHT].astype(float).sum()),
    }
    return categories, totals, summary, log


def sampling_groups(households: pd.DataFrame, oversampled: bool) -> tuple[pd.Series, list[dict[str, Any]]]:
    """Return each household's second-stage group and the log rows of groups read from the answer.

    With registered households sampled separately, the group is ``sample_group`` (the list the
    household was drawn from); where that is missing, the answer ``registered`` stands in and a
    log row counts the households concerned. Without separate sampling every household is in the
    village's one group, ``all``.
    """
    if not oversampled:
        return pd.Series(WHOLE_VILLAGE, index=households.index, dtype="string"), []
    answer = households["registered"].astype("boolean").map({True: REGISTERED, False: OTHER}).astype("string")
    listed = (
        households["sample_group"].astype("string")
        if "sample_group" in households.columns
        else pd.Series(pd.NA, index=households.index, dtype="string")
    )
    from_answer = listed.isna() & answer.notna()
    log = []
    if from_answer.any():
        rule = "group_from_answer"
        log.append(
            log_entry(
                "households", "design", None, GROUP, "sample_group missing", "registered", rule, int(from_answer.sum())
            )
        )
    return listed.fillna(answer), log


def _group_source(households: pd.DataFrame, oversampled: bool) -> str:
    if not oversampled:
        return "village"
    if "sample_group" not in households.columns or households["sample_group"].isna().all():
        return "registered (survey answer; no sample_group)"
    return "sample_group" if households["sample_group"].notna().all() else "sample_group (registered where missing)"


def group_population(
    households: pd.DataFrame, key: pd.Series, frame: pd.DataFrame, census: bool
) -> tuple[pd.Series, list[tuple[str, int, int]]]:
    """Return the frame size of each household's second-stage group, and the groups whose frame
    count is below the number sampled from them (``(village/group, frame count, sampled)``).

    The frame gives ``n_registered`` and ``n_households`` per village; the other households are the
    difference. A group sampled beyond its frame count (a frame out of date, or groups taken from
    the survey answer) gets the sample count instead: its households are then treated as all the
    group has, and the cleaning log names it.
    """
    frame = frame.set_index("_key")
    group = households[GROUP]
    cell = key + "|" + group
    sampled = cell.map(cell.value_counts()).astype("Int64")
    if census:
        return sampled, []
    registered = key.map(frame["n_registered"]).astype("Int64")
    everyone = key.map(frame["n_households"]).astype("Int64")
    population = everyone.where(group == WHOLE_VILLAGE, registered.where(group == REGISTERED, everyone - registered))
    below = population < sampled
    short = sorted({(str(cell[i]), int(population[i]), int(sampled[i])) for i in below[below.fillna(False)].index})
    return population.where(~below.fillna(False), sampled), short


def weight_distribution(weights: np.ndarray) -> dict[str, float | int | None]:
    """Return the minimum, maximum, mean, coefficient of variation and Kish design effect of the weights.

    Kish's ``n sum(w^2) / sum(w)^2 = 1 + CV^2`` (CV with divisor ``n``) is the variance inflation of
    a mean from unequal weighting alone (Kish 1965, section 11.7).
    """
    if weights.size == 0:
        return {"n": 0, "min": None, "max": None, "mean": None, "cv": None, "kish_deff": None}
    mean = float(weights.mean())
    return {
        "n": int(weights.size),
        "min": float(weights.min()),
        "max": float(weights.max()),
        "mean": mean,
        "cv": float(weights.std() / mean),
        "kish_deff": kish_deff(weights),
    }


def _frame_weights(households: pd.DataFrame, key: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Weight = (villages in township ÷ responding sampled villages in township)
    × (frame households of the household's group in its village ÷ responding sample households of
    that group), the group being its ``design_group`` (the list it was drawn from, or the whole
    village)."""
    frame = frame.set_index("_key")
    township = normalised_labels(households["township"])
    villages_total = frame.groupby(normalised_labels(frame["township"])).size()
    villages_responding = key.groupby(township).nunique()
    first_stage = township.map(villages_total) / township.map(villages_responding)
    return (first_stage * households[FPC_GROUP].astype("Float64") / _sampled_in_group(households, key)).astype(
        "Float64"
    )


def _sampled_in_group(households: pd.DataFrame, key: pd.Series) -> pd.Series:
    cell = key + "|" + households[GROUP]
    return cell.map(cell.value_counts())

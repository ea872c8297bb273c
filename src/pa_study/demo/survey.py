"""Clean survey tables with semantic values, one dict of columns per instrument.

"Semantic" cells are what a perfect field team would have recorded: ``bool`` for yes/no, the
canonical category code (``"illness"``), ``int``/``float`` numbers, ``datetime.date`` and ``str``;
``None`` where the question was skipped. The format encoders and the mess injector work on these.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from pa_study.demo._names import id_numbers, mobile_numbers, person_names
from pa_study.demo.profiles import CountyProfile

Columns = dict[str, list]

FIELDWORK_START = dt.date(2020, 11, 16)
_SKIPPABLE_INT = ("registration_year", "exit_year", "project_days", "project_income")
_LATENT_NONE = -1  # sentinel the population uses for "skipped" in integer columns


def household_ids(profile: CountyProfile, pop: pd.DataFrame, frame: pd.DataFrame, rows: np.ndarray) -> list[str]:
    """Return the field team's household ids (county prefix, township, village, household number)."""
    village_idx = pop["village_idx"].to_numpy()
    first_of_village = np.searchsorted(village_idx, village_idx[rows], side="left")
    number = rows - first_of_village + 1
    township_no = frame["township_no"].to_numpy()[village_idx[rows]]
    village_no = frame["village_no"].to_numpy()[village_idx[rows]]
    return [
        f"{profile.id_prefix}{t:02d}{v:03d}{h:04d}" for t, v, h in zip(township_no, village_no, number, strict=True)
    ]


def household_sample(
    profile: CountyProfile,
    pop: pd.DataFrame,
    frame: pd.DataFrame,
    chosen: np.ndarray,
    weights: np.ndarray,
    variables: list[str],
    rng: np.random.Generator,
) -> Columns:
    """Return the clean household survey: sampled rows, codebook variables, survey-only attributes.

    Parameters
    ----------
    profile : CountyProfile
        The county.
    pop : pandas.DataFrame
        Simulated population.
    frame : pandas.DataFrame
        Village frame.
    chosen, weights : numpy.ndarray
        Sampled population rows (sorted) and their design weights.
    variables : list of str
        Canonical household variables to produce, in output order.
    rng : numpy.random.Generator
        Source of randomness for the survey-only attributes (interviews and personal data).

    Returns
    -------
    dict
        Canonical name -> semantic cells, rows ordered by township, village and household.
    """
    sample = pop.iloc[chosen]
    village_idx = sample["village_idx"].to_numpy()
    dates = interview_dates(village_idx, rng)
    is_male = (sample["head_sex"] == "male").to_numpy()
    phones: list[str | None] = list(mobile_numbers(len(chosen), rng))
    no_phone = rng.random(len(chosen)) < 0.05
    derived = {
        "county": [profile.name_zh] * len(chosen),
        "township": frame["township"].to_numpy()[village_idx].tolist(),
        "village": frame["village"].to_numpy()[village_idx].tolist(),
        "household_id": household_ids(profile, pop, frame, chosen),
        "interview_date": dates,
        "interviewer": interviewers(village_idx, rng),
        "head_name": person_names(is_male, rng),
        "id_number": id_numbers(profile.region_code, sample["head_age"].to_numpy(), is_male, dates, rng),
        "phone": [None if skip else phone for phone, skip in zip(phones, no_phone, strict=True)],
        "weight": weights.tolist(),
        # The list each household was drawn from (the second-stage strata), as the field team records it.
        "sample_group": np.where(sample["registered"].to_numpy(dtype=bool), "registered", "other").tolist(),
    }
    columns: Columns = {}
    for name in variables:
        if name in derived:
            columns[name] = derived[name]
        elif name in _SKIPPABLE_INT:
            columns[name] = [None if v == _LATENT_NONE else v for v in sample[name].to_numpy().tolist()]
        else:
            columns[name] = semantic_values(sample[name])
    return columns


def interview_dates(village_idx: np.ndarray, rng: np.random.Generator) -> list[dt.date]:
    """Return interview dates: each sampled village is visited over two days within six weeks."""
    villages, inverse = np.unique(village_idx, return_inverse=True)
    first_day = rng.integers(0, 40, size=len(villages))[inverse]
    offset = first_day + rng.integers(0, 2, size=len(village_idx))
    return [FIELDWORK_START + dt.timedelta(days=int(d)) for d in offset]


def interviewers(village_idx: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Return the interviewer of each household: a team of three of twelve interviewers per village."""
    names = person_names(rng.random(12) < 0.5, rng)
    villages, inverse = np.unique(village_idx, return_inverse=True)
    team_start = rng.integers(0, 12, size=len(villages))[inverse]
    member = (team_start + rng.integers(0, 3, size=len(village_idx))) % 12
    return [names[m] for m in member]


def table_columns(table: pd.DataFrame, variables: list[str]) -> Columns:
    """Return a ledger or survey frame as semantic columns (``None`` for missing)."""
    return {name: semantic_values(table[name]) for name in variables}


def semantic_values(series: pd.Series) -> list:
    """Return a column as plain Python values, ``None`` where missing.

    Numeric and boolean columns convert directly; other columns (pandas may store text with
    ``NaN`` for missing) go value by value.
    """
    if series.dtype.kind in "biuf" and not series.isna().any():
        return series.to_numpy().tolist()
    return [None if _is_missing(v) else _plain(v) for v in series.to_numpy(dtype=object)]


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _plain(value: object) -> object:
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value

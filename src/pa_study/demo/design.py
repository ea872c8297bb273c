"""The county frame (townships and villages) and the stratified two-stage sample drawn from it.

Design: townships are strata; in each, an SRS of villages; in each sampled village, separate SRSs of
registered and unregistered households (registered households are oversampled). The true design
weight of a sampled household is

    (villages in township / sampled villages in township)
    x (households of its registration status in village / sampled households of that status).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pa_study.demo._names import township_names, village_names
from pa_study.demo.profiles import CountyProfile

DEFAULT_HOUSEHOLDS = 1000


@dataclass(frozen=True)
class DesignScale:
    """Sizes of the design for a requested number of sampled households.

    Attributes
    ----------
    households_per_county : int
        Target number of sampled households.
    sampled_villages_per_township : int
        Villages drawn in each township.
    min_villages_per_township : int
        Townships get at least this many villages (so large samples still draw a fraction).
    per_village_take : int
        Households drawn per registration status in each sampled village (or all, if fewer).
    village_size_multiplier : float
        Factor on village sizes (1 at the default scale; larger so big samples fit in villages).
    census : bool
        Every household of every village is enumerated (全县入户大排查): all villages count as
        sampled and ``per_village_take`` exceeds any village, so every design weight is 1.
    """

    households_per_county: int
    sampled_villages_per_township: int
    min_villages_per_township: int
    per_village_take: int
    village_size_multiplier: float
    census: bool = False


def design_scale(profile: CountyProfile, households_per_county: int = DEFAULT_HOUSEHOLDS) -> DesignScale:
    """Return the design sizes that give about ``households_per_county`` sampled households.

    At the default (about 1,000) the design is the field design: 4 villages per township and about
    a dozen households of each status per village. Larger targets grow the number of sampled
    villages and the take per village each by the square root of the scale factor, and enlarge the
    villages so that the take still fits, which keeps the simulated population within a few times
    the sample.

    Parameters
    ----------
    profile : CountyProfile
        The county (number of townships, base number of sampled villages).
    households_per_county : int
        Target number of sampled households.
    """
    if households_per_county < 20:
        raise ValueError(f"households_per_county must be at least 20, got {households_per_county}")
    growth = math.sqrt(max(1.0, households_per_county / DEFAULT_HOUSEHOLDS))
    sampled = max(2, round(profile.sampled_villages_per_township * growth))
    take = max(1, round(households_per_county / (2 * profile.n_townships * sampled)))
    return DesignScale(
        households_per_county=households_per_county,
        sampled_villages_per_township=sampled,
        min_villages_per_township=math.ceil(1.2 * sampled),
        per_village_take=take,
        village_size_multiplier=max(1.0, 0.6 * take / 12),
    )


def build_frame(profile: CountyProfile, scale: DesignScale, rng: np.random.Generator) -> pd.DataFrame:
    """Return the full village frame of a county with the villages drawn into the sample.

    Parameters
    ----------
    profile : CountyProfile
        The county.
    scale : DesignScale
        Design sizes.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        One row per village: ``township``, ``village``, ``township_no``, ``village_no`` (1-based
        within township), ``poor_village``, ``n_households``, ``sampled``, and two latent village
        effects used by the simulation (``income_effect``, ``registration_rate``).
    """
    townships = township_names(profile.n_townships, rng)
    taken: set[str] = set()
    blocks = []
    for t_no, township in enumerate(townships, start=1):
        n_villages = max(int(rng.integers(15, 31)), scale.min_villages_per_township)
        sampled = np.zeros(n_villages, dtype=bool)
        sampled[rng.choice(n_villages, size=scale.sampled_villages_per_township, replace=False)] = True
        if scale.census:
            sampled[:] = True
        blocks.append(
            pd.DataFrame(
                {
                    "township": township,
                    "village": village_names(n_villages, rng, taken),
                    "township_no": t_no,
                    "village_no": np.arange(1, n_villages + 1),
                    "sampled": sampled,
                }
            )
        )
    frame = pd.concat(blocks, ignore_index=True)
    n = len(frame)
    poor = rng.random(n) < profile.poor_village_share
    sizes = rng.integers(150, 401, size=n) * scale.village_size_multiplier
    # Poor villages register about twice the county rate, the others somewhat less (top-down quotas).
    rate = profile.registration_rate * np.where(poor, 2.0, 0.75) * np.exp(rng.normal(0.0, 0.25, n))
    return frame.assign(
        poor_village=poor,
        n_households=np.rint(sizes).astype(np.int64),
        income_effect=np.where(poor, -0.3, 0.0) + rng.normal(0.0, 0.12, n),
        registration_rate=np.clip(rate, 0.02, 0.5),
    )


def draw_households(
    village_idx: np.ndarray,
    registered: np.ndarray,
    frame: pd.DataFrame,
    take: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the second stage and return the sampled households and their true design weights.

    Parameters
    ----------
    village_idx : numpy.ndarray of int
        Frame row of each household of the population.
    registered : numpy.ndarray of bool
        Registration status of each household (the second-stage strata).
    frame : pandas.DataFrame
        Village frame from :func:`build_frame`.
    take : int
        Households drawn per status in each sampled village (all of them if fewer).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    tuple of numpy.ndarray
        Indices of sampled households (sorted) and their design weights.
    """
    in_sample_village = frame["sampled"].to_numpy()[village_idx]
    candidates = np.flatnonzero(in_sample_village)
    keys = rng.random(len(candidates))
    cell = village_idx[candidates] * 2 + registered[candidates]
    order = np.lexsort((keys, cell))
    ordered_cell = cell[order]
    starts = np.searchsorted(ordered_cell, ordered_cell, side="left")
    rank = np.arange(len(order)) - starts
    chosen = np.sort(candidates[order[rank < take]])

    cell_all = village_idx * 2 + registered
    population_counts = np.bincount(cell_all, minlength=2 * len(frame))
    sample_counts = np.bincount(cell_all[chosen], minlength=2 * len(frame))
    villages_in_township = frame.groupby("township_no")["village"].transform("size").to_numpy()
    sampled_in_township = frame.groupby("township_no")["sampled"].transform("sum").to_numpy()
    first_stage = villages_in_township / sampled_in_township
    chosen_cell = cell_all[chosen]
    weights = first_stage[village_idx[chosen]] * population_counts[chosen_cell] / sample_counts[chosen_cell]
    return chosen, weights

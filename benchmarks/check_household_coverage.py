"""Check (issue 9, section 3), not a test: the household design the families use, as the pipeline
builds it, gives standard errors that match the sampling spread and intervals that cover.

The test suite checks the two-stage :class:`pa_study.stats.SurveyDesign` by Monte Carlo on its own
(tests/stats/test_survey.py). This script runs the whole household chain instead, many times: a
simulated county (townships, villages, registered and exited households, eligibility, income), a
village frame, a sample drawn as the study draws it (villages by SRS within townships, then
registered and other households by SRS within each sampled village), the clean stage's design
columns and frame weights (:func:`pa_study.design.design_columns`), and the families' design
(:func:`pa_study.indicators.survey.household_design`), optionally calibrated to the register's
counts per township (``design.calibration``: raked to the townships' households and the county's
current, exited and other households). For a missed rate (eligible households among the
unregistered, 漏评率 in households), the share of exited households that are eligible (错退率 in
households) and mean income it prints the bias, the mean SE over the spread of the estimates
(target 0.9-1.1) and the coverage of the 95% intervals (target 93-97%).

Run:  python benchmarks/check_household_coverage.py [--reps 1000] [--seed 9] [--no-calibration]
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pa_study.design import SurveyDesignOptions, design_columns  # noqa: E402
from pa_study.indicators.survey import household_design  # noqa: E402

TOWNSHIPS, VILLAGES, SAMPLED_VILLAGES = 8, 14, 5
TAKE = {True: 10, False: 8}  # registered and other households per sampled village
STATISTICS = ("missed_rate", "wrongful_exit_share", "mean_income")


def simulate_county(rng: np.random.Generator) -> pd.DataFrame:
    """Households of a county: poverty with township and village effects, a register that catches
    the poor imperfectly, exits among the registered (some of them still eligible), income."""
    size = rng.integers(60, 160, TOWNSHIPS * VILLAGES)
    village = np.repeat(np.arange(TOWNSHIPS * VILLAGES), size)
    township = village // VILLAGES
    latent = rng.normal(0, 0.8, TOWNSHIPS * VILLAGES)[village] + rng.normal(0, 0.3, TOWNSHIPS)[township]
    latent = latent - 1.0 + rng.normal(0, 1, len(village))
    registered = latent + rng.normal(0, 0.6, len(village)) > 0.2
    # Most registered households have exited, the eligible ones less often (wrongful exits).
    exited = registered & (rng.random(len(village)) < np.where(latent > 0.3, 0.3, 0.95))
    noise = rng.normal(0, 0.3, TOWNSHIPS * VILLAGES)[village] + rng.normal(0, 0.4, len(village))
    return pd.DataFrame(
        {
            "township": [f"镇{t}" for t in township],
            "village": [f"村{v}" for v in village],
            "registered": registered,
            "exited": exited,
            "eligible": (latent > 0.3).astype(float),
            "income": np.exp(8.5 - 0.4 * latent + noise),
        }
    )


def village_frame(county: pd.DataFrame) -> pd.DataFrame:
    """The village sampling frame: households and registered households per village."""
    frame = county.groupby(["township", "village"], sort=False).agg(
        n_households=("registered", "size"), n_registered=("registered", "sum")
    )
    return frame.reset_index().astype({"n_households": "Int64", "n_registered": "Int64"})


def draw(county: pd.DataFrame, frame: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One sample as the study draws it, as the clean stage receives it, and the frame marked."""
    villages = frame.groupby("township", sort=False)["village"].apply(
        lambda v: list(rng.choice(v.to_numpy(), SAMPLED_VILLAGES, replace=False))
    )
    chosen = {v for vs in villages for v in vs}
    villages_drawn = county[county["village"].isin(chosen)]
    rows = [
        villages_drawn.index[rng.choice(index, min(TAKE[bool(registered)], len(index)), replace=False)]
        for (_, registered), index in villages_drawn.groupby(["village", "registered"]).indices.items()
    ]
    sample = county.loc[np.sort(np.concatenate(rows))].copy()
    sample["registered"] = sample["registered"].astype("boolean")
    sample["exited"] = sample["exited"].astype("boolean")
    sample["sample_group"] = np.where(sample["registered"], "registered", "other")
    sample.index = pd.RangeIndex(2, len(sample) + 2, name="source_row")
    return sample, frame.assign(sampled=pd.array(frame["village"].isin(chosen), dtype="boolean"))


def estimates(sample: pd.DataFrame, frame: pd.DataFrame, calibration: dict | None) -> np.ndarray:
    """(estimate, se, ci_low, ci_high) of each statistic on the families' household design."""
    options = {"weights": "frame", "weight_column": "weight", "oversample_registered": True}
    if calibration is not None:
        options["calibration"] = calibration
    design = SurveyDesignOptions.parse(options, "the check's design")
    households, _, _, _ = design_columns(sample, frame, design)
    registered = households["registered"].to_numpy(dtype=float)
    exited = households["exited"].to_numpy(dtype=float)
    ds = household_design(households, lonely_psu="adjust").assign(
        missed=households["eligible"].to_numpy() * (1 - registered),
        unregistered=1 - registered,
        wrong=households["eligible"].to_numpy() * exited,
        exited=exited,
    )
    rows = [ds.ratio("missed", "unregistered"), ds.ratio("wrong", "exited"), ds.mean("income")]
    return np.array([[e.estimate, e.se, e.ci_low, e.ci_high] for e in rows])


def register_counts(county: pd.DataFrame) -> dict:
    """``design.calibration`` from the county's register: registered and exited households per township."""
    counts = county.groupby("township")[["registered", "exited"]].sum()
    return {
        "source": "the simulated county's register",
        "townships": {t: {"registered": int(r.registered), "exited": int(r.exited)} for t, r in counts.iterrows()},
    }


def main() -> None:
    """Run the repeated samples and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--no-calibration", action="store_true", help="only the uncalibrated design")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    county = simulate_county(rng)
    frame = village_frame(county)
    unregistered, exited = ~county["registered"], county["exited"]
    truth = np.array(
        [
            county.loc[unregistered, "eligible"].mean(),
            county.loc[exited, "eligible"].mean(),
            county["income"].mean(),
        ]
    )
    variants = {"two-stage": None} | ({} if args.no_calibration else {"calibrated": register_counts(county)})
    per_sample = sum(TAKE.values()) * SAMPLED_VILLAGES * TOWNSHIPS
    print(f"county: {len(county)} households, {len(frame)} villages; {args.reps} samples of about {per_sample}")
    for name, calibration in variants.items():
        started = time.perf_counter()
        runs = np.empty((args.reps, len(STATISTICS), 4))
        for r in range(args.reps):
            runs[r] = estimates(*draw(county, frame, rng), calibration)
        spread = runs[:, :, 0].std(axis=0, ddof=1)
        bias = runs[:, :, 0].mean(axis=0) - truth
        ratio = runs[:, :, 1].mean(axis=0) / spread
        cover = ((runs[:, :, 2] <= truth) & (truth <= runs[:, :, 3])).mean(axis=0)
        print(f"\n{name} design ({time.perf_counter() - started:.1f} s)")
        print(f"{'statistic':<22}{'truth':>10}{'bias/MC se':>12}{'SE/spread':>11}{'coverage':>10}")
        for s, stat in enumerate(STATISTICS):
            z = bias[s] / (spread[s] / np.sqrt(args.reps))
            print(f"{stat:<22}{truth[s]:>10.4g}{z:>12.2f}{ratio[s]:>11.3f}{cover[s]:>10.3f}")


if __name__ == "__main__":
    main()

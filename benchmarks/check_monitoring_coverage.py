"""Check (issue 12), not a test: do the monitoring family's intervals cover the demo generator's
planted truths across repeated samples?

The recovery tests (tests/indicators/test_recovery_after_2020.py) compare one sample per county
with its population's truths; a miss there is either the draw or a bias. This script tells them
apart: it simulates a demo county once (:func:`pa_study.demo.generate.simulate_county`: population,
village frame, truths), then draws many samples as the generator does (villages by SRS within each
township, then registered and other households by SRS within each sampled village,
:func:`pa_study.demo.design.draw_households`), gives each its true two-stage design columns and
weights, runs the monitoring family on it with the repository's settings, and prints for each
headline the truth, the mean estimate, the bias over its Monte Carlo SE, the mean SE over the
spread of the estimates (target 0.9-1.1) and the coverage of the 95% intervals (target 93-97%).
The samples are un-messed (no injected problems), so it checks the estimators, not the cleaning.

With ``--calibrate`` each sample's weights are raked, as the clean stage rakes them, to the register
counts the county's ``design.calibration`` in config.yaml gives (:func:`pa_study.design.calibration_margins`,
:func:`pa_study.design.raked`), and the families see the calibration columns, so the intervals allow
for the raking. ``--income`` adds the income family's ATT among registered households
(``att_earned_pc_registered``, truth: the population's realised ATT among registered active
participants).

Run:  python benchmarks/check_monitoring_coverage.py [--counties H Lankao] [--reps 200] [--seed 12]
      [--replicates 50]   (bootstrap replicates of the vulnerable share and relative poverty)
      [--calibrate] [--income]
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from pa_study.clean.run import empty_table  # noqa: E402
from pa_study.codebook import load_codebook  # noqa: E402
from pa_study.config import load_schema, validated_config  # noqa: E402
from pa_study.demo._codebook import load_codebook as load_demo_codebook  # noqa: E402
from pa_study.demo.design import design_scale, draw_households  # noqa: E402
from pa_study.demo.generate import simulate_county  # noqa: E402
from pa_study.demo.profiles import COUNTIES  # noqa: E402
from pa_study.demo.truth import MONITORING_HEADLINES, industry_truths, monitoring_truths  # noqa: E402
from pa_study.design import CALIBRATION_MARGINS, WEIGHT, calibration_margins, design_options, raked  # noqa: E402
from pa_study.indicators import FAMILIES, family_settings  # noqa: E402
from pa_study.indicators.income import income_indicators  # noqa: E402
from pa_study.indicators.monitoring import monitoring_indicators  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The income family's headline checked with ``--income`` -> key in the industry truths.
INCOME_HEADLINES = {"att_earned_pc_registered": "att_realised_registered"}


def truth_at(truths: dict[str, Any], path: str) -> float:
    value: Any = truths
    for key in path.split("/"):
        value = value[key]
    return float(value)


def redraw_villages(frame: pd.DataFrame, per_township: int, rng: np.random.Generator) -> pd.DataFrame:
    """The frame with a new first stage: ``per_township`` villages by SRS in each township."""
    sampled = np.zeros(len(frame), dtype=bool)
    for _, rows in frame.groupby("township_no", sort=True).indices.items():
        sampled[rng.choice(rows, size=min(per_township, len(rows)), replace=False)] = True
    return frame.assign(sampled=sampled)


def sample_table(
    population: pd.DataFrame, frame: pd.DataFrame, take: int, template: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """One sample as the families read it: codebook dtypes and the true two-stage design columns."""
    village_idx = population["village_idx"].to_numpy()
    registered = population["registered"].to_numpy(dtype=bool)
    chosen, weights = draw_households(village_idx, registered, frame, take, rng)
    sample = population.iloc[chosen]
    rows = village_idx[chosen]
    table = pd.DataFrame(
        {
            c: pd.Series(sample[c].tolist(), dtype=template[c].dtype)
            for c in template.columns
            if c in sample.columns and c not in ("township", "village")
        }
    )
    township = frame["township"].to_numpy()[rows]
    group = np.where(registered[chosen], "registered", "other")
    cell = village_idx * 2 + registered
    table["stratum"] = pd.array(township, dtype="string")
    table["psu"] = pd.array(township + "/" + frame["village"].to_numpy()[rows], dtype="string")
    table["fpc_villages"] = pd.array(frame.groupby("township_no")["village"].transform("size").to_numpy()[rows])
    table["design_group"] = pd.array(group, dtype="string")
    table["fpc_households"] = pd.array(np.bincount(cell, minlength=2 * len(frame))[cell[chosen]], dtype="Int64")
    table["weight"] = pd.array(weights, dtype="Float64")
    table["township"] = pd.array(township, dtype="string")
    return table


def calibrated(table: pd.DataFrame, frame: pd.DataFrame, design: Any) -> pd.DataFrame:
    """The sample with its weights raked to the register counts and the calibration columns, as the
    clean stage's :func:`pa_study.design.design_columns` gives them."""
    categories, totals, _, _ = calibration_margins(table, frame, design.calibration)
    table = table.copy()
    for column, total in CALIBRATION_MARGINS.items():
        table[column] = categories[column].astype("string")
        table[total] = pd.array(table[column].map(totals[column]), dtype="Int64")
    table[WEIGHT] = raked(table[WEIGHT], categories, totals)
    return table


def check_county(key: str, args: argparse.Namespace, config: dict[str, Any]) -> None:
    """Draw the samples of one county and print its figures."""
    profile = COUNTIES[key]
    codebook = ROOT / "data" / "codebook" / "codebook.yaml"
    simulated = simulate_county(profile, load_demo_codebook(codebook), design_scale(profile))
    truths = monitoring_truths(simulated.population, key)
    settings = family_settings(config, "monitoring", key).to_dict()
    settings["monitoring"]["replication"]["replicates"] = args.replicates
    settings = FAMILIES["monitoring"].settings_from_json(settings)
    headlines = dict(MONITORING_HEADLINES)
    if args.income:
        truths["industry"] = industry_truths(simulated.population, profile)
        headlines |= {name: f"industry/{path}" for name, path in INCOME_HEADLINES.items()}
        income_settings = family_settings(config, "income", key)
    design = design_options(config["counties"][key]["design"])
    if args.calibrate and design.calibration is None:
        raise SystemExit(f"--calibrate: config.yaml gives {key} no design.calibration")
    template = empty_table(load_codebook(codebook)["households"])
    rng = np.random.default_rng([args.seed, list(COUNTIES).index(key)])
    per_township = int(simulated.frame.groupby("township_no")["sampled"].sum().iloc[0])
    started = time.perf_counter()
    runs = {name: [] for name in headlines}
    for _ in range(args.reps):
        frame = redraw_villages(simulated.frame, per_township, rng)
        table = sample_table(simulated.population, frame, simulated.scale.per_village_take, template, rng)
        if args.calibrate:
            table = calibrated(table, frame, design)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = monitoring_indicators({"households": table}, settings)
            rows = {r["name"]: r for r in result.headline}
            if args.income:
                rows |= {r["name"]: r for r in income_indicators({"households": table}, income_settings).headline}
        for name in headlines:
            row = rows.get(name, {})
            runs[name].append([row.get(k, np.nan) for k in ("estimate", "se", "ci_low", "ci_high")])
    seconds = time.perf_counter() - started
    weights = "raked to the register counts" if args.calibrate else "design weights, uncalibrated"
    print(f"\n{key}: {len(simulated.population)} households, {args.reps} samples, {weights} ({seconds:.0f} s)")
    print(f"{'headline':<36}{'truth':>10}{'mean':>10}{'bias/MCse':>10}{'SE/sd':>7}{'cover':>7}")
    for name, path in headlines.items():
        values = np.array(runs[name], dtype=float)
        ok = ~np.isnan(values[:, 0])
        values, truth = values[ok], truth_at(truths, path)
        if len(values) < 2:
            print(f"{name:<36}{truth:>10.4g}   not estimated")
            continue
        spread = values[:, 0].std(ddof=1)
        z = (values[:, 0].mean() - truth) / (spread / np.sqrt(len(values))) if spread > 0 else np.nan
        cover = np.mean((values[:, 2] <= truth) & (truth <= values[:, 3]))
        ratio = np.nanmean(values[:, 1]) / spread if spread > 0 else np.nan
        print(f"{name:<36}{truth:>10.4g}{values[:, 0].mean():>10.4g}{z:>10.2f}{ratio:>7.2f}{cover:>7.3f}")


def main() -> None:
    """Run the repeated samples of each county and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", nargs="+", default=list(COUNTIES))
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--replicates", type=int, default=50)
    parser.add_argument("--calibrate", action="store_true", help="rake to the county's design.calibration")
    parser.add_argument("--income", action="store_true", help="also the ATT among registered households")
    args = parser.parse_args()
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config = validated_config(raw, load_schema(ROOT / "config.schema.yaml"), check_files=False)
    for key in args.counties:
        check_county(key, args, config)


if __name__ == "__main__":
    main()

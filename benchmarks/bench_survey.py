"""Benchmark: design-based means and SEs of 50 variables, pa_study vs R's survey and the svy package.

Workloads on 100,000 households in 500 villages (PSUs) within 30 townships (strata), unequal
weights, mean and linearisation SE of 50 variables:

1. one-stage: ``SurveyDesign(strata, psu)``, R ``svydesign(ids=~psu, strata=~stratum)``
   (issue 3, section 8: target under 2 s on 2 cores);
2. two-stage (issue 9, section 3): villages without replacement within townships, households
   within a registered / other group of each village, both fpcs:
   ``SurveyDesign(strata=[township, group], psu=[village, household], fpc=[N1, N2])``, R
   ``svydesign(ids=~psu+hh, strata=~stratum+grp, fpc=~N1+N2)``;
3. raking the two-stage design to township and register counts, then the 50 means: R ``rake()``
   (whose variance approximates the calibration residuals) and ``calibrate(calfun="raking")``
   (the residuals pa_study uses, hence the agreement check).

Each timing is design construction (and raking) plus the 50 means, best of ``--repeats`` warm
runs. If ``Rscript`` with ``survey`` is on the PATH the same workloads run there on the same data;
if the ``svy`` package (0.35; polars) is importable it runs too. svy has no stratified second
stage, so its two-stage design is the nearest it has (households within villages, fpc of
the village's households); its estimates are timed, not compared.

Run:  python benchmarks/bench_survey.py [--rows 100000] [--repeats 3] [--no-r] [--no-svy]
This is a benchmark script, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

# Hold the numerical libraries to the 2 cores of the target machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "POLARS_MAX_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pa_study.stats import SurveyDesign  # noqa: E402

N_PSU, N_STRATA, N_VARS = 500, 30, 50
VILLAGES_PER_SAMPLED = 3  # population villages per sampled village (first-stage fraction 1/3)
HOUSEHOLDS_PER_SAMPLED = 5  # population households per sampled household in a group (1/5)

R_SCRIPT = textwrap.dedent("""
    suppressPackageStartupMessages(library(survey))
    options(survey.lonely.psu = "adjust")  # as lonely_psu="adjust" on the Python side
    args <- commandArgs(trailingOnly = TRUE)
    d <- read.csv(args[1])
    d$grp2 <- paste(d$psu, d$grp)
    margins <- read.csv(args[3])
    repeats <- as.integer(args[4])
    vars <- grep("^v", names(d), value = TRUE)
    f <- as.formula(paste("~", paste(vars, collapse = "+")))
    pop_stratum <- margins[margins$margin == "stratum", c("level", "count")]
    names(pop_stratum) <- c("stratum", "Freq")
    pop_grp <- margins[margins$margin == "grp", c("level", "count")]
    names(pop_grp) <- c("grp", "Freq")
    population <- c(`(Intercept)` = sum(pop_grp$Freq),
                    setNames(pop_stratum$Freq[-1], paste0("factor(stratum)", pop_stratum$stratum[-1])),
                    grpregistered = pop_grp$Freq[pop_grp$grp == "registered"])
    workloads <- list(
      one_stage = function() {
        des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
        svymean(f, des)
      },
      two_stage = function() {
        des <- svydesign(ids = ~psu + hh, strata = ~stratum + grp2, fpc = ~N1 + N2, weights = ~w,
                         data = d, nest = TRUE)
        svymean(f, des)
      },
      rake = function() {
        des <- svydesign(ids = ~psu + hh, strata = ~stratum + grp2, fpc = ~N1 + N2, weights = ~w,
                         data = d, nest = TRUE)
        des <- rake(des, list(~stratum, ~grp), list(pop_stratum, pop_grp),
                    control = list(maxit = 100, epsilon = 1e-10))
        svymean(f, des)
      },
      calibrate = function() {
        des <- svydesign(ids = ~psu + hh, strata = ~stratum + grp2, fpc = ~N1 + N2, weights = ~w,
                         data = d, nest = TRUE)
        des <- calibrate(des, ~factor(stratum) + grp, population, calfun = "raking",
                         epsilon = 1e-12, maxit = 100)
        svymean(f, des)
      }
    )
    out <- NULL
    for (name in names(workloads)) {
      best <- Inf
      for (i in seq_len(repeats)) {
        t <- system.time(m <- workloads[[name]]())[["elapsed"]]
        best <- min(best, t)
      }
      out <- rbind(out, data.frame(workload = name, variable = vars, estimate = coef(m), se = SE(m),
                                   seconds = best))
    }
    write.csv(out, args[2], row.names = FALSE)
""")


def make_data(rows: int, seed: int = 20240601) -> pd.DataFrame:
    """Households in villages nested in townships, register groups, cluster effects, 50 variables.

    Sampling weights are those of the two-stage design: (villages in the township / sampled) x
    (households in the village's group / sampled).
    """
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, N_PSU, rows)
    psu_effect = rng.normal(0, 1, N_PSU)[psu]
    registered = rng.random(rows) < 0.3
    frame = pd.DataFrame(
        {
            "stratum": psu % N_STRATA,
            "psu": psu,
            "hh": np.arange(rows),
            "grp": np.where(registered, "registered", "other"),
        }
    )
    sampled_villages = frame.groupby("stratum")["psu"].transform("nunique")
    sampled_in_group = frame.groupby(["psu", "grp"])["hh"].transform("size")
    frame["N1"] = sampled_villages * VILLAGES_PER_SAMPLED
    frame["N2"] = sampled_in_group * HOUSEHOLDS_PER_SAMPLED
    # The product of the stages' inverse fractions, varied as nonresponse adjustments would.
    frame["w"] = (VILLAGES_PER_SAMPLED * HOUSEHOLDS_PER_SAMPLED) * rng.uniform(0.8, 1.25, rows)
    columns = {}
    for j in range(N_VARS):
        noise = rng.normal(0, 1, rows)
        kind = j % 3
        if kind == 0:
            columns[f"v{j}"] = 10 + psu_effect + noise + registered
        elif kind == 1:
            columns[f"v{j}"] = (psu_effect + noise > 0.5).astype(float)
        else:
            columns[f"v{j}"] = np.exp(0.5 * psu_effect + 0.5 * noise)
    return pd.concat([frame, pd.DataFrame(columns)], axis=1)


def make_margins(data: pd.DataFrame, seed: int = 7) -> dict[str, dict]:
    """Register counts per township and in total, 2-10% off the weighted sample (consistent sums)."""
    rng = np.random.default_rng(seed)
    by_town = data.groupby("stratum")["w"].sum() * rng.uniform(1.02, 1.10, N_STRATA)
    total = by_town.sum()
    registered = total * 0.33
    return {
        "stratum": {int(k): float(v) for k, v in by_town.items()},
        "grp": {"registered": registered, "other": total - registered},
    }


def best_time(run: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """First (cold) and best warm time of ``run``, and its last result."""
    times, result = [], None
    for _ in range(repeats + 1):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return times[0], min(times[1:]), result


def python_workloads(data: pd.DataFrame, margins: dict) -> dict[str, Callable[[], pd.DataFrame]]:
    variables = [c for c in data.columns if c.startswith("v")]

    def two_stage() -> SurveyDesign:
        return SurveyDesign(
            data, weight="w", strata=["stratum", "grp"], psu=["psu", "hh"], fpc=["N1", "N2"], lonely_psu="adjust"
        )

    return {
        "one_stage": lambda: SurveyDesign(data, weight="w", strata="stratum", psu="psu").mean(variables),
        "two_stage": lambda: two_stage().mean(variables),
        "rake": lambda: two_stage().rake(margins).mean(variables),
    }


def svy_workloads(data: pd.DataFrame, margins: dict) -> dict[str, Callable[[], object]] | None:
    try:
        import polars as pl
        import svy
    except ImportError:
        return None
    frame = pl.from_pandas(data.assign(N2v=data.groupby("psu")["hh"].transform("size") * HOUSEHOLDS_PER_SAMPLED))
    variables = [c for c in data.columns if c.startswith("v")]
    one = svy.Design(stratum="stratum", psu="psu", wgt="w")
    two = svy.Design(stratum="stratum", psu="psu", ssu="hh", wgt="w", pop_size=svy.PopSize(psu="N1", ssu="N2v"))
    controls = {"stratum": margins["stratum"], "grp": margins["grp"]}
    return {
        "one_stage": lambda: svy.Sample(frame, one).estimation.mean(variables),
        "two_stage": lambda: svy.Sample(frame, two).estimation.mean(variables),
        "rake": lambda: svy.Sample(frame, two).weighting.rake(controls=controls).estimation.mean(variables),
    }


def run_r(data: pd.DataFrame, margins: dict, repeats: int) -> pd.DataFrame | None:
    """R's timings and estimates per workload, or None when R/survey is unavailable."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data_csv, out_csv, margins_csv, script = (Path(tmp) / n for n in ("d.csv", "o.csv", "m.csv", "b.R"))
        data.to_csv(data_csv, index=False)
        rows = [(name, level, count) for name, totals in margins.items() for level, count in totals.items()]
        pd.DataFrame(rows, columns=["margin", "level", "count"]).to_csv(margins_csv, index=False)
        script.write_text(R_SCRIPT)
        run = subprocess.run(
            ["Rscript", str(script), str(data_csv), str(out_csv), str(margins_csv), str(repeats)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            print("R run failed:\n" + run.stderr.strip())
            return None
        return pd.read_csv(out_csv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    parser.add_argument("--no-svy", action="store_true", help="skip the svy package")
    args = parser.parse_args()

    data = make_data(args.rows)
    margins = make_margins(data)
    print(f"workload: {args.rows:,} households, {N_PSU} villages, {N_STRATA} townships, {N_VARS} variables")
    ours = {}
    for name, run in python_workloads(data, margins).items():
        cold, warm, result = best_time(run, args.repeats)
        ours[name] = (warm, result)
        timing = f"first call {cold:.3f} s, best of {args.repeats} {warm:.3f} s"
        print(f"pa_study  {name:10s} design + {N_VARS} means/SEs: {timing}")
    svy_runs = None if args.no_svy else svy_workloads(data, margins)
    if svy_runs is None and not args.no_svy:
        print("svy: not available (pip install svy), no comparison")
    elif svy_runs is not None:
        for name, run in svy_runs.items():
            _, warm, _ = best_time(run, args.repeats)
            ratio = warm / ours[name][0]
            print(f"svy       {name:10s} best of {args.repeats} {warm:.3f} s   (svy / pa_study {ratio:.1f}x)")
    if args.no_r:
        return
    r = run_r(data, margins, args.repeats)
    if r is None:
        print("R survey: not available, no comparison")
        return
    for name in ("one_stage", "two_stage", "rake", "calibrate"):
        rows = r[r["workload"] == name]
        mine = ours["rake" if name == "calibrate" else name]
        ratio = f"(R / pa_study {rows['seconds'].iloc[0] / mine[0]:.1f}x)"
        print(f"R survey  {name:10s} best of {args.repeats} {rows['seconds'].iloc[0]:.3f} s   {ratio}")
        if name == "rake":
            continue  # rake()'s variance is an approximation pa_study does not follow; calibrate is compared
        est = np.max(np.abs(mine[1]["estimate"].to_numpy() / rows["estimate"].to_numpy() - 1))
        se = np.max(np.abs(mine[1]["se"].to_numpy() / rows["se"].to_numpy() - 1))
        print(f"          agreement with R {name}: max relative difference {est:.1e} (estimates), {se:.1e} (SEs)")


if __name__ == "__main__":
    main()

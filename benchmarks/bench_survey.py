"""Benchmark: design-based means and SEs of 50 variables, pa_study vs R's survey package.

Workload (issue 3, section 8): 100,000 households in 500 PSUs within 30 strata, unequal
weights; mean and linearisation SE of 50 variables. The target is under 2 s on 2 cores for
building the design and estimating all 50 means. If ``Rscript`` with the ``survey`` package is
available, the same workload runs there (``svydesign`` + ``svymean``) on the same data, the
results are compared and the time ratio printed.

Run:  python benchmarks/bench_survey.py [--rows 100000] [--repeats 3] [--no-r]
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
from pathlib import Path

# Hold the numerical libraries to the 2 cores of the target machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pa_study.stats import SurveyDesign  # noqa: E402

N_PSU, N_STRATA, N_VARS = 500, 30, 50

R_SCRIPT = textwrap.dedent("""
    suppressPackageStartupMessages(library(survey))
    args <- commandArgs(trailingOnly = TRUE)
    d <- read.csv(args[1])
    vars <- grep("^v", names(d), value = TRUE)
    f <- as.formula(paste("~", paste(vars, collapse = "+")))
    best <- Inf
    for (i in seq_len(as.integer(args[3]))) {
      t <- system.time({
        des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
        m <- svymean(f, des)
      })[["elapsed"]]
      best <- min(best, t)
    }
    write.csv(data.frame(variable = vars, estimate = coef(m), se = SE(m)), args[2],
              row.names = FALSE)
    cat(best, "\\n")
""")


def make_data(rows: int, seed: int = 20240601) -> pd.DataFrame:
    """Households in PSUs nested in strata, with cluster effects and a mix of variable types."""
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, N_PSU, rows)
    psu_effect = rng.normal(0, 1, N_PSU)[psu]
    columns = {"stratum": psu % N_STRATA, "psu": psu, "w": rng.uniform(50, 400, rows)}
    for j in range(N_VARS):
        noise = rng.normal(0, 1, rows)
        kind = j % 3
        if kind == 0:
            columns[f"v{j}"] = 10 + psu_effect + noise
        elif kind == 1:
            columns[f"v{j}"] = (psu_effect + noise > 0.5).astype(float)
        else:
            columns[f"v{j}"] = np.exp(0.5 * psu_effect + 0.5 * noise)
    return pd.DataFrame(columns)


def time_python(data: pd.DataFrame, repeats: int) -> tuple[float, float, pd.DataFrame]:
    """Cold (first call in the process) and best warm time of design + 50 means."""
    variables = [c for c in data.columns if c.startswith("v")]
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        design = SurveyDesign(data, weight="w", strata="stratum", psu="psu")
        result = design.mean(variables)
        times.append(time.perf_counter() - start)
    return times[0], min(times[1:]), result


def time_r(data: pd.DataFrame, repeats: int) -> tuple[float, pd.DataFrame] | None:
    """Best elapsed time of the same workload in R, or None when R/survey is unavailable."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        data_csv, out_csv, script = (Path(tmp) / n for n in ("d.csv", "out.csv", "bench.R"))
        data.to_csv(data_csv, index=False)
        script.write_text(R_SCRIPT)
        run = subprocess.run(
            ["Rscript", str(script), str(data_csv), str(out_csv), str(repeats)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            print("R run failed:\n" + run.stderr.strip())
            return None
        return float(run.stdout.split()[-1]), pd.read_csv(out_csv)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-r", action="store_true", help="skip the R comparison")
    args = parser.parse_args()

    data = make_data(args.rows)
    print(f"workload: {args.rows:,} rows, {N_PSU} PSUs, {N_STRATA} strata, {N_VARS} variables")
    cold, warm, ours = time_python(data, args.repeats)
    print(
        f"pa_study  design + {N_VARS} means/SEs: first call {cold:.3f} s, "
        f"best of {args.repeats} {warm:.3f} s  (target < 2 s)"
    )
    if args.no_r:
        return
    r = time_r(data, args.repeats)
    if r is None:
        print("R survey: not available, no comparison")
        return
    r_time, r_result = r
    print(f"R survey  svydesign + svymean:      best of {args.repeats} {r_time:.3f} s")
    print(f"ratio R / pa_study (warm): {r_time / warm:.1f}x")
    se_diff = np.max(np.abs(ours["se"].to_numpy() / r_result["se"].to_numpy() - 1))
    est_diff = np.max(np.abs(ours["estimate"].to_numpy() / r_result["estimate"].to_numpy() - 1))
    print(f"agreement with R: max relative difference {est_diff:.1e} (estimates), {se_diff:.1e} (SEs)")


if __name__ == "__main__":
    main()

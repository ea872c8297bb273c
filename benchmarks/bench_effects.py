"""Benchmark: IPW effect with 1,000 bootstrap replicates on 5,000 households (target: under 10 s).

Run with ``python benchmarks/bench_effects.py [--households N] [--replicates B] [--repeat R]``.
Prints the best wall-clock time over the repeats for the IPW and AIPW bootstrap, with and without
survey weights and village clusters, next to the analytic (influence-function) run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from pa_study.stats import program_effect

TARGET_SECONDS = 10.0
N_COVARIATES = 8


def simulate_households(n: int, seed: int = 1) -> pd.DataFrame:
    """Households in 250 villages with 8 covariates, logit programme take-up and a linear outcome."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_COVARIATES))
    take_up = 1.0 / (1.0 + np.exp(-(x @ rng.normal(scale=0.3, size=N_COVARIATES) - 0.5)))
    treated = (rng.random(n) < take_up).astype(float)
    data = pd.DataFrame(x, columns=[f"x{j}" for j in range(N_COVARIATES)])
    data["treated"] = treated
    data["income"] = x.sum(axis=1) + 2.0 * treated + rng.normal(size=n)
    data["weight"] = rng.uniform(0.5, 2.0, n)
    data["village"] = rng.integers(0, 250, n)
    return data


def best_time(repeat: int, **kwargs: object) -> tuple[float, float]:
    """Return the fastest wall-clock time over ``repeat`` runs and the standard error it produced."""
    times, se = [], float("nan")
    for _ in range(repeat):
        start = time.perf_counter()
        se = program_effect(**kwargs).se  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
    return min(times), se


def main() -> None:
    """Parse the command line, run the benchmark and print one line per configuration."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=5_000)
    parser.add_argument("--replicates", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = simulate_households(args.households)
    base = {
        "data": data,
        "outcome": "income",
        "treatment": "treated",
        "covariates": [f"x{j}" for j in range(N_COVARIATES)],
    }
    designs = {"unweighted": {}, "weights + village clusters": {"weight": "weight", "cluster": "village"}}
    print(f"{args.households} households, {N_COVARIATES} covariates, {args.replicates} bootstrap replicates")
    for method in ("ipw", "aipw"):
        for label, design in designs.items():
            analytic, se_if = best_time(args.repeat, method=method, **base, **design)
            boot, se_boot = best_time(args.repeat, method=method, n_boot=args.replicates, seed=1, **base, **design)
            verdict = "ok" if boot < TARGET_SECONDS else "SLOW"
            print(
                f"{method:4s} {label:27s} bootstrap {boot:6.2f} s [{verdict}, target {TARGET_SECONDS:.0f} s]"
                f"  analytic {analytic * 1000:6.1f} ms   se boot/analytic {se_boot / se_if:.3f}"
            )


if __name__ == "__main__":
    main()

"""Benchmark of the indicator stage (issue 4 targets: all indicator jobs of the four demo counties
within 20 s wall on 2 cores; issue 15: the identification family on 1,000,000 households within
10 s and 2 GB peak memory, the other household-side families held to the same order).

1. The indicator jobs (4 counties x every registered family) on the cleaned demo data, two ways:
   - in a pool of two worker processes forked after the package is imported, as bench_clean.py
     does (the computation alone);
   - through ``snakemake --cores 2 --forcerun indicators`` in a scratch copy of the project, where
     every job is its own ``pa-study indicators`` process (interpreter and imports included).
   Needs ``results/<county>/clean`` (run ``snakemake --cores 2`` first).
2. The identification family on a simulated cleaned household table of N households (default
   1,000,000; stratified two-stage design, registration, exits, incomes and 两不愁三保障 items),
   run as the workflow runs it: ``pa-study indicators --family identification`` in a child process,
   whose wall time and peak resident memory are printed. Simulating the table is not timed.
3. The other household-side families (``--families``, default income, capability and monitoring)
   on H's cleaned demo households replicated to N (the sampled villages copied as new villages up to
   about 1,000, then households copied within their village; frame counts multiplied alike, so
   weights keep their meaning), the county's other cleaned tables as they are. Each family runs
   as in 2.

    python benchmarks/bench_indicators.py
    python benchmarks/bench_indicators.py --households 200000 --skip-snakemake --families income
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

# Hold the numerical libraries to the 2 cores of the target machine.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import yaml  # noqa: E402

from pa_study.codebook import load_codebook  # noqa: E402
from pa_study.config import canonical_json, load_schema, validated_config  # noqa: E402
from pa_study.files import write_json, write_parquet  # noqa: E402
from pa_study.indicators import FAMILIES, family_settings  # noqa: E402
from pa_study.indicators.run import run_indicators  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data" / "codebook" / "codebook.yaml"
COUNTIES = ("H", "Yishui", "Boxing", "Lankao")


def study_config() -> dict:
    """The repository's validated config."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    return validated_config(raw, load_schema(ROOT / "config.schema.yaml"), check_files=False)


def one_job(family: str, county: str, outdir: Path) -> tuple[str, str, float]:
    """Run one family for one county in this worker; return (county, family, seconds)."""
    started = time.perf_counter()
    run_indicators(
        family=family,
        settings=family_settings(study_config(), family, county),
        clean_dir=ROOT / "results" / county / "clean",
        codebook=load_codebook(CODEBOOK),
        output=outdir / county / f"{family}.json",
        tables_dir=outdir / county / family,
    )
    return county, family, time.perf_counter() - started


def bench_pool(outdir: Path) -> float:
    """Wall time of the indicator jobs in a pool of two worker processes."""
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(one_job, f, c, outdir) for c in COUNTIES for f in FAMILIES]
        timings = [job.result() for job in jobs]
    wall = time.perf_counter() - started
    for county, family, seconds in timings:
        print(f"  {county:7s} {family:15s} {seconds:6.2f} s")
    return wall


def bench_snakemake(workdir: Path) -> float:
    """Wall time of ``snakemake --cores 2`` re-running the indicator jobs in a project copy."""
    for name in ("Snakefile", "config.yaml", "config.schema.yaml"):
        shutil.copy(ROOT / name, workdir / name)
    for name in ("rules", "data"):
        shutil.copytree(ROOT / name, workdir / name)
    for county in COUNTIES:
        shutil.copytree(ROOT / "results" / county / "clean", workdir / "results" / county / "clean")
    targets = [f"results/{c}/indicators/{f}.json" for c in COUNTIES for f in FAMILIES]
    # Options taking several values come last, so the targets are not read as their values.
    command = [
        sys.executable,
        "-m",
        "snakemake",
        *targets,
        "--cores",
        "2",
        "--forcerun",
        "indicators",
        "--allowed-rules",
        "indicators",
        "--quiet",
        "all",
    ]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed:\n{proc.stderr[-3000:]}")
    return wall


def simulated_households(n: int, seed: int = 20240601) -> pd.DataFrame:
    """A cleaned-like household table of ``n`` households: 40 townships of 80 villages, 25 sampled
    per township, registered households oversampled, incomes, exits and 两不愁三保障 items."""
    rng = np.random.default_rng(seed)
    townships, sampled = 40, 25
    village = rng.integers(0, townships * sampled, n)
    township = village // sampled
    registered = rng.random(n) < 0.3
    size = rng.integers(1, 8, n)
    income_pc = np.exp(rng.normal(8.9 - 0.8 * registered, 0.6, n))
    parts = rng.dirichlet([6, 3, 1, 1], n) * (income_pc * size)[:, None]
    base = parts * rng.uniform(0.5, 0.9, (n, 1))
    exited = registered & (rng.random(n) < 0.7)
    names = np.array([f"镇{t:02d}" for t in range(townships)], dtype=object)
    frame = pd.DataFrame(
        {
            "county": "模拟县",
            "township": names[township],
            "village": [f"村{v:04d}" for v in village],
            "household_id": [f"h{i:07d}" for i in range(n)],
            "registered": registered,
            "exited": exited,
            "hh_size": size,
            "poverty_cause": np.where(
                registered, rng.choice(["illness", "disability", "lack_labour", "lack_skills", "other"], n), None
            ),
            "food_secure": rng.random(n) > 0.005,
            "clothing_secure": rng.random(n) > 0.005,
            "child_out_of_school": rng.random(n) < 0.003,
            "medical_insured": rng.random(n) > 0.02,
            "housing_grade": rng.choice(["a", "b", "c", "d"], n, p=[0.6, 0.37, 0.02, 0.01]),
            "safe_water": rng.random(n) > 0.01,
        }
    )
    for j, part in enumerate(("inc_wage", "inc_business", "inc_property", "inc_transfer")):
        frame[part] = np.round(parts[:, j], -1)
        frame[f"{part}_base"] = np.round(base[:, j], -1)
    frame["inc_total"] = frame[["inc_wage", "inc_business", "inc_property", "inc_transfer"]].sum(axis=1)
    frame["inc_total_base"] = frame[
        [f"{p}_base" for p in ("inc_wage", "inc_business", "inc_property", "inc_transfer")]
    ].sum(axis=1)
    frame["stratum"] = frame["township"]
    frame["psu"] = frame["township"] + "/" + frame["village"]
    frame["fpc_villages"] = 80
    # Second stage: registered and other households drawn separately in each village, 1 in 2 and 1 in 9.
    frame["design_group"] = np.where(registered, "registered", "other")
    drawn = frame.groupby(["psu", "design_group"])["household_id"].transform("size")
    frame["fpc_households"] = drawn * np.where(registered, 2, 9)
    frame["weight"] = np.where(registered, 2.0, 9.0) * 80 / sampled
    return frame.astype(
        {
            "registered": "boolean",
            "exited": "boolean",
            "hh_size": "Int64",
            "township": "string",
            "village": "string",
            "stratum": "string",
            "psu": "string",
            "design_group": "string",
            "fpc_households": "Int64",
        }
    )


def replicated_demo_households(households: int, villages: int = 1_000) -> pd.DataFrame:
    """H's cleaned demo households replicated to ``households`` rows, as a county census would hold
    them: the sampled villages copied as new villages of their townships up to about ``villages``
    villages, then the households of each village copied within it. Frame counts (villages per
    township, households per village group) grow with the copies, so weights keep their meaning."""
    demo = pd.read_parquet(ROOT / "results" / "H" / "clean" / "households.parquet")
    copies = -(-households // len(demo))
    village_copies = min(copies, max(1, villages // demo["psu"].nunique()))
    household_copies = -(-copies // village_copies)
    parts = []
    for v in range(village_copies):
        for h in range(household_copies):
            part = demo.copy()
            for column in ("village", "psu"):
                part[column] = part[column] + f"#{v}"
            part["household_id"] = part["household_id"] + f"#{v}.{h}"
            parts.append(part)
    frame = pd.concat(parts, ignore_index=True).iloc[:households]
    frame["fpc_villages"] = frame["fpc_villages"] * village_copies
    frame["fpc_households"] = frame["fpc_households"] * household_copies
    return frame.reset_index(drop=True)


def demo_clean_folder(households: int, folder: Path) -> Path:
    """A clean folder of H's cleaned tables with the households replicated to ``households``."""
    clean = folder / "clean"
    shutil.copytree(ROOT / "results" / "H" / "clean", clean)
    write_parquet(replicated_demo_households(households), clean / "households.parquet")
    return clean


def simulated_clean_folder(households: int, folder: Path) -> Path:
    """A clean folder holding only the simulated household table of ``households`` rows."""
    clean = folder / "clean"
    write_parquet(simulated_households(households), clean / "households.parquet")
    write_json({"tables": {"households": {"collected": True}}}, clean / "summary.json")
    return clean


def bench_family(family: str, clean: Path, folder: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of ``pa-study indicators
    --family <family>`` on ``clean`` in a child process (the peak is that child's alone: each runs
    after the previous one ended). On a shared machine the CPU time is the steadier figure."""
    settings = family_settings(study_config(), family, "H")
    command = [
        sys.executable,
        "-m",
        "pa_study.cli",
        "indicators",
        "--family",
        family,
        "--settings",
        canonical_json(settings.to_dict()),
        "--clean-dir",
        str(clean),
        "--codebook",
        str(CODEBOOK),
        "--output",
        str(folder / f"{family}.json"),
        "--tables-dir",
        str(folder / family),
    ]
    # A fresh child per family, so that RUSAGE_CHILDREN's maximum is this family's own peak.
    probe = (
        "import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "sys.stderr.write(p.stderr[-3000:]); "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); print(u.ru_utime + u.ru_stime, u.ru_maxrss); "
        "sys.exit(p.returncode)"
    )
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{family} failed:\n{proc.stderr[-3000:]}")
    cpu, peak = proc.stdout.split()[-2:]
    return wall, float(cpu), int(peak) / 1024


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument(
        "--skip-snakemake", action="store_true", help="only the worker-pool timing of the indicator jobs"
    )
    parser.add_argument(
        "--families",
        default="income,capability,monitoring",
        help="comma-separated household-side families to run on the replicated demo households ('' for none)",
    )
    parser.add_argument("--skip-pool", action="store_true", help="leave out the demo indicator jobs (1.)")
    parser.add_argument(
        "--skip-identification", action="store_true", help="leave out identification on simulated households (2.)"
    )
    args = parser.parse_args()
    missing = [c for c in COUNTIES if not (ROOT / "results" / c / "clean" / "summary.json").is_file()]
    if missing:
        raise SystemExit(f"no cleaned demo data for {missing}: run `snakemake --cores 2` first")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jobs = f"{len(COUNTIES) * len(FAMILIES)} indicator jobs ({len(COUNTIES)} counties x {len(FAMILIES)} families)"
        if not args.skip_pool:
            print(f"{jobs}, 2 worker processes:")
            pool = bench_pool(work / "pool")
            print(f"  wall {pool:.1f} s (target 20 s)")
        if not args.skip_snakemake:
            (work / "project").mkdir()
            wall = bench_snakemake(work / "project")
            print(f"{jobs} through snakemake --cores 2: wall {wall:.1f} s (target 20 s), one interpreter per job")
        if not args.skip_identification:
            wall, cpu, peak = bench_family(
                "identification", simulated_clean_folder(args.households, work / "large"), work
            )
            print(
                f"identification on {args.households:,} simulated households: wall {wall:.1f} s (target 10 s), "
                f"CPU {cpu:.1f} s, peak memory {peak:,.0f} MB (target 2,048 MB); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
        families = [f for f in args.families.split(",") if f]
        if families:
            clean = demo_clean_folder(args.households, work / "demo")
            for family in families:
                wall, cpu, peak = bench_family(family, clean, work / "demo")
                print(
                    f"{family} on H's demo households replicated to {args.households:,}: wall {wall:.1f} s, "
                    f"CPU {cpu:.1f} s, peak memory {peak:,.0f} MB; load average {os.getloadavg()[0]:.1f}"
                )


if __name__ == "__main__":
    main()

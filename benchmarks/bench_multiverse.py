"""Benchmark of the specification multiverse: the default grid of config.yaml on 2 cores.

Runs every specification job of the multiverse's counties and families (each its own job, as
``snakemake --cores 2`` runs them) in a pool of two worker processes, then each family's table and
curves, and prints the wall time, the number of jobs and each job's CPU time. Reads the cleaned
tables and indicator files of a finished run (``snakemake --cores 2`` first); writes to a
temporary folder.

    python benchmarks/bench_multiverse.py
    python benchmarks/bench_multiverse.py --all-counties
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pa_study.codebook import load_codebook
from pa_study.config import load_schema, load_yaml, validated_config
from pa_study.multiverse import family_specifications, multiverse_counties, multiverse_families
from pa_study.multiverse.run import run_multiverse_table, run_specification

ROOT = Path(__file__).resolve().parents[1]


def specification_job(config: dict, county: str, family: str, key: str, outdir: str) -> tuple[str, float]:
    """Run one specification; return its name and CPU seconds."""
    started = time.process_time()
    spec = next(s for s in family_specifications(config, family, county) if s.key == key)
    run_specification(
        family=family,
        settings=spec.settings,
        key=key,
        choices=spec.choices,
        clean_dir=ROOT / "results" / county / "clean",
        codebook=load_codebook(ROOT / config["codebook"]),
        output=Path(outdir) / county / family / f"{key}.json",
    )
    return f"{county}/{family}/{key}", time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all-counties", action="store_true", help="every studied county, not the focal one only")
    args = parser.parse_args()
    config = validated_config(load_yaml(ROOT / "config.yaml"), load_schema(ROOT / "config.schema.yaml"))
    if args.all_counties:
        config = copy.deepcopy(config)
        config["multiverse"]["counties"] = "all"
    counties, families = multiverse_counties(config), multiverse_families(config)
    missing = [c for c in counties if not (ROOT / "results" / c / "clean" / "summary.json").is_file()]
    if missing:
        print(f"no cleaned tables for {', '.join(missing)}: run `snakemake --cores 2` first", file=sys.stderr)
        return 1
    jobs = [
        (county, family, spec.key)
        for county in counties
        for family in families
        for spec in family_specifications(config, family, county)
        if not spec.baseline
    ]
    with tempfile.TemporaryDirectory() as outdir:
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as pool:
            timings = list(
                pool.map(specification_job, *zip(*[(config, c, f, k, outdir) for c, f, k in jobs], strict=True))
            )
        specifications_wall = time.perf_counter() - started
        for county in counties:
            for family in families:
                specs = family_specifications(config, family, county)
                run_multiverse_table(
                    family=family,
                    baseline=ROOT / "results" / county / "indicators" / f"{family}.json",
                    specifications=[Path(outdir) / county / family / f"{s.key}.json" for s in specs if not s.baseline],
                    choices={s.key: s.choices for s in specs},
                    headlines=config["multiverse"]["families"][family]["headlines"],
                    table_out=Path(outdir) / county / f"{family}.csv",
                    verdicts_out=Path(outdir) / county / f"{family}_verdicts.csv",
                    curves_dir=Path(outdir) / county / f"{family}_curves",
                    languages=config["report"]["languages"],
                )
        total_wall = time.perf_counter() - started
    print(f"multiverse: {len(jobs)} specification jobs ({', '.join(counties)}; {', '.join(families)}) on 2 workers")
    print(f"specifications: {specifications_wall:.1f} s wall; with the tables and curves: {total_wall:.1f} s wall")
    for name, cpu in sorted(timings):
        print(f"  {name}: {cpu:.2f} s CPU")
    print("(the first job of each worker includes the imports; run by snakemake, every job starts a pa-study process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

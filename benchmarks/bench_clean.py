"""Benchmark of the ingest and clean stages (issue targets: the four demo counties within 10 s wall
on 2 cores; 100,000 households per county within 60 s and 2 GB peak memory).

Runs ingest + clean for each county in a pool of two worker processes, as ``snakemake --cores 2``
would, and prints wall time and each worker's peak resident memory. With ``--scale N`` the demo
generator first writes N sampled households per county to a temporary folder (not timed).

    python benchmarks/bench_clean.py
    python benchmarks/bench_clean.py --scale 100000
    python benchmarks/bench_clean.py --scale 1000000 --counties H
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from pa_study.clean.run import run_clean
from pa_study.clean.settings import CleaningOptions
from pa_study.codebook import load_codebook
from pa_study.config import instruments_of, load_schema, validated_config
from pa_study.design import design_options
from pa_study.ingest.corrections import ingest_corrections
from pa_study.ingest.deidentify import resolve_salt
from pa_study.ingest.run import run_ingest

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data" / "codebook" / "codebook.yaml"


def ingest_and_clean(
    county: str, block: dict, cleaning: dict, pseudonym: dict, outdir: Path
) -> tuple[str, float, float]:
    """Run both stages for one county; return (county, seconds, peak RSS of this worker in MB)."""
    started = time.perf_counter()
    codebook = load_codebook(CODEBOOK)
    salt = resolve_salt(**pseudonym, synthetic=block["synthetic"])
    folder = outdir / county
    tables, reports = {}, {}
    for name in instruments_of(block):
        tables[name], reports[name] = str(folder / f"{name}.parquet"), str(folder / f"{name}.json")
        run_ingest(
            raw_file=block["files"][name],
            instrument=codebook[name],
            salt=salt,
            table_out=tables[name],
            report_out=reports[name],
        )
    corrections = None
    if block.get("corrections"):
        from pa_study.files import write_parquet

        corrections = str(folder / "corrections.parquet")
        write_parquet(ingest_corrections(block["corrections"], codebook["households"], salt=salt), corrections)
    run_clean(
        tables=tables,
        reports=reports,
        codebook=codebook,
        options=CleaningOptions.from_config(cleaning),
        design=design_options(block["design"]),
        corrections=corrections,
        corrections_source=block["corrections"],
        outdir=folder / "clean",
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return county, time.perf_counter() - started, peak_mb


def scaled_config(config: dict, households: int, folder: Path, counties: list[str] | None = None) -> dict:
    """Generate ``households`` per county (of ``counties``, default all) under ``folder`` and point
    the config at those files."""
    from pa_study.demo import Destinations, generate

    started = time.perf_counter()
    generate(Destinations(folder / "raw", folder / "truth", folder / "corrections"), households, counties, CODEBOOK)
    print(f"generated {households:,} households per county in {time.perf_counter() - started:.1f} s (not timed below)")
    config = copy.deepcopy(config)
    for key, block in config["counties"].items():
        if counties is not None and key not in counties:
            continue
        for spec in block["files"].values():
            spec["path"] = str(folder / Path(spec["path"]).relative_to("data"))
        if block.get("corrections"):
            block["corrections"] = str(folder / Path(block["corrections"]).relative_to("data"))
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=None, help="sampled households per county to generate")
    parser.add_argument("--counties", default=None, help="comma-separated counties to run (default: all four)")
    args = parser.parse_args(argv)
    chosen = args.counties.split(",") if args.counties else None
    with open(ROOT / "config.yaml", encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        if args.scale:
            config = scaled_config(config, args.scale, tmp_path, chosen)
        config = validated_config(config, load_schema(ROOT / "config.schema.yaml"), check_files=not chosen)
        counties = chosen or [config["focal"], *config["benchmarks"]]
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as pool:
            jobs = [
                pool.submit(
                    ingest_and_clean,
                    c,
                    config["counties"][c],
                    config["cleaning"],
                    config["pseudonym"],
                    tmp_path / "results",
                )
                for c in counties
            ]
            results = [job.result() for job in jobs]
        wall = time.perf_counter() - started
    for county, seconds, peak in results:
        print(f"{county:8s} ingest+clean {seconds:6.2f} s   worker peak RSS {peak:7.0f} MB")
    label = f"{args.scale:,} households per county" if args.scale else "demo data"
    print(
        f"wall time, {len(results)} counties on 2 workers ({label}): {wall:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"largest worker peak memory: {max(r[2] for r in results):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

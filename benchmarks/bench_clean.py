"""Benchmark of the ingest and clean stages (issue targets: the four demo counties within 10 s wall
on 2 cores; 100,000 households per county within 60 s and 2 GB peak memory; issue 15: a
1,000,000-household county's clean stage held to the order of identification's 10 s and 2 GB, and
its ingest within 4 GB).

Runs each county's ingest, then its clean, each job in a fresh worker process of a pool of two, as
``snakemake --cores 2`` would (a job per process), and prints per stage and county the wall time,
the CPU time and the worker's peak resident memory. With ``--scale N`` the demo generator first
writes N sampled households per county (not timed). With ``--workdir DIR`` the generated files and
the outputs are kept in DIR, and a later run at the same scale reuses the files instead of
generating them again (about 3 minutes at 1,000,000 households); ``--stages clean`` then reruns the
clean stage alone on the kept ingest outputs.

    python benchmarks/bench_clean.py
    python benchmarks/bench_clean.py --scale 100000
    python benchmarks/bench_clean.py --scale 1000000 --counties H --workdir /tmp/bench-1m
    python benchmarks/bench_clean.py --scale 1000000 --counties H --workdir /tmp/bench-1m --stages clean
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import yaml

from pa_study.codebook import load_codebook
from pa_study.config import instruments_of, load_schema, validated_config

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "data" / "codebook" / "codebook.yaml"
STAGES = ("ingest", "clean")


def run_stage(stage: str, county: str, block: dict, cleaning: dict, pseudonym: dict, folder: Path) -> dict:
    """Run one stage for one county in this (fresh) worker; return its wall and CPU seconds and the
    worker's peak resident memory in MB."""
    started, cpu = time.perf_counter(), time.process_time()
    if stage == "ingest":
        ingest_county(block, pseudonym, folder)
    else:
        clean_county(block, cleaning, folder)
    return {
        "stage": stage,
        "county": county,
        "wall": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "peak_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: the kernel's high-water mark of its memory map
    (``VmHWM``), which starts afresh in a spawned worker, where ``ru_maxrss`` carries the peak of
    the process that spawned it (this script's, which generated the data)."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ingest_county(block: dict, pseudonym: dict, folder: Path) -> None:
    """The ingest stage of one county: every instrument's file, and the corrections file."""
    from pa_study.files import write_parquet
    from pa_study.ingest.corrections import ingest_corrections
    from pa_study.ingest.deidentify import resolve_salt
    from pa_study.ingest.run import run_ingest

    codebook = load_codebook(CODEBOOK)
    salt = resolve_salt(**pseudonym, synthetic=block["synthetic"])
    for name in instruments_of(block):
        run_ingest(
            raw_file=block["files"][name],
            instrument=codebook[name],
            salt=salt,
            table_out=folder / f"{name}.parquet",
            report_out=folder / f"{name}.json",
        )
    if block.get("corrections"):
        corrections = ingest_corrections(block["corrections"], codebook["households"], salt=salt)
        write_parquet(corrections, folder / "corrections.parquet")


def clean_county(block: dict, cleaning: dict, folder: Path) -> None:
    """The clean stage of one county, on the outputs of :func:`ingest_county` in ``folder``."""
    from pa_study.clean.run import run_clean
    from pa_study.clean.settings import CleaningOptions
    from pa_study.design import design_options

    names = instruments_of(block)
    run_clean(
        tables={name: str(folder / f"{name}.parquet") for name in names},
        reports={name: str(folder / f"{name}.json") for name in names},
        codebook=load_codebook(CODEBOOK),
        options=CleaningOptions.from_config(cleaning),
        design=design_options(block["design"]),
        corrections=str(folder / "corrections.parquet") if block.get("corrections") else None,
        corrections_source=block["corrections"],
        outdir=folder / "clean",
    )


def scaled_config(config: dict, households: int, folder: Path, counties: list[str] | None = None) -> dict:
    """Point the config at ``households`` per county (of ``counties``, default all) under ``folder``,
    generating them unless ``folder`` already holds them from a run at the same scale."""
    from pa_study.demo import Destinations, generate

    stamp = folder / "generated.json"
    wanted = {"households": households, "counties": sorted(counties or config["counties"])}
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
        print(f"reusing the {households:,} households per county generated in {folder}")
    else:
        started = time.perf_counter()
        stamp.unlink(missing_ok=True)
        generate(Destinations(folder / "raw", folder / "truth", folder / "corrections"), households, counties, CODEBOOK)
        stamp.write_text(json.dumps(wanted), encoding="utf-8")
        print(f"generated {households:,} households per county in {time.perf_counter() - started:.1f} s (not timed)")
    config = copy.deepcopy(config)
    for key, block in config["counties"].items():
        if counties is not None and key not in counties:
            continue
        for spec in block["files"].values():
            spec["path"] = str(folder / Path(spec["path"]).relative_to("data"))
        if block.get("corrections"):
            block["corrections"] = str(folder / Path(block["corrections"]).relative_to("data"))
    return config


@contextlib.contextmanager
def work_folder(workdir: str | None) -> Iterator[Path]:
    """``workdir`` (created if need be and kept), or a temporary folder removed afterwards."""
    if workdir:
        Path(workdir).mkdir(parents=True, exist_ok=True)
        yield Path(workdir)
        return
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def run_stages(stages: list[str], counties: list[str], config: dict, outdir: Path) -> tuple[list[dict], float]:
    """Run the stages in order, each county's job in a fresh worker of a pool of two; return the
    jobs' figures and the wall time of all of them."""
    started = time.perf_counter()
    figures = []
    # One job per process, as snakemake runs them, so each job's peak memory is its own.
    with ProcessPoolExecutor(max_workers=2, max_tasks_per_child=1) as pool:
        for stage in stages:
            jobs = [
                pool.submit(
                    run_stage,
                    stage,
                    county,
                    config["counties"][county],
                    config["cleaning"],
                    config["pseudonym"],
                    outdir / county,
                )
                for county in counties
            ]
            figures += [job.result() for job in jobs]
    return figures, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=None, help="sampled households per county to generate")
    parser.add_argument("--counties", default=None, help="comma-separated counties to run (default: all four)")
    parser.add_argument("--workdir", default=None, help="keep generated files and outputs here and reuse them")
    parser.add_argument(
        "--stages", default=",".join(STAGES), help="comma-separated stages to run (clean needs a kept ingest)"
    )
    args = parser.parse_args(argv)
    chosen = args.counties.split(",") if args.counties else None
    stages = [s for s in STAGES if s in args.stages.split(",")]
    with open(ROOT / "config.yaml", encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    with work_folder(args.workdir) as folder:
        if args.scale:
            config = scaled_config(config, args.scale, folder, chosen)
        config = validated_config(config, load_schema(ROOT / "config.schema.yaml"), check_files=not chosen)
        counties = chosen or [config["focal"], *config["benchmarks"]]
        figures, wall = run_stages(stages, counties, config, folder / "results")
    for f in figures:
        print(
            f"{f['county']:8s} {f['stage']:6s} {f['wall']:7.2f} s wall {f['cpu']:7.2f} s CPU   "
            f"worker peak RSS {f['peak_mb']:7.0f} MB"
        )
    label = f"{args.scale:,} households per county" if args.scale else "demo data"
    print(
        f"wall time, {' + '.join(stages)} of {len(counties)} counties on 2 workers ({label}): {wall:.2f} s; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for stage in stages:
        print(f"largest {stage} peak memory: {max(f['peak_mb'] for f in figures if f['stage'] == stage):.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

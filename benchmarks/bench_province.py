"""Benchmark of a province (issue 15): wall time and peak memory per stage on 2 cores, every job's
use against the resources its rule asks for, and the cold demo run.

1. A synthetic province, ``python -m pa_study.demo --counties 100 --households 30000`` (10 census
   counties of about 30,000 households, 90 samples of about 1,000), written to ``--workdir`` (kept
   and reused when it is already there).
2. The workflow in that folder one stage after another: ``snakemake --cores 2 --directory <province>
   --until <the stage's rules>``. For each stage: its wall time (Snakemake's start-up and DAG
   included), its jobs, the peak memory of its largest job and the sum of its jobs' wall times. Each
   job's use comes from the last line of its log (``used: peak memory … MB, wall … s, CPU … s``, written by
   ``pa-study``), its request from the resources Snakemake prints (``mem_mb``, ``runtime``), its
   input size from the files it read.
3. Requests against use: every job whose peak memory or wall time exceeds its request (there
   should be none), and per kind of job the least-squares lines of peak memory and of CPU time on
   input size — the measurements behind ``pa_study.workflow.FOOTPRINTS`` (CPU time, not wall
   time: a job given its cores runs in about its CPU time, and CPU time is what a machine shared
   with other work still measures).
4. The cold demo run: the repository's workflow and demo data copied to a scratch folder and
   ``snakemake --cores 2`` run from nothing, ``--runs`` times (median).

    python benchmarks/bench_province.py                              # the 100-county province, then the demo
    python benchmarks/bench_province.py --demo-only --runs 5
    # a census of 1,000,000 households (GBK CSV) beside a small sample county: ingest, clean and
    # every indicator family on census size, each job's peak memory and CPU time
    python benchmarks/bench_province.py --counties 2 --households 1000000 --sample 200 --census 1 --skip-demo
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

# Hold the numerical libraries to the 2 cores of the target machine (the jobs inherit this).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "2")

import numpy as np  # noqa: E402

from pa_study.figures import FIGURES  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STAGES = {
    "ingest": ["ingest", "ingest_corrections"],
    "clean": ["clean"],
    "indicators": ["indicators"],
    "compare": ["compare_microdata", "compare_pooled", "compare_published"],
    "figures": [f"figure_{name}" for name in FIGURES],
    "report": ["report_pdf"],
}
_JOB = re.compile(r"^(?:local)?rule (\S+):\n((?:    .*\n?)+)", re.MULTILINE)
_USED = re.compile(r"used: peak memory (\d+) MB, wall ([\d.]+) s, CPU ([\d.]+) s")


@dataclass
class Job:
    """One job of a run: its rule, what it read, what it asked for and what it used."""

    rule: str
    inputs: list[str]
    log: str
    mem_mb: int | None
    runtime_min: int | None
    input_mb: float = 0.0
    peak_mb: float | None = None
    wall_s: float | None = None
    cpu_s: float | None = None

    @property
    def kind(self) -> str:
        """The rule, with the raw file's format for an ingest (their footprints differ)."""
        if self.rule == "ingest" and self.inputs:
            return f"ingest:{Path(self.inputs[0]).suffix.lstrip('.')}"
        return "figure" if self.rule.startswith("figure_") else self.rule


def _field(block: str, name: str) -> str | None:
    match = re.search(rf"^    {name}: (.*)$", block, re.MULTILINE)
    return match.group(1) if match else None


def _resource(resources: str | None, name: str) -> int | None:
    match = re.search(rf"\b{name}=(\d+)", resources or "")
    return int(match.group(1)) if match else None


def _size_mb(folder: Path, path: str) -> float:
    target = folder / path
    if target.is_dir():
        return sum(p.stat().st_size for p in target.rglob("*") if p.is_file()) / 1e6
    return target.stat().st_size / 1e6 if target.is_file() else 0.0


def jobs_of(output: str, folder: Path) -> list[Job]:
    """The jobs a Snakemake run printed, with their use read from their logs."""
    jobs = []
    for rule, block in _JOB.findall(output):
        log = _field(block, "log")
        if rule == "all" or log is None:
            continue
        inputs = (_field(block, "input") or "").split(", ")
        resources = _field(block, "resources")
        job = Job(rule, inputs, log, _resource(resources, "mem_mb"), _resource(resources, "runtime"))
        job.input_mb = sum(_size_mb(folder, p) for p in inputs if p)
        used = _USED.findall((folder / log).read_text(encoding="utf-8")) if (folder / log).is_file() else []
        if used:
            job.peak_mb, job.wall_s, job.cpu_s = (float(v) for v in used[-1])
        jobs.append(job)
    return jobs


def snakemake(folder: Path, *args: str) -> tuple[float, str]:
    """Run snakemake on 2 cores in ``folder``; its wall time and printed output."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"), "--cores", "2", *args]
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed in {folder}:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    return wall, proc.stdout + proc.stderr


def make_province(folder: Path, args: argparse.Namespace) -> None:
    """Write the province unless ``folder`` already holds one."""
    if (folder / "config.yaml").is_file():
        print(f"province: reusing {folder}")
        return
    command = [sys.executable, "-m", "pa_study.demo", "--counties", str(args.counties)]
    command += ["--households", str(args.households), "--sample", str(args.sample), "--out", str(folder)]
    if args.census is not None:
        command += ["--census", str(args.census)]
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    size = sum(p.stat().st_size for p in (folder / "data" / "raw").rglob("*") if p.is_file()) / 1e6
    print(f"province: {args.counties} counties written in {time.perf_counter() - started:.0f} s ({size:.0f} MB raw)")


def bench_stages(folder: Path) -> list[Job]:
    """Run the stages one after another; print each stage's figures; return every job."""
    print(f"\n{'stage':11s} {'wall s':>8s} {'jobs':>5s} {'peak MB':>8s} {'largest job':28s} {'sum of jobs s':>13s}")
    everything = []
    for stage, rules in STAGES.items():
        wall, output = snakemake(folder, "--until", *rules)
        jobs = [j for j in jobs_of(output, folder) if j.rule in rules]
        everything += jobs
        measured = [j for j in jobs if j.peak_mb is not None]
        largest = max(measured, key=lambda j: j.peak_mb or 0.0, default=None)
        name = f"{largest.rule} {Path(largest.log).stem}"[:28] if largest else "-"
        peak = f"{largest.peak_mb:8.0f}" if largest else "       -"
        total = sum(j.wall_s or 0.0 for j in measured)
        print(f"{stage:11s} {wall:8.1f} {len(jobs):5d} {peak} {name:28s} {total:13.1f}")
    return everything


def check_requests(jobs: list[Job]) -> None:
    """Print the jobs whose use exceeded their request, and per kind of job the fitted lines."""
    measured = [j for j in jobs if j.peak_mb is not None]
    over = [
        j
        for j in measured
        if (j.mem_mb is not None and j.peak_mb > j.mem_mb)
        or (j.runtime_min is not None and (j.wall_s or 0) > 60 * j.runtime_min)
    ]
    print(f"\nrequests against use: {len(measured)} jobs measured, {len(over)} used more than they asked for")
    for j in over:
        print(f"  {j.log}: asked {j.mem_mb} MB / {j.runtime_min} min, used {j.peak_mb:.0f} MB / {j.wall_s:.1f} s")
    headroom = [j.mem_mb / j.peak_mb for j in measured if j.mem_mb]
    if headroom:
        print(f"  memory asked ÷ used: median {np.median(headroom):.1f}, min {min(headroom):.2f}")
    print(f"\n{'job kind':22s} {'n':>4s} {'input MB':>15s} {'peak MB = a + b·MB':>22s} {'CPU s = a + b·MB':>20s}")
    groups: dict[str, list[Job]] = defaultdict(list)
    for j in measured:
        groups[j.kind].append(j)
    for kind, group in sorted(groups.items()):
        x = np.array([j.input_mb for j in group])
        memory = _line(x, np.array([j.peak_mb for j in group]))
        cpu = _line(x, np.array([j.cpu_s for j in group]))
        span = f"{x.min():.2f}–{x.max():.2f}"
        print(f"{kind:22s} {len(group):4d} {span:>15s} {memory:>22s} {cpu:>20s}")


def _line(x: np.ndarray, y: np.ndarray) -> str:
    if np.ptp(x) < 1e-9 or len(x) < 2:
        return f"{y.max():.0f} (one size)"
    slope, intercept = np.polyfit(x, y, 1)
    return f"{intercept:.0f} + {slope:.2f}·MB"


def bench_cold_demo(runs: int) -> None:
    """Median wall time of ``snakemake --cores 2`` from nothing on the demo data."""
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="pa-study-demo-") as scratch:
            folder = Path(scratch)
            for name in ("Snakefile", "config.yaml", "config.schema.yaml"):
                shutil.copy(ROOT / name, folder / name)
            for name in ("rules", "data", "profiles"):
                if (ROOT / name).exists():
                    shutil.copytree(ROOT / name, folder / name)
            started = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"],
                cwd=folder,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - started)
            if proc.returncode != 0:
                raise SystemExit(f"the demo run failed:\n{proc.stderr[-3000:]}")
            jobs = len(list((folder / "results").rglob("logs/*.log")))
    print(f"\ncold demo run ({jobs} jobs, snakemake --cores 2): median {statistics.median(times):.1f} s of {runs} runs")
    print("  runs: " + ", ".join(f"{t:.1f} s" for t in times))


def main() -> None:
    """Parse the options and run the benchmarks."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counties", type=int, default=100)
    parser.add_argument("--households", type=int, default=30000, help="households per county")
    parser.add_argument("--sample", type=int, default=1000, help="households a sample county surveys")
    parser.add_argument("--census", type=int, default=None, help="census counties (default one in ten)")
    parser.add_argument("--workdir", type=Path, default=None, help="province folder (default: a scratch folder)")
    parser.add_argument("--runs", type=int, default=3, help="cold demo runs")
    parser.add_argument("--skip-demo", action="store_true", help="skip the cold demo run")
    parser.add_argument("--demo-only", action="store_true", help="only the cold demo run")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs; snakemake --cores 2")
    if not args.demo_only:
        folder = args.workdir or Path(tempfile.mkdtemp(prefix="pa-study-province-"))
        make_province(folder, args)
        check_requests(bench_stages(folder))
    if not args.skip_demo:
        bench_cold_demo(args.runs)


if __name__ == "__main__":
    main()

"""Telling Snakemake locks left by a killed run from those of a run that is alive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from pa_study.resume import release_stale_locks

HOLD = (
    "from pa_study.resume import release_stale_locks; release_stale_locks('{folder}'); "
    "print('held', flush=True); input()"
)


def _locks(folder):
    locks = folder / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    for name in ("0.input.lock", "0.output.lock"):
        (locks / name).write_text("results/x\n", encoding="utf-8")
    return sorted(locks.iterdir())


def test_locks_of_a_killed_run_are_removed(tmp_path):
    folder = tmp_path / ".snakemake"
    left = _locks(folder)
    assert release_stale_locks(folder) == left
    assert not list((folder / "locks").iterdir())


def test_locks_of_a_live_run_are_kept_until_it_is_killed(tmp_path):
    folder = tmp_path / ".snakemake"
    live = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(folder=folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert live.stdout.readline().strip() == "held"
        left = _locks(folder)
        # Run in another process: flock is per open file, and this test process must not hold it.
        check = [
            sys.executable,
            "-c",
            f"from pa_study.resume import release_stale_locks as r; print(len(r('{folder}')))",
        ]
        assert subprocess.run(check, capture_output=True, text=True, check=True).stdout.strip() == "0"
        assert sorted((folder / "locks").iterdir()) == left
    finally:
        os.kill(live.pid, signal.SIGKILL)
        live.wait()
    deadline = time.monotonic() + 10
    while (folder / "locks" / "0.input.lock").exists() and time.monotonic() < deadline:
        subprocess.run(check, capture_output=True, text=True, check=True)
    assert not list((folder / "locks").iterdir())

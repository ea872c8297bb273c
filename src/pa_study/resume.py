"""Resuming a run that was killed: the next ``snakemake`` just carries on.

A run killed outright (SIGKILL, the out-of-memory killer, a cluster pre-empting a node) leaves two
things behind that would stop the next run: Snakemake's directory locks (``.snakemake/locks``),
which it removes only on a clean exit, and its markers of jobs that were running. Files are not a
problem: every result is written to a temporary name and renamed (:mod:`pa_study.files`), so a
file that exists is complete, and Snakemake deletes the outputs of an incomplete job before
re-running it (the workflow profile ``profiles/default`` sets ``rerun-incomplete``).

This module tells stale locks from live ones. Every run of the workflow holds a shared
``flock`` on ``.snakemake/pa-study.run.lock`` for as long as it lives; the kernel releases it when
the process dies, however it dies. A run that can take that lock exclusively knows that no other
run of the workflow is alive, so any Snakemake lock left in the folder belongs to a dead run and is
removed. While another run is alive, nothing is removed and Snakemake's own locking decides, as usual.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

#: The open lock file of this process: kept open (and so locked) until the process exits.
_held: list[IO[str]] = []


def release_stale_locks(snakemake_dir: str | Path = ".snakemake") -> list[Path]:
    """Hold the workflow's run lock for this process's life and remove Snakemake locks of dead runs.

    Parameters
    ----------
    snakemake_dir : str or Path
        Snakemake's folder in the working directory.

    Returns
    -------
    list of Path
        The stale lock files removed (empty when another run is alive, or on a system without
        ``fcntl.flock``, where Snakemake's ``--unlock`` remains the way out).
    """
    try:
        import fcntl
    except ImportError:  # Windows: no flock; nothing is removed
        return []
    folder = Path(snakemake_dir)
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / "pa-study.run.lock", "a+", encoding="utf-8")  # noqa: SIM115 (held open on purpose)
    removed: list[Path] = []
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pass  # another run is alive: its locks are live
    else:
        locks = folder / "locks"
        removed = sorted(locks.glob("*.lock")) if locks.is_dir() else []
        for path in removed:
            path.unlink(missing_ok=True)
    # Shared from now on, so that later runs see this one alive, whether or not it cleaned.
    fcntl.flock(handle, fcntl.LOCK_SH)
    _held.append(handle)
    return removed

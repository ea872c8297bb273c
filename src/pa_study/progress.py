"""Progress of long steps, shown only when a person watches: on a terminal, never in logs or CI.

A census-size clean takes minutes; run from a terminal (``pa-study`` directly, or ``snakemake``,
whose jobs write to the same terminal), :func:`progress` draws a tqdm bar on standard error that
is erased when the step ends. Redirected to a file or a pipe, nothing is drawn, so logs and outputs
are the same either way.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def shows_progress() -> bool:
    """Whether standard error is a terminal (where a progress bar is drawn)."""
    return sys.stderr.isatty()


def progress(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items``, drawing a progress bar labelled ``description`` on a terminal."""
    if not shows_progress():
        yield from items
        return
    from tqdm import tqdm

    yield from tqdm(items, desc=description, total=total, leave=False, file=sys.stderr, dynamic_ncols=True)

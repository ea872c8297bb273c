"""Shared fixtures (the repository's codebook) and the order in which xdist hands out the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from pa_study.codebook import Codebook
from tests.helpers import project


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return project.codebook()


@pytest.fixture(autouse=True)
def _forget_personal_values():
    """Values registered by an ingest in one test must not screen another test's output."""
    from pa_study.privacy import clear_personal_values

    yield
    clear_personal_values()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the modules longest first: the Slurm test, then the end-to-end modules (``slow``), then the
    others by their number of tests.

    ``--dist loadscope --no-loadscope-reorder`` (pyproject.toml) hands the modules out in this order to
    whichever worker runs low, so the minutes-long Slurm test starts at once and the short modules at the
    end even out the two workers' finishing times (xdist's own order, by number of tests, sent the
    one-test Slurm module last). A worker starts a test only once it holds the next one, so the
    Slurm test cannot be kept alone on its worker: xdist starts each worker on two modules, and the
    third in line, which goes to the Slurm test's worker, waits behind it. The smallest module takes that
    place (in CI an end-to-end module there added its half minute to the Slurm test's 207 s).
    """
    modules: dict[Path, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.path, []).append(item)

    def marks(tests: list[pytest.Item]) -> set[str]:
        return {mark.name for test in tests for mark in test.iter_markers()}

    def longest_first(tests: list[pytest.Item]) -> tuple[bool, bool, int]:
        return "cluster" not in marks(tests), "slow" not in marks(tests), -len(tests)

    ordered = sorted(modules.values(), key=longest_first)
    if len(ordered) > 3 and "cluster" in marks(ordered[0]):
        ordered.insert(2, ordered.pop())
    items[:] = [item for tests in ordered for item in tests]

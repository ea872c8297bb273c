"""Shared fixtures: the repository's codebook."""

from __future__ import annotations

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

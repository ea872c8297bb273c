"""Shared fixtures: the repository's codebook."""

from __future__ import annotations

import pytest

from pa_study.codebook import Codebook
from tests.helpers import project


@pytest.fixture(scope="session")
def codebook() -> Codebook:
    return project.codebook()

"""Fixtures of the figure tests: the fixture study's indicator results."""

from __future__ import annotations

import pytest

from pa_study.results import StudyResults
from tests.helpers.results_fixture import fixture_results


@pytest.fixture(scope="session")
def results() -> StudyResults:
    """The indicator results of the fixture study (H county against Lankao)."""
    return fixture_results()

"""Fixtures of the demo-generator tests: the four counties generated once per session."""

from __future__ import annotations

import pytest
import yaml

from pa_study.demo import Destinations, generate
from tests.helpers.project import CODEBOOK


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Destinations:
    """The four demo counties generated into a temporary folder."""
    root = tmp_path_factory.mktemp("demo")
    destinations = Destinations(root / "raw", root / "truth", root / "corrections")
    generate(destinations, codebook_path=CODEBOOK)
    return destinations


@pytest.fixture(scope="session")
def codebook_yaml() -> dict:
    """The codebook's instruments as the generator reads them (plain YAML)."""
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))["instruments"]

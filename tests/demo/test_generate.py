"""Generating the demo data (pa_study.demo.generate): the committed files are reproduced byte
for byte and stay small."""

from __future__ import annotations

from pa_study.demo import Destinations
from tests.helpers.demo_files import COMMITTED, generator_files


def test_generator_reproduces_committed_files(generated: Destinations) -> None:
    fresh = generator_files(generated)
    committed = generator_files(COMMITTED)
    assert len(fresh) == 4 * 6 + 1 + 2  # and the cadre rosters of H and Yishui
    assert sorted(fresh) == sorted(committed)
    different = [name for name in fresh if fresh[name] != committed[name]]
    assert not different, f"regenerate with `python -m pa_study.demo`; differing: {different}"


def test_committed_files_stay_small() -> None:
    sizes = {p.name: p.stat().st_size for p in COMMITTED.raw.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 700_000

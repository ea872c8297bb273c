"""The planted truths (pa_study.demo.population, pa_study.demo.truth) are realised in the
simulated population."""

from __future__ import annotations

import pytest

from pa_study.demo import Destinations
from tests.helpers.demo_files import truth_of


def test_planted_truths_are_realised(generated: Destinations) -> None:
    h, lankao = truth_of(generated, "H"), truth_of(generated, "Lankao")
    for truth in (h, lankao):
        industry = truth["population"]["industry"]
        assert industry["att_realised"] == pytest.approx(industry["att_planted"], rel=0.05)
    assert h["population"]["identification"]["wrongful_exit_rate"] > 0.02
    assert h["population"]["identification"]["missed_rate"] > 0.02
    assert lankao["population"]["identification"]["wrongful_exit_rate"] < 0.02
    assert lankao["population"]["identification"]["missed_rate"] < 0.02
    assert h["population"]["burden"]["share_formalism"] > lankao["population"]["burden"]["share_formalism"] + 0.1

"""What identification offers the planning of the next survey (:mod:`pa_study.plan`): the sampled
households behind 错退率 and 漏评率 as the exit evaluation estimates them (:mod:`.exit`)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pa_study.design import PSU, STRATUM, WEIGHT
from pa_study.indicators.identification.constructs import identification_frame
from pa_study.indicators.identification.exit import EXIT_RATES, judged_exits, unit_weights
from pa_study.indicators.identification.settings import IdentificationSettings
from pa_study.indicators.survey import required_table

#: The threshold rates a next survey can be planned for.
PLANNED_RATES = ("wrongful_exit_rate", "missed_rate")


def threshold_units(
    tables: Mapping[str, pd.DataFrame | None], settings: IdentificationSettings
) -> dict[str, pd.DataFrame]:
    """Return the sampled households behind 错退率 and 漏评率, for planning the next survey.

    The denominators are the exit evaluation's (:data:`~.exit.EXIT_RATES`): the exited households
    whose exit can be judged (all of them with the register's income at exit, else the latest exit
    cohort) and the unregistered ones; the weights count the rate's unit (persons or households,
    ``threshold_unit``), as the rates are estimated.

    Returns
    -------
    dict
        Rate name -> one row per household of its denominator: ``stratum``, ``psu``, ``weight`` and
        ``below`` (1 when in the numerator: wrongly exited, or missed).
    """
    frame, _ = identification_frame(required_table(tables, "households"), settings)
    judged, _, _ = judged_exits(frame, settings)
    counted = unit_weights(judged, settings.identification.threshold_unit)
    units = {}
    for name in PLANNED_RATES:
        numerator, denominator = EXIT_RATES[name]
        rows = counted[denominator] > 0
        units[name] = (
            counted.loc[rows, [STRATUM, PSU, WEIGHT]]
            .assign(below=counted.loc[rows, numerator].astype(float))
            .reset_index(drop=True)
        )
    return units

"""Planning the next survey of a county (``pa-study plan``, ``results/<county>/plan.json``).

From the current survey's own design information (units per village, intra-village correlation,
weighting), :mod:`.run` works out the sample a next survey needs for each exit criterion's verdict,
and the minimum detectable effects of effects and of county contrasts; the statistics are
:mod:`pa_study.stats.planning`. :mod:`.settings` types the config's ``planning`` section.
"""

from pa_study.plan.settings import PlanSettings

__all__ = ["PlanSettings"]

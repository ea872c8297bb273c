"""The study's four indicator families per county, with design-based inference.

``identification`` (精准识别), ``income`` (造血), ``capability`` (内生动力) and ``formalism``
(形式主义): each reads the county's cleaned tables and writes
``results/<county>/indicators/<family>.json`` plus tidy tables (:mod:`.output`). The estimators
come from :mod:`pa_study.stats`, the choices from the config's ``indicators`` section
(:func:`.settings.family_settings`); :func:`.run.run_indicators` runs one family for one county.

Only the light config helpers are imported here, so that the workflow (which needs them to build
its jobs) does not load the statistics stack.
"""

from pa_study.indicators.settings import FAMILIES, FAMILY_INSTRUMENTS, family_settings

__all__ = ["FAMILIES", "FAMILY_INSTRUMENTS", "family_settings"]

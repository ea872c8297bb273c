"""The study's indicator families per county, with design-based inference.

``identification`` (精准识别), ``income`` (造血), ``capability`` (内生动力) and ``formalism``
(形式主义): each is a module exposing an :class:`~.family.IndicatorFamily` that reads the county's
cleaned tables and writes ``results/<county>/indicators/<family>.json`` plus tidy tables
(:mod:`.output`). :data:`FAMILIES` (:mod:`.registry`) lists them; the estimators come from
:mod:`pa_study.stats`, the choices from the config's ``indicators`` section
(:func:`family_settings`); :func:`.run.run_indicators` runs one family for one county.
"""

from typing import Any

from pa_study.indicators.family import CleanedTables, FigureSpec, IndicatorFamily

__all__ = ["FAMILIES", "CleanedTables", "FigureSpec", "IndicatorFamily", "family_settings", "indicator_family"]

#: Names this package takes from :mod:`.registry` when first asked for them: the registry imports
#: every family module and the statistics stack, which a job importing only
#: :mod:`.family` (a figure job) would otherwise load for nothing (PEP 562).
_FROM_REGISTRY = ("FAMILIES", "family_settings", "indicator_family")


def __getattr__(name: str) -> Any:
    if name in _FROM_REGISTRY:
        from pa_study.indicators import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

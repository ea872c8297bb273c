"""Comparison of the focal county with the benchmark counties, from two kinds of evidence kept apart.

* :mod:`.microdata`: focal − benchmark differences of every headline indicator, from the counties'
  indicator files (independent samples, design-based SEs, Holm-adjusted p-values per family);
* :mod:`.pooled`: pooled models across counties with county indicators, focal county as reference
  (income effect with participation × county, capability index, cadre burden index);
* :mod:`.published`: published county figures with their sources, checked and lined up beside
  the comparable survey estimates.

Which counties take part comes from :func:`.settings.comparison_settings`; :mod:`.run` holds the
entry points ``pa-study compare <part>`` calls. Outputs go to ``results/comparison/``.

Only the light config helper is imported here, so that the workflow (which needs it to build its
jobs) does not load the statistics stack.
"""

from pa_study.compare.settings import PARTS, comparison_settings

__all__ = ["PARTS", "comparison_settings"]

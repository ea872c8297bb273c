"""Comparison of the focal county with the benchmark counties, from two kinds of evidence kept apart.

* :mod:`.microdata`: focal − benchmark differences of every headline indicator, from the counties'
  indicator files (independent samples, design-based SEs, Holm-adjusted p-values per family);
* :mod:`.pooled`: pooled models across counties with county indicators, focal county as reference
  (income effect with participation × county, capability index, cadre burden index);
* :mod:`.published`: published county figures with their sources, checked and lined up beside
  the comparable survey estimates.

Each module exposes a :class:`~.part.ComparisonPart` naming its settings type and the files it
writes; :data:`PARTS` (:mod:`.registry`) lists them. Which counties take part comes from
:func:`comparison_settings` (typed in :mod:`.settings`); :mod:`.run` holds the entry points
``pa-study compare <part>`` calls. Outputs go to ``results/comparison/``.
"""

from pa_study.compare.part import ComparisonPart
from pa_study.compare.registry import PARTS, comparison_part, comparison_settings

__all__ = ["PARTS", "ComparisonPart", "comparison_part", "comparison_settings"]

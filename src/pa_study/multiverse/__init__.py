"""The specification multiverse: how every headline depends on the analysis choices behind it.

Each indicator family declares the choices that may be varied (its ``choices``: the eligibility
rule, how an unanswered item counts, the poverty line, the comparison group, winsorising, the index
weights, ...); the config's ``multiverse`` section lists the values to try (:mod:`.grid`). Every
combination is a specification, an override of the family's settings, recomputed from the county's
cleaned tables as its own job (:mod:`.run`); the table of all of them
(``results/<county>/multiverse/<family>.csv``) feeds a specification curve per headline
(:mod:`pa_study.figures.specification`) and the report's count of the specifications in which each
verdict holds (Simonsohn, Simmons & Nelson 2020).
"""

from pa_study.multiverse.grid import (
    BASELINE,
    Specification,
    check_multiverse,
    family_specifications,
    multiverse_counties,
    multiverse_families,
    multiverse_settings,
)

__all__ = [
    "BASELINE",
    "Specification",
    "check_multiverse",
    "family_specifications",
    "multiverse_counties",
    "multiverse_families",
    "multiverse_settings",
]

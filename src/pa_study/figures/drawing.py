"""Drawing one figure, given the function of :mod:`pa_study.figures.plots` that draws it.

Kept apart from :mod:`.catalogue` (which gathers every registered family's figures, and so imports
the families and the statistics stack) so that a figure job imports the plotting code alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from pa_study.errors import InputError

if TYPE_CHECKING:
    from pa_study.codebook import Codebook
    from pa_study.results import StudyResults


def draw(
    function: str,
    arguments: Mapping[str, str],
    results: StudyResults,
    output: str | Path,
    language: str = "en",
    codebook: Codebook | None = None,
) -> None:
    """Draw a figure with ``function`` of :mod:`pa_study.figures.plots` and write it as deterministic SVG.

    Parameters
    ----------
    function : str
        The plotting function (a :class:`~pa_study.indicators.family.FigureSpec`'s ``function``).
    arguments : mapping of str to str
        Its keyword arguments (the spec's ``arguments``).
    results : StudyResults
        The indicator results of the study's counties (:func:`pa_study.results.study_results`),
        with the county names in ``language``.
    output : str or Path
        The SVG file.
    language : str
        ``en`` or ``zh``: the language of the figure's titles, axes and legends.
    codebook : Codebook, optional
        Labels category codes (project types, roles, statuses); without it the codes are shown.

    Raises
    ------
    InputError
        ``function`` is not a plotting function of :mod:`pa_study.figures.plots`.
    """
    from pa_study.figures import plots
    from pa_study.figures.theme import apply_theme, save_figure
    from pa_study.figures.words import figure_language

    plot = getattr(plots, function, None) if not function.startswith("_") else None
    if not callable(plot):
        raise InputError(f"unknown figure function '{function}': pa_study.figures.plots has no such plotting function")
    apply_theme(language)
    with figure_language(language, codebook):
        figure = plot(results, **arguments)
        save_figure(plots.footnote_if_suppressed(figure), output)

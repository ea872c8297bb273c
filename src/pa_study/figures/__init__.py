"""The study's figures: one consistent theme, colour-blind-safe, deterministic SVG.

:data:`FIGURES` names each figure, the indicator families it reads, its captions and the function
of :mod:`pa_study.figures.plots` that draws it (:mod:`.catalogue`); :func:`draw_figure` draws one
from results files and writes it, :func:`draw` one given by its function and arguments. The workflow
has one rule per figure writing ``results/figures/<name>.svg``; its job is given the figure's
function and arguments, so that it imports the plotting code alone.
"""

from typing import Any

from pa_study.figures.drawing import draw
from pa_study.indicators.family import FigureSpec

__all__ = ["FIGURES", "FigureSpec", "draw", "draw_figure", "figure_spec"]

#: Names this package takes from :mod:`.catalogue` when first asked for them: the catalogue gathers
#: the figures of every registered family, and so imports every family module and the statistics
#: stack, which a figure job drawing one figure by its function does not need (PEP 562).
_FROM_CATALOGUE = ("FIGURES", "draw_figure", "figure_spec")


def __getattr__(name: str) -> Any:
    if name in _FROM_CATALOGUE:
        from pa_study.figures import catalogue

        return getattr(catalogue, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The study's figures: one consistent theme, colour-blind-safe, deterministic SVG.

:data:`FIGURES` names each figure, the indicator families it reads, its captions and the function
of :mod:`pa_study.figures.plots` that draws it (:mod:`.catalogue`); :func:`draw_figure` draws one
from results files and writes it. The workflow has one rule per figure writing
``results/figures/<name>.svg``.
"""

from pa_study.figures.catalogue import FIGURES, draw_figure, figure_spec
from pa_study.indicators.family import FigureSpec

__all__ = ["FIGURES", "FigureSpec", "draw_figure", "figure_spec"]

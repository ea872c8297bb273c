"""Which figures there are, and drawing one of them.

:data:`FIGURES` gathers the figures each registered indicator family declares
(:attr:`~pa_study.indicators.family.IndicatorFamily.figures`) and, for each family, the panel
comparing the counties' headline indicators. Matplotlib is imported only when a figure is drawn, so
the workflow can read this table cheaply.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pa_study.errors import InputError
from pa_study.figures.drawing import draw
from pa_study.indicators.family import FigureSpec
from pa_study.indicators.registry import FAMILIES
from pa_study.results import StudyResults

if TYPE_CHECKING:
    from pa_study.codebook import Codebook


def county_panel(family: str) -> FigureSpec:
    """The figure comparing the counties' headline indicators of ``family`` (shown in the
    report's comparison section)."""
    spec = FAMILIES[family]
    return FigureSpec(
        (family,),
        f"{spec.title_en}: every headline estimate by county, a dot with its 95% CI (dashed: policy thresholds). "
        "Look for intervals that do not overlap: only there do the counties clearly differ.",
        f"{spec.title_zh}：各县全部核心估计，圆点为估计值，横线为95%置信区间（虚线为政策阈值）。"
        "置信区间互不重叠之处，各县差异才明确。",
        "county_panel",
        {"family": family},
    )


#: Every figure, in report order: the families' own figures, then the county panels.
FIGURES: dict[str, FigureSpec] = {
    **{name: spec for family in FAMILIES.values() for name, spec in family.figures.items()},
    **{f"county_panel_{family}": county_panel(family) for family in FAMILIES},
}


def figure_spec(name: str) -> FigureSpec:
    """Return the :class:`FigureSpec` of figure ``name`` (an :class:`InputError` if unknown)."""
    if name not in FIGURES:
        raise InputError(f"unknown figure '{name}'; expected one of {', '.join(FIGURES)}")
    return FIGURES[name]


def draw_figure(
    name: str, results: StudyResults, output: str | Path, language: str = "en", codebook: Codebook | None = None
) -> None:
    """Draw figure ``name`` (a key of :data:`FIGURES`) and write it as deterministic SVG: its spec's
    function with its arguments, the other parameters as :func:`~pa_study.figures.drawing.draw`'s."""
    spec = figure_spec(name)
    draw(spec.function, spec.arguments, results, output, language, codebook)

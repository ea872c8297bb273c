"""The study's figures: one consistent theme, colour-blind-safe, deterministic SVG.

:data:`FIGURES` names each figure, the indicator families it reads, its captions and the function
of :mod:`pa_study.figures.plots` that draws it; :func:`draw_figure` draws one from results files
and writes it. The workflow has one rule per figure (``rules/report.smk``) writing
``results/figures/<name>.svg``. Matplotlib is imported only when a figure is drawn, so the
workflow can read this table cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pa_study.errors import InputError
from pa_study.indicators.settings import FAMILIES


@dataclass(frozen=True)
class FigureSpec:
    """A figure: the families it reads, its captions, and the function drawing it."""

    families: tuple[str, ...]
    caption_en: str
    caption_zh: str
    function: str
    arguments: dict[str, Any] = field(default_factory=dict)

    def caption(self, language: str) -> str:
        """The caption in ``language`` (``en`` or ``zh``)."""
        return self.caption_zh if language == "zh" else self.caption_en


#: Every figure, in report order.
FIGURES: dict[str, FigureSpec] = {
    "identification_errors": FigureSpec(
        ("identification",),
        "Identification error rates by county (95% CIs); dashed lines: the policy thresholds.",
        "各县识别误差率（95%置信区间）；虚线为政策阈值。",
        "identification_errors",
    ),
    "registration_eligibility": FigureSpec(
        ("identification",),
        "Registration against eligibility in the survey year: weighted shares of households.",
        "调查年度建档立卡与识别标准的对照：农户加权占比。",
        "registration_eligibility",
    ),
    "poverty_line_sensitivity": FigureSpec(
        ("identification",),
        "Error rates when the poverty line moves by ±30% (95% bands); dashed lines: thresholds.",
        "贫困线上下浮动30%时的误差率（95%置信带）；虚线为阈值。",
        "poverty_line_sensitivity",
    ),
    "income_effects": FigureSpec(
        ("income",),
        "Effect of active participation in industrial projects on per-capita earned income, by estimator.",
        "参与产业项目对人均务工经营收入的效应：各估计方法比较。",
        "income_effects",
    ),
    "income_structure": FigureSpec(
        ("income",),
        "Income structure of registered households at baseline and in the survey year.",
        "建档立卡户基期与调查年度的收入结构。",
        "income_structure",
    ),
    "ledger_status": FigureSpec(
        ("income",),
        "Project ledger: status of the projects by type.",
        "产业扶贫项目台账：各类项目运营状态。",
        "ledger_status",
    ),
    "capability_by_status": FigureSpec(
        ("capability",),
        "Survey-weighted distribution of the capability index by registration and exit status: box 25-75%, "
        "whiskers 5-95%, line at the median, diamond at the mean.",
        "按建档立卡与脱贫状态分组的能力指数加权分布：箱体为25%–75%分位，须为5%–95%分位，竖线为中位数，菱形为均值。",
        "capability_by_status",
    ),
    "cadre_time": FigureSpec(
        ("formalism",), "Cadres' weekly hours by activity and role.", "干部每周工时按活动与岗位的分配。", "cadre_time"
    ),
    "burden_and_errors": FigureSpec(
        ("formalism",),
        "Cadre formalism burden against identification errors by unit, with weighted linear fits.",
        "干部形式主义负担与识别误差（按单位），含加权线性拟合。",
        "burden_and_errors",
    ),
    **{
        f"county_panel_{family}": FigureSpec(
            (family,),
            f"County comparison of the {family} headline indicators (95% CIs).",
            f"各县{family}核心指标比较（95%置信区间）。",
            "county_panel",
            {"family": family},
        )
        for family in FAMILIES
    },
}


def figure_spec(name: str) -> FigureSpec:
    """Return the :class:`FigureSpec` of figure ``name`` (an :class:`InputError` if unknown)."""
    if name not in FIGURES:
        raise InputError(f"unknown figure '{name}'; expected one of {', '.join(FIGURES)}")
    return FIGURES[name]


def draw_figure(name: str, results: Any, output: str | Path) -> None:
    """Draw figure ``name`` and write it as deterministic SVG.

    Parameters
    ----------
    name : str
        A key of :data:`FIGURES`.
    results : StudyResults
        The indicator results of the study's counties (:func:`pa_study.results.study_results`).
    output : str or Path
        The SVG file.
    """
    from pa_study.figures import plots
    from pa_study.figures.theme import apply_theme, save_figure

    spec = figure_spec(name)
    apply_theme()
    save_figure(getattr(plots, spec.function)(results, **spec.arguments), output)


__all__ = ["FIGURES", "FigureSpec", "draw_figure", "figure_spec"]

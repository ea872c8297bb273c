"""The specification curve of one headline (Simonsohn, Simmons & Nelson 2020).

Top: the headline's estimate under every specification of the multiverse, sorted, with its 95%
interval, the baseline (the configured specification) marked, and the threshold (or zero for an
effect or gap) as a reference line. Below: one row per value of each varied choice, with a dot
under each specification that takes it, so the reader sees which choices move the estimate.

References
----------
Simonsohn, U., Simmons, J. P. and Nelson, L. D. (2020). Specification curve analysis. Nature Human
Behaviour 4, 1208-1214.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pa_study.errors import InputError
from pa_study.figures.theme import PALETTE, REFERENCE_COLOUR, WIDTH, apply_theme, save_figure
from pa_study.figures.words import N_, current_language, figure_language, label, tr
from pa_study.indicators.family import Choice

BASELINE_WORD = N_("baseline (as configured)")
ESTIMATE_WORD = N_("estimate and 95% CI")
THRESHOLD_WORD = N_("threshold")
SORTED_WORD = N_("specifications, sorted by estimate")
NO_ESTIMATE_WORD = N_("{n} of {total} specifications without an estimate")


def curve_order(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of one headline with an estimate, sorted by estimate (then specification key, so
    ties are drawn in the same order on every run)."""
    shown = rows[rows["estimate"].notna()]
    return shown.sort_values(["estimate", "specification"], kind="mergesort").reset_index(drop=True)


def specification_curve(table: pd.DataFrame, headline: str, choices: Mapping[str, Choice]) -> plt.Figure:
    """Draw the specification curve of ``headline`` from a multiverse table.

    Parameters
    ----------
    table : DataFrame
        :func:`pa_study.multiverse.run.multiverse_table` of one family and county.
    headline : str
        One of its headlines.
    choices : dict
        Name -> :class:`~pa_study.indicators.family.Choice` of the choices the table varies (in its
        column order), for their labels.

    Returns
    -------
    matplotlib Figure
    """
    rows = table[table["headline"] == headline]
    if rows.empty:
        raise InputError(f"the multiverse table has no row of the headline '{headline}'")
    shown = curve_order(rows)
    names = [name for name in choices if name in table.columns]
    levels = [(name, value) for name in names for value in _values(rows[name])]
    height = 2.2 + 0.17 * len(levels)
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(WIDTH, height), sharex=True, gridspec_kw={"height_ratios": [2.2, 0.17 * len(levels) + 0.1]}
    )
    x = np.arange(len(shown))
    base = shown["baseline"].astype(bool).to_numpy()
    colours = np.where(base, PALETTE[5], PALETTE[0])
    top.vlines(x, shown["ci_low"], shown["ci_high"], colors=colours, linewidth=1.0, alpha=0.7)
    top.scatter(x, shown["estimate"], c=colours, s=14, zorder=3)
    threshold = rows["threshold"].dropna()
    reference = float(threshold.iloc[0]) if not threshold.empty else 0.0
    top.axhline(reference, color=REFERENCE_COLOUR, linestyle="--", linewidth=0.8)
    first = rows.iloc[0]
    top.set_title(label(str(first["label"] or headline)))
    top.set_ylabel(tr(ESTIMATE_WORD))
    if not threshold.empty or headline.endswith("_rate"):
        top.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.1%}"))
    top.set_xlabel(tr(SORTED_WORD))
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=PALETTE[5], label=tr(BASELINE_WORD)),
        plt.Line2D([], [], linestyle="--", color=REFERENCE_COLOUR, label=tr(THRESHOLD_WORD) if len(threshold) else "0"),
    ]
    top.legend(handles=handles, loc="best", frameon=False)
    missing = len(rows) - len(shown)
    if missing:
        top.annotate(
            tr(NO_ESTIMATE_WORD, n=missing, total=len(rows)),
            (0, -0.02),
            xycoords="figure fraction",
            fontsize=6,
        )
    for y, (name, value) in enumerate(levels):
        used = (shown[name].map(_key) == _key(value)).to_numpy()
        bottom.scatter(x[used], np.full(used.sum(), y), c=colours[used], s=10, marker="s")
    bottom.set_yticks(range(len(levels)))
    bottom.set_yticklabels(
        [f"{choices[n].label(current_language())}: {_value_label(choices[n], v)}" for n, v in levels]
    )
    bottom.set_ylim(len(levels) - 0.5, -0.5)
    bottom.set_xticks([])
    bottom.grid(axis="x", visible=False)
    return figure


def _values(column: pd.Series) -> list[Any]:
    """The distinct values of a choice column, in first-seen order."""
    seen: dict[str, Any] = {}
    for value in column:
        seen.setdefault(_key(value), value)
    return list(seen.values())


def _key(value: Any) -> str:
    return "null" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _value_label(choice: Choice, value: Any) -> str:
    if isinstance(value, str) and value.startswith(("[", "{")):
        value = json.loads(value)
    if isinstance(value, float) and np.isnan(value):
        value = None
    return choice.value_label(value, current_language())


def draw_specification_curves(
    table: pd.DataFrame,
    headlines: Sequence[str],
    choices: Mapping[str, Choice],
    outputs: Mapping[str, Mapping[str, str | Path]],
) -> None:
    """Draw each headline's specification curve in each language and write them as SVG.

    Parameters
    ----------
    table : DataFrame
        The family's multiverse table.
    headlines : sequence of str
        The headlines to draw.
    choices : dict
        The family's declared choices.
    outputs : dict
        Language -> headline -> SVG file.
    """
    for language, files in outputs.items():
        apply_theme(language)
        with figure_language(language):
            for headline in headlines:
                save_figure(specification_curve(table, headline, choices), files[headline])

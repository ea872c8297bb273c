"""The study's figures, each drawn from the indicator results of the study's counties.

Every function takes a :class:`~pa_study.results.StudyResults` and returns a matplotlib figure;
:data:`pa_study.figures.FIGURES` lists them with the indicator families they read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from pa_study.disclosure import FLAG, SUPPRESSED
from pa_study.errors import InputError
from pa_study.figures.theme import PALETTE, REFERENCE_COLOUR, WIDTH, county_colours
from pa_study.figures.words import N_, category_label, label, tr
from pa_study.results import Family, StudyResults

#: Identification rates shown per county: the four exit-evaluation criteria (with their thresholds),
#: then the targeting errors of the current register.
ERROR_RATES = [
    "wrongful_exit_rate",
    "missed_rate",
    "recognition_rate",
    "poverty_incidence",
    "inclusion_error",
    "exclusion_error",
]
SENSITIVITY_RATES = ["wrongful_exit_rate", "missed_rate", "inclusion_error_current", "exclusion_error"]
#: Rows of the income-effect figure (the ``specification`` of the effects table), top to bottom.
EFFECT_SPECIFICATIONS = {
    "aipw": N_("ATT, doubly robust (headline)"),
    "ra": N_("ATT, regression adjustment"),
    "ipw": N_("ATT, inverse probability weighting"),
    "psm": N_("ATT, weighted matching"),
    "aipw_survey_year": N_("ATT, survey-year covariates"),
    "did": N_("DiD, constant yuan"),
    "ols": N_("additive regression (not an ATT)"),
    "dividend_only": N_("dividend only (descriptive)"),
}
INCOME_COMPONENTS = {
    "inc_wage": N_("wages"),
    "inc_business": N_("business"),
    "inc_property": N_("property and dividends"),
    "inc_transfer": N_("transfers"),
}
LEDGER_STATUSES = ["operating", "suspended", "failed"]
TIME_ACTIVITIES = {
    "share_paperwork": N_("paperwork"),
    "share_meetings": N_("meetings"),
    "share_inspections": N_("hosting inspections"),
    "share_fieldwork": N_("field work with households"),
}
#: The two relapse-risk rates of the monitoring family, as drawn.
RELAPSE_RATES = {
    "exited_below_line_share": N_("below the line"),
    "exited_vulnerable_band_share": N_("vulnerable band"),
}
#: The fixed lines of the monitoring family's ``fgt_at_lines`` table, as labelled in the figure.
LINE_LABELS = {
    "poverty_line": N_("national line"),
    "monitoring_threshold": N_("monitoring threshold"),
    "vulnerable_band": N_("top of the vulnerable band"),
    "national_median_40": N_("40% of the national rural median"),
    "national_median_50": N_("50% of the national rural median"),
    "usd_2_15_ppp2017": N_("$2.15 a day (2017 PPP)"),
    "usd_3_65_ppp2017": N_("$3.65 a day (2017 PPP)"),
    "usd_6_85_ppp2017": N_("$6.85 a day (2017 PPP)"),
    "usd_3_00_ppp2021": N_("$3.00 a day (2021 PPP)"),
    "usd_4_20_ppp2021": N_("$4.20 a day (2021 PPP)"),
    "usd_8_30_ppp2021": N_("$8.30 a day (2021 PPP)"),
}
#: Fund-use figures of the projects family drawn by type.
FUND_USE_MEASURES = {
    "investment_per_linked_household": N_("investment per linked poor household (yuan)"),
    "investment_per_job": N_("investment per job created (yuan)"),
    "dividends_per_yuan_invested": N_("dividends per yuan invested"),
}
SUPPRESSED_FOOTNOTE = N_(
    "x: suppressed to protect respondents' confidentiality (too few respondents; disclosure.min_cell)"
)
#: Rows of the capability figure, top to bottom: the registration split, then the exit split among
#: registered households (the ``group`` values of the ``index_distribution`` table).
CAPABILITY_GROUPS = {
    "unregistered": N_("not registered"),
    "registered": N_("registered"),
    "registered_not_exited": N_("registered, not exited"),
    "exited": N_("registered, exited"),
}


#: The welfare measure each county's targeting judged need by (``identification.welfare``).
WELFARE_WORDS = {"pre_transfer": N_("(pre-transfer income)"), "post_transfer": N_("(post-transfer income)")}
REGISTERS = {"current": N_("current"), "ever": N_("ever")}
COVERAGE_TITLES = {
    "coverage": N_("coverage: share of the group's persons\non the {register} register"),
    "beneficiary_share": N_("beneficiaries: share of the {register}\nregister's persons in the group"),
}
AF_MEASURES = {"H": N_("headcount H"), "M0": N_("adjusted headcount M0")}


def _flagged(frame: pd.DataFrame) -> pd.Series:
    """Rows suppressed for confidentiality (:mod:`pa_study.disclosure`): drawn as an ``x``, never as a value."""
    if FLAG not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame[FLAG].astype("string").eq(SUPPRESSED).fillna(False)


def _mark(ax: plt.Axes, position: float, *, horizontal: bool = True) -> None:
    """An ``x`` where a suppressed estimate would be: at the left of a row, or the foot of a bar."""
    if horizontal:
        ax.annotate(SUPPRESSED, xy=(0.02, position), xycoords=("axes fraction", "data"), va="center", fontsize=7)
    else:
        ax.annotate(SUPPRESSED, xy=(position, 0.02), xycoords=("data", "axes fraction"), ha="center", fontsize=7)


def footnote_if_suppressed(figure: plt.Figure) -> plt.Figure:
    """Explain ``x`` under a figure that shows one (every figure passes through here)."""
    if any(t.get_text() == SUPPRESSED for ax in figure.axes for t in ax.texts):
        figure.text(0.0, 0.0, tr(SUPPRESSED_FOOTNOTE), fontsize=6, ha="left", va="bottom")
    return figure


def _require(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    if frame.empty:
        raise InputError(f"no county's results hold {what}; the figure cannot be drawn")
    return frame


def _families_with(results: StudyResults, family: str, table: str) -> list[tuple[Family, pd.DataFrame]]:
    """The counties' ``family`` results that hold ``table``, with that table, in study order (at
    least one)."""
    found = [(f, t) for f in results.of_family(family) if (t := f.table(table)) is not None]
    if not found:
        raise InputError(f"no county's {family} results hold the table '{table}'; the figure cannot be drawn")
    return found


def _headline_frame(results: StudyResults, family: str, names: list[str] | None = None) -> pd.DataFrame:
    """Headline rows of ``family`` over the counties (``names`` only, in that order, if given)."""
    rows = [
        {**row, "county": results.names[f.county], "label_text": label(str(row.get("label", row["name"])))}
        for f in results.of_family(family)
        for row in f.headline
        if (row.get("estimate") is not None or row.get(FLAG) == SUPPRESSED) and (names is None or row["name"] in names)
    ]
    frame = pd.DataFrame(rows)
    if names is not None and not frame.empty:
        frame = frame.assign(order=frame["name"].map({n: i for i, n in enumerate(names)})).sort_values(
            ["order"], kind="stable"
        )
    return frame


def _dot_whisker(ax: plt.Axes, frame: pd.DataFrame, order: list[str], colours: dict[str, str]) -> None:
    """Point estimates with their CIs, one line per county (top to bottom in study order)."""
    for position, county in enumerate(order):
        row = frame[frame["county"] == county]
        if row.empty:
            continue
        if _flagged(row).iloc[0]:
            _mark(ax, position)
            continue
        est, low, high = (float(row[c].iloc[0]) for c in ("estimate", "ci_low", "ci_high"))
        ax.errorbar(
            est,
            position,
            xerr=[[est - low], [high - est]],
            fmt="o",
            color=colours[county],
            capsize=2,
            markersize=4,
            linewidth=1.2,
        )
    ax.set_yticks(range(len(order)), order)
    ax.set_ylim(len(order) - 0.5, -0.5)


def _grid(n_panels: int, ncols: int, height: float) -> tuple[plt.Figure, np.ndarray]:
    """A figure with ``n_panels`` axes in rows of ``ncols`` (the spare ones hidden), axes flattened."""
    nrows = int(np.ceil(n_panels / ncols))
    figure, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, height * nrows), squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return figure, axes.ravel()


def identification_errors(results: StudyResults) -> plt.Figure:
    """The exit-evaluation criteria and the targeting errors by county with 95% CIs; each county's
    threshold of a criterion (the incidence limit depends on the county's region) as a dashed line."""
    frame = _require(_headline_frame(results, "identification", ERROR_RATES), "identification error rates")
    colours = county_colours(results.order)
    names = [n for n in ERROR_RATES if n in set(frame["name"])]
    figure, axes = _grid(len(names), 3, 1.9)
    for ax, name in zip(axes, names, strict=False):
        panel = frame[frame["name"] == name]
        _dot_whisker(ax, panel, results.order, colours)
        threshold = panel["threshold"].dropna().unique() if "threshold" in panel else []
        for value in threshold:
            ax.axvline(value, color=REFERENCE_COLOUR, linestyle="--", linewidth=0.9)
            ax.text(value, -0.45, " " + tr("threshold {value}", value=f"{value:.0%}"), fontsize=6, va="bottom")
        # A county without the register's income at exit has its wrongful-exit rate estimated on its
        # latest exit cohort only: its tick says so, and the panel's title is the rate's own name.
        basis = panel["basis"] if "basis" in panel else pd.Series("", index=panel.index)
        latest = set(panel.loc[basis == "latest_cohort", "county"])
        ax.set_yticklabels([f"{c} †" if c in latest else c for c in results.order])
        title = label(str(panel["label"].iloc[0]).split(", estimated on")[0])
        ax.set_title(_wrapped(title, 60), fontsize=7)
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
        if name != "recognition_rate":
            ax.set_xlim(left=0)
    figure.tight_layout()
    return figure


def registration_eligibility(results: StudyResults) -> plt.Figure:
    """The current register against eligibility: weighted shares of households in each cell, by county.

    The cells come from the identification rates on the welfare measure each county's targeting
    used: the current-register share, the eligible share and the share eligible on the current
    register (``precision``).
    """
    families = _families_with(results, "identification", "rates")
    figure, axes = _grid(len(families), 4, 1.8)
    for ax, (family, rates) in zip(axes, families, strict=False):
        welfare = family.document.get("settings", {}).get("identification", {}).get("welfare", "pre_transfer")
        ax.set_title(f"{results.names[family.county]}\n{tr(WELFARE_WORDS[welfare])}", fontsize=7)
        if "welfare" in rates:
            rates = rates[rates["welfare"] == welfare]
        value = rates.set_index("rate")["estimate"]
        if value.reindex(["current_share", "precision", "eligible_share"]).isna().any():
            ax.grid(False)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.annotate(SUPPRESSED, xy=(0.5, 0.5), xycoords="axes fraction", ha="center", va="center", fontsize=9)
            continue
        both = value["current_share"] * value["precision"]
        cells = np.array(
            [
                [both, value["current_share"] - both],
                [value["eligible_share"] - both, 1 - value["current_share"] - value["eligible_share"] + both],
            ]
        )
        # Shares derived from rounded-free estimates can dip a hair below zero; a share cannot.
        cells = np.clip(cells, 0, 1)
        ax.imshow(cells, cmap="Blues", vmin=0, vmax=1)
        for (i, j), share in np.ndenumerate(cells):
            ax.text(
                j, i, f"{share:.1%}", ha="center", va="center", fontsize=7, color="white" if share > 0.5 else "black"
            )
        ax.set_xticks([0, 1], [tr("eligible"), tr("not\neligible")])
        ax.set_yticks([0, 1], [tr("on the\ncurrent register"), tr("not on it")])
        ax.grid(False)
    figure.tight_layout()
    return figure


def coverage_by_quintile(results: StudyResults) -> plt.Figure:
    """Coverage of the current and the ever register, and the distribution of their beneficiaries,
    by quintile of pre-transfer income per person (ADePT), one line per county with 95% CIs; a
    suppressed cell is left out of its line and marked ``x``."""
    frame = _require(results.tables("identification", "coverage_by_quintile"), "coverage tables")
    colours = county_colours(results.order)
    panels = [
        (register, measure)
        for measure in COVERAGE_TITLES
        for register in REGISTERS
        if not frame[(frame["register"] == register) & (frame["measure"] == measure)].empty
    ]
    figure, axes = _grid(len(panels), 2, 2.0)
    for ax, (register, measure) in zip(axes, panels, strict=False):
        panel = frame[(frame["register"] == register) & (frame["measure"] == measure)]
        for offset, county in zip(np.linspace(-0.12, 0.12, len(results.order)), results.order, strict=False):
            line = panel[panel["county"] == county].sort_values("group")
            hidden = _flagged(line)
            for group in line.loc[hidden, "group"]:
                _mark(ax, float(group) + offset, horizontal=False)
            line = line[~hidden]
            if line.empty:
                continue
            ax.errorbar(
                line["group"].to_numpy(dtype=float) + offset,
                line["estimate"],
                yerr=[line["estimate"] - line["ci_low"], line["ci_high"] - line["estimate"]],
                color=colours[county],
                marker="o",
                markersize=3,
                capsize=1.5,
                linewidth=1.0,
                label=county,
            )
        ax.set_title(tr(COVERAGE_TITLES[measure], register=tr(REGISTERS[register])), fontsize=7)
        ax.set_xticks(sorted(panel["group"].dropna().astype(int).unique()))
        ax.set_xlabel(tr("pre-transfer income group (1 = poorest)"))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
        ax.set_ylim(bottom=0)
    axes[0].legend(loc="best", frameon=False)
    figure.tight_layout()
    return figure


def af_dominance(results: StudyResults) -> plt.Figure:
    """Alkire-Foster H and M0 against the poverty cutoff k, one line per county with 95% bands: a
    ranking of counties holds for every k where their curves do not cross."""
    frame = _require(results.tables("identification", "af_grid"), "Alkire-Foster grids")
    colours = county_colours(results.order)
    figure, axes = _grid(2, 2, 2.2)
    for ax, measure in zip(axes, AF_MEASURES, strict=True):
        panel = frame[frame["measure"] == measure]
        for county in results.order:
            line = panel[panel["county"] == county].sort_values("k")
            line = line[~_flagged(line)]
            if line.empty:
                continue
            ax.plot(line["k"], line["estimate"], color=colours[county], label=county, linewidth=1.3, marker="o", ms=2.5)
            ax.fill_between(line["k"], line["ci_low"], line["ci_high"], color=colours[county], alpha=0.12, linewidth=0)
        ax.set_title(tr(AF_MEASURES[measure]))
        ax.set_xlabel(tr("poverty cutoff k (weighted share of deprivations)"))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.1%}"))
    axes[0].legend(loc="best", frameon=False)
    figure.tight_layout()
    return figure


def poverty_line_sensitivity(results: StudyResults) -> plt.Figure:
    """Error rates as the poverty line moves by ±30%, one line per county, with 95% bands."""
    frame = _require(results.tables("identification", "sensitivity"), "sensitivity tables")
    colours = county_colours(results.order)
    rates = [r for r in SENSITIVITY_RATES if r in set(frame["rate"])]
    labels = {row["name"]: label(row["label"]) for f in results.of_family("identification") for row in f.headline}
    labels["inclusion_error_current"] = labels.get("inclusion_error", tr("inclusion error"))
    figure, axes = _grid(len(rates), 2, 2.1)
    for ax, rate in zip(axes, rates, strict=False):
        panel = frame[frame["rate"] == rate]
        for county in results.order:
            line = panel[panel["county"] == county].sort_values("line_factor")
            if line.empty:
                continue
            ax.plot(line["line_factor"], line["estimate"], color=colours[county], label=county, linewidth=1.3)
            ax.fill_between(
                line["line_factor"], line["ci_low"], line["ci_high"], color=colours[county], alpha=0.12, linewidth=0
            )
        for value in panel["threshold"].dropna().unique():
            ax.axhline(value, color=REFERENCE_COLOUR, linestyle="--", linewidth=0.9)
        ax.axvline(1.0, color="grey", linewidth=0.7)
        ax.set_title(labels.get(rate, rate))
        ax.set_xlabel(tr("poverty line × factor"))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    axes[0].legend(loc="best", frameon=False)
    figure.tight_layout()
    return figure


def _dodged_intervals(
    frame: pd.DataFrame, key: str, labels: dict[str, str], order: list[str], xlabel: str
) -> plt.Figure:
    """Estimates with 95% CIs, one row per category of ``key`` (``labels``: category -> tick label),
    the counties side by side within it, and a line at zero."""
    colours = county_colours(order)
    categories = list(labels)
    figure, ax = plt.subplots(figsize=(WIDTH, 0.45 * len(categories) + 1.2))
    offsets = np.linspace(-0.3, 0.3, len(order)) if len(order) > 1 else [0.0]
    for offset, county in zip(offsets, order, strict=False):
        rows = frame[frame["county"] == county].set_index(key)
        for position, category in enumerate(categories):
            if category not in rows.index:
                continue
            if _flagged(rows.loc[[category]]).any():
                _mark(ax, position + offset)
                continue
            est, low, high = (float(rows.loc[category, c]) for c in ("estimate", "ci_low", "ci_high"))
            ax.errorbar(
                est,
                position + offset,
                xerr=[[est - low], [high - est]],
                fmt="o",
                color=colours[county],
                markersize=3.5,
                capsize=1.5,
                linewidth=1.1,
                label=county if position == 0 else None,
            )
    ax.axvline(0, color=REFERENCE_COLOUR, linewidth=0.8)
    ax.set_yticks(range(len(categories)), [tr(text) for text in labels.values()])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right", frameon=False, ncols=min(4, len(order)))
    figure.tight_layout()
    return figure


def income_effects(results: StudyResults) -> plt.Figure:
    """Effect of active participation on per-capita earned income, by estimator and county."""
    frame = _require(results.tables("income", "effects"), "income effect tables")
    frame = frame[(frame["outcome"] == "earned_pc") & (frame["specification"] != "diff")]
    frame = frame.assign(
        specification=np.where(frame["treatment"] == "dividend_only", "dividend_only", frame["specification"])
    )
    shown = {k: text for k, text in EFFECT_SPECIFICATIONS.items() if k in set(frame["specification"])}
    return _dodged_intervals(frame, "specification", shown, results.order, tr("yuan per person per year (95% CI)"))


def income_structure(results: StudyResults) -> plt.Figure:
    """Income structure of registered households: component shares at baseline and survey year."""
    frame = _require(results.tables("income", "income_structure"), "income structure tables")
    frame = frame[frame["group"] == "registered"]
    years = sorted(frame["year"].unique())
    figure, ax = plt.subplots(figsize=(WIDTH, 2.6))
    bars = [(county, year) for county in results.order for year in years]
    hidden = set(frame.loc[_flagged(frame), ["county", "year"]].itertuples(index=False, name=None))
    bottom = np.zeros(len(bars))
    for colour, (component, text) in zip(PALETTE, INCOME_COMPONENTS.items(), strict=False):
        shares = frame[frame["component"] == component].set_index(["county", "year"])["estimate"]
        heights = np.array([0.0 if bar in hidden else float(shares.get(bar, 0.0)) for bar in bars])
        ax.bar(range(len(bars)), heights, bottom=bottom, color=colour, label=tr(text), width=0.8)
        bottom += heights
    for position, bar in enumerate(bars):
        if bar in hidden:
            _mark(ax, position, horizontal=False)
    ax.set_xticks(range(len(bars)), [f"{county}\n{year}" for county, year in bars])
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.set_ylabel(tr("share of household income"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return figure


def _stacked_shares(
    ax: plt.Axes,
    table: pd.DataFrame,
    categories: list[str],
    parts: dict[str, str],
    key: str,
    part_column: str,
    tick: Callable[[str], str],
) -> None:
    """Horizontal stacked bars of shares, one bar per category (``tick`` labels it), stacked by
    ``parts`` (part -> legend label)."""
    left = np.zeros(len(categories))
    hidden = set(table.loc[_flagged(table), key])
    for colour, (part, text) in zip(PALETTE, parts.items(), strict=False):
        shares = table[table[part_column] == part].set_index(key)["estimate"]
        widths = np.array([0.0 if c in hidden else float(shares.get(c, 0.0)) for c in categories])
        ax.barh(range(len(categories)), widths, left=left, color=colour, label=text, height=0.75)
        left += widths
    for position, category in enumerate(categories):
        if category in hidden:
            _mark(ax, position)
    ax.set_yticks(range(len(categories)), [tick(c) for c in categories])
    ax.set_ylim(len(categories) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))


def _share_panels(
    results: StudyResults, families: list[tuple[Family, pd.DataFrame]], panel: Callable[[plt.Axes, pd.DataFrame], None]
) -> plt.Figure:
    """One panel of stacked shares per county (``panel`` draws one from its table), one legend on top."""
    figure, axes = _grid(len(families), 2, 2.0)
    for ax, (family, table) in zip(axes, families, strict=False):
        panel(ax, table)
        ax.set_title(results.names[family.county])
    axes[0].legend(loc="lower left", bbox_to_anchor=(0, 1.12), ncols=3, frameon=False)
    figure.tight_layout()
    return figure


def project_status(results: StudyResults) -> plt.Figure:
    """Project ledger: share of projects operating, suspended and failed, by project type (all start
    years; the ledger is a census: no intervals)."""

    def panel(ax: plt.Axes, table: pd.DataFrame) -> None:
        table = table[table["start_year"] == "all"].rename(columns={"share": "estimate"})
        types = ["all", *sorted(set(table["project_type"]) - {"all"})]
        statuses = {s: category_label("projects", "status", s) for s in LEDGER_STATUSES}
        _stacked_shares(
            ax, table, types, statuses, "project_type", "status", partial(category_label, "projects", "project_type")
        )

    return _share_panels(results, _families_with(results, "projects", "status"), panel)


def capability_by_status(results: StudyResults) -> plt.Figure:
    """Survey-weighted distribution of the capability index (SD units) by registration and exit status.

    One row per group (:data:`CAPABILITY_GROUPS`), the counties side by side within it, each a box
    drawn from the ``index_distribution`` table's weighted quantiles: whiskers 5-95%, box 25-75%,
    a line at the median and a diamond at the weighted mean (no outliers: the table holds none).
    """
    frame = _require(results.tables("capability", "index_distribution"), "capability index distributions")
    colours = county_colours(results.order)
    groups = [g for g in CAPABILITY_GROUPS if g in set(frame["group"])]
    figure, ax = plt.subplots(figsize=(WIDTH, 0.6 * len(groups) + 1.2))
    step = 0.8 / len(results.order)
    for index, county in enumerate(results.order):
        rows = frame[frame["county"] == county].set_index("group")
        for g in groups:
            if g in rows.index and _flagged(rows.loc[[g]]).any():
                _mark(ax, groups.index(g) - 0.4 + step * (index + 0.5))
        rows = rows[~_flagged(rows)]
        stats = [
            {
                "whislo": rows.loc[g, "q05"],
                "q1": rows.loc[g, "q25"],
                "med": rows.loc[g, "q50"],
                "q3": rows.loc[g, "q75"],
                "whishi": rows.loc[g, "q95"],
                "mean": rows.loc[g, "mean"],
                "fliers": [],
            }
            for g in groups
            if g in rows.index
        ]
        if not stats:
            continue
        positions = [groups.index(g) - 0.4 + step * (index + 0.5) for g in groups if g in rows.index]
        colour = colours[county]
        ax.bxp(
            stats,
            positions=positions,
            orientation="horizontal",
            widths=step * 0.8,
            showmeans=True,
            showcaps=True,
            patch_artist=True,
            boxprops={"facecolor": colour, "alpha": 0.35, "edgecolor": colour, "linewidth": 1.0},
            medianprops={"color": colour, "linewidth": 1.6},
            whiskerprops={"color": colour, "linewidth": 1.0},
            capprops={"color": colour, "linewidth": 1.0},
            meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": colour, "markersize": 3.5},
        )
        ax.plot([], [], color=colour, linewidth=6, alpha=0.5, label=county)
    ax.plot(
        [],
        [],
        "D",
        markerfacecolor="white",
        markeredgecolor="grey",
        markersize=3.5,
        linestyle="none",
        label=tr("weighted mean"),
    )
    # The registration split and the exit split are separate comparisons; a rule keeps them apart.
    exit_rows = [i for i, g in enumerate(groups) if g in ("registered_not_exited", "exited")]
    if exit_rows and exit_rows[0] > 0:
        ax.axhline(exit_rows[0] - 0.5, color="grey", linewidth=0.6)
    ax.axvline(0, color=REFERENCE_COLOUR, linewidth=0.8)
    # Rows are categories: a horizontal grid line would run through the middle box of each row.
    ax.grid(False, axis="y")
    ax.set_yticks(range(len(groups)), [tr(CAPABILITY_GROUPS[g]) for g in groups])
    ax.set_ylim(len(groups) - 0.5, -0.5)
    ax.set_xlabel(
        tr("capability index (standard deviations of the reference group); box 25-75%, whiskers 5-95%, line: median")
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return figure


def cadre_time(results: StudyResults) -> plt.Figure:
    """Cadres' weekly hours by activity and role (shares; the rest is other work)."""

    def panel(ax: plt.Axes, table: pd.DataFrame) -> None:
        table = table[table["measure"].isin(TIME_ACTIVITIES)]
        roles = ["all", *sorted(set(table["role"]) - {"all"})]
        # "Other work" of a suppressed role would be 100% minus nothing: it gets no bar either.
        other = 1 - table[~_flagged(table)].groupby("role")["estimate"].sum()
        table = pd.concat([table, pd.DataFrame({"measure": "other", "role": other.index, "estimate": other.values})])
        activities = {m: tr(text) for m, text in {**TIME_ACTIVITIES, "other": N_("other work")}.items()}
        _stacked_shares(ax, table, roles, activities, "role", "measure", partial(category_label, "cadres", "role"))

    return _share_panels(results, _families_with(results, "formalism", "by_role"), panel)


def burden_and_errors(results: StudyResults) -> plt.Figure:
    """Cadre formalism share against the identification error rate by unit, with a linear fit."""
    frame = _require(results.tables("formalism", "association_units"), "burden-error units")
    colours = county_colours(results.order)
    figure, ax = plt.subplots(figsize=(WIDTH, 3.0))
    for county in results.order:
        of_county = frame[frame["county"] == county]
        suppressed = int(_flagged(of_county).sum())
        units = of_county.dropna(subset=["cadre_formal_share", "error_rate"])
        if of_county.empty:
            continue
        level = of_county["level"].iloc[0]
        if units.empty:
            if suppressed:
                ax.plot(
                    [],
                    [],
                    "o",
                    color=colours[county],
                    label=tr("{county}: all {n} {level}s suppressed (x)", county=county, n=suppressed, level=tr(level)),
                )
            continue
        hidden = tr("; {n} suppressed (x), no fit drawn", n=suppressed) if suppressed else ""
        ax.scatter(
            units["cadre_formal_share"],
            units["error_rate"],
            s=12 + units["n_households"] / 4,
            color=colours[county],
            alpha=0.75,
            label=tr("{county} ({level}s{hidden})", county=county, level=tr(level), hidden=hidden),
            linewidths=0,
        )
        # A fit through the published units only would not be the association estimated on all of them.
        if not suppressed and units["cadre_formal_share"].nunique() > 1:
            slope, intercept = np.polyfit(
                units["cadre_formal_share"], units["error_rate"], 1, w=np.sqrt(units["n_households"])
            )
            xs = np.linspace(units["cadre_formal_share"].min(), units["cadre_formal_share"].max(), 20)
            ax.plot(xs, intercept + slope * xs, color=colours[county], linewidth=1.1)
    ax.set_xlabel(tr("cadres' share of weekly hours on formal activities"))
    ax.set_ylabel(tr("identification error rate"))
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:.0%}"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return figure


def _interval_points(
    ax: plt.Axes, rows: pd.DataFrame, positions: np.ndarray, colour: str, *, vertical: bool, **style: object
) -> None:
    """Estimates with their 95% CIs at ``positions`` (along x when ``vertical``, else along y);
    suppressed rows are drawn as an ``x``."""
    hidden = _flagged(rows).to_numpy()
    for position in positions[hidden]:
        _mark(ax, position, horizontal=not vertical)
    shown = rows[~hidden]
    est = shown["estimate"].to_numpy(dtype=float)
    error = [est - shown["ci_low"].to_numpy(dtype=float), shown["ci_high"].to_numpy(dtype=float) - est]
    if vertical:
        ax.errorbar(positions[~hidden], est, yerr=error, color=colour, capsize=1.5, linewidth=1.0, **style)
    else:
        ax.errorbar(est, positions[~hidden], xerr=error, color=colour, capsize=1.5, linewidth=1.0, **style)


def monitoring_relapse(results: StudyResults) -> plt.Figure:
    """Exited households below the line and in the vulnerable band by exit year (top), and below the
    line by recorded main cause of poverty (bottom), one colour per county, with 95% CIs."""
    cohorts = _require(results.tables("monitoring", "relapse_by_cohort"), "relapse-by-cohort tables")
    causes = results.tables("monitoring", "relapse_by_cause")
    colours = county_colours(results.order)
    figure = plt.figure(figsize=(WIDTH, 5.2))
    grid = figure.add_gridspec(2, 2, height_ratios=[1, 1.1])
    panels = [figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])]
    by_cause = figure.add_subplot(grid[1, :])
    cohorts = cohorts.assign(exit_cohort=cohorts["exit_cohort"].astype(str))
    years = sorted({c for c in cohorts["exit_cohort"] if c.isdigit()})
    offsets = np.linspace(-0.25, 0.25, len(results.order)) if len(results.order) > 1 else np.zeros(1)
    for ax, rate in zip(panels, RELAPSE_RATES, strict=True):
        for offset, county in zip(offsets, results.order, strict=False):
            rows = cohorts[(cohorts["county"] == county) & (cohorts["rate"] == rate)]
            rows = rows[rows["exit_cohort"].isin(years)].sort_values("exit_cohort")
            positions = np.array([years.index(y) for y in rows["exit_cohort"]], dtype=float) + offset
            _interval_points(ax, rows, positions, colours[county], vertical=True, fmt="o", markersize=3, label=county)
        ax.set_xticks(range(len(years)), years)
        ax.set_xlabel(tr("exit year"))
        ax.set_title(tr(RELAPSE_RATES[rate]))
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    panels[0].set_ylabel(tr("share of exited households"))
    panels[1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    below = causes[causes["rate"] == "exited_below_line_share"] if not causes.empty else causes
    kinds = sorted(set(below["poverty_cause"])) if not below.empty else []
    for offset, county in zip(offsets, results.order, strict=False):
        rows = below[below["county"] == county]
        rows = rows.assign(_order=rows["poverty_cause"].map({k: i for i, k in enumerate(kinds)})).sort_values("_order")
        positions = rows["_order"].to_numpy(dtype=float) + offset
        _interval_points(by_cause, rows, positions, colours[county], vertical=True, fmt="o", markersize=3)
    by_cause.set_xticks(
        range(len(kinds)), [category_label("households", "poverty_cause", k) for k in kinds], rotation=25, ha="right"
    )
    by_cause.set_title(tr("below the line, by main cause of poverty"))
    by_cause.set_ylabel(tr("share of exited households"))
    by_cause.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    figure.tight_layout()
    return figure


def poverty_at_lines(results: StudyResults) -> plt.Figure:
    """FGT headcount (P0) at every fixed line of the monitoring family, in the order of the lines
    (national line to $6.85 a day; each tick says the line in yuan), one colour per county with 95%
    CIs."""
    frame = _require(results.tables("monitoring", "fgt_at_lines"), "headcounts at the fixed lines")
    frame = frame[frame["measure"] == "P0"]
    colours = county_colours(results.order)
    # The lines as the focal county's table orders them (a line may differ between counties).
    order = frame.sort_values("line", kind="stable").drop_duplicates("line_name")["line_name"].tolist()
    figure, ax = plt.subplots(figsize=(WIDTH, 3.4))
    offsets = np.linspace(-0.25, 0.25, len(results.order)) if len(results.order) > 1 else np.zeros(1)
    for offset, county in zip(offsets, results.order, strict=False):
        rows = frame[frame["county"] == county]
        rows = rows.assign(_order=rows["line_name"].map({n: i for i, n in enumerate(order)})).sort_values("_order")
        positions = rows["_order"].to_numpy(dtype=float) + offset
        _interval_points(ax, rows, positions, colours[county], vertical=True, fmt="o", markersize=3.5, label=county)
    first = frame[frame["county"] == results.order[0]].set_index("line_name")["line"]
    ticks = [
        f"{tr(LINE_LABELS[n]) if n in LINE_LABELS else n}\n{first[n]:,.0f}" if n in first else tr(LINE_LABELS.get(n, n))
        for n in order
    ]
    ax.set_xticks(range(len(order)), ticks, rotation=40, ha="right", fontsize=6)
    ax.set_ylabel(tr("share of persons below the line"))
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False)
    figure.tight_layout()
    return figure


def project_fund_use(results: StudyResults) -> plt.Figure:
    """Fund use by project type, one panel per measure, the counties side by side (the ledger is a
    census: no intervals)."""
    frame = _require(results.tables("projects", "fund_use"), "fund-use tables")
    colours = county_colours(results.order)
    measures = [m for m in FUND_USE_MEASURES if m in set(frame["measure"])]
    types = ["all", *sorted(set(frame["project_type"]) - {"all"})]
    figure, axes = _grid(len(measures), len(measures), 0.3 * len(types) + 1.3)
    height = 0.8 / max(len(results.order), 1)
    for ax, measure in zip(axes, measures, strict=False):
        rows = frame[frame["measure"] == measure]
        for index, county in enumerate(results.order):
            values = rows[rows["county"] == county].set_index("project_type")["estimate"]
            positions = np.arange(len(types)) - 0.4 + height * (index + 0.5)
            widths = [float(values.get(t, np.nan)) for t in types]
            ax.barh(positions, widths, height=height, color=colours[county], label=county)
        ax.set_yticks(range(len(types)), [category_label("projects", "project_type", t) for t in types])
        ax.set_ylim(len(types) - 0.5, -0.5)
        ax.set_title(_wrapped(tr(FUND_USE_MEASURES[measure]), 28), fontsize=7)
    for ax in axes[1 : len(measures)]:
        ax.tick_params(labelleft=False)
    for ax in axes[: len(measures)]:
        ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 100 else f"{x:g}"))
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncols=4, frameon=False)
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def project_survival(results: StudyResults) -> plt.Figure:
    """Projects still operating by years since start: the current-status estimate of the survival
    function (steps) and the raw share of each age (points sized by its projects), one colour per
    county."""
    frame = _require(results.tables("projects", "survival"), "project survival tables")
    frame = frame[frame["project_type"] == "all"]
    colours = county_colours(results.order)
    figure, ax = plt.subplots(figsize=(WIDTH, 2.8))
    for county in results.order:
        rows = frame[frame["county"] == county].sort_values("years_since_start")
        if rows.empty:
            continue
        ax.step(
            rows["years_since_start"], rows["survival"], where="mid", color=colours[county], linewidth=1.4, label=county
        )
        ax.scatter(
            rows["years_since_start"],
            rows["share_surviving"],
            s=6 + 3 * rows["n_projects"],
            color=colours[county],
            alpha=0.35,
            linewidths=0,
        )
    ax.set_xlabel(tr("years since the project started"))
    ax.set_ylabel(tr("share of projects still operating"))
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda y, _: f"{y:.0%}"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    figure.tight_layout()
    return figure


def county_panel(results: StudyResults, family: str) -> plt.Figure:
    """Dot-and-whisker panel per headline indicator of ``family``, one line per county."""
    frame = _require(_headline_frame(results, family), f"{family} headline estimates")
    colours = county_colours(results.order)
    names = list(dict.fromkeys(frame["name"]))
    figure, axes = _grid(len(names), 3, 1.45)
    for ax, name in zip(axes, names, strict=False):
        panel = frame[frame["name"] == name]
        _dot_whisker(ax, panel, results.order, colours)
        for value in panel["threshold"].dropna().unique() if "threshold" in panel else []:
            ax.axvline(value, color=REFERENCE_COLOUR, linestyle="--", linewidth=0.9)
        ax.set_title(_wrapped(panel["label_text"].iloc[0]), fontsize=7)
    figure.tight_layout()
    return figure


def _wrapped(text: str, width: int = 38) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "\n".join([*lines, line])

"""The report's sections, each a list of blocks built from results files only.

Verdicts are read from the numbers they sit beside (:func:`threshold_verdict`, :func:`zero_side`):
a threshold verdict comes from comparing the interval with the threshold, a sign from the interval
against zero, so no sentence or verdict column can contradict its numbers. The first page and the
findings are :mod:`.findings`, the settings appendix :mod:`.settings_appendix`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import pa_study.report.blocks as b
from pa_study.codebook import Codebook
from pa_study.disclosure import DEFAULT_MIN_CELL, FLAG, SUPPRESSED
from pa_study.figures import FIGURES
from pa_study.indicators import FAMILIES
from pa_study.report.text import format_interval, format_value, label_of
from pa_study.results import StudyResults
from pa_study.stats.thresholds import threshold_verdict as threshold_rule

#: Headline names whose interval is read against zero (effects, gaps, associations), as the
#: families declare them.
_CONTRAST_PREFIXES = tuple(prefix for family in FAMILIES.values() for prefix in family.contrasts)


@dataclass
class ReportContext:
    """What every section needs: the results, the words, and the study's facts from config.

    Attributes
    ----------
    results : StudyResults
        Indicator families of the study's counties, focal county first.
    words : dict
        The report's words in its language (:data:`pa_study.report.text.WORDS`).
    language : str
        ``en`` or ``zh``.
    study : dict
        The config's ``study`` section (title, survey and baseline years).
    summaries : dict
        County -> clean ``summary.json`` document.
    figures : dict
        Figure name -> path inside the build folder.
    comparison : dict or None
        The comparison stage's headline contrasts (``results/comparison``), once it exists.
    published : DataFrame or None
        The comparison's line-up of survey estimates beside published figures with their sources.
    """

    results: StudyResults
    words: dict[str, str]
    language: str
    study: dict[str, Any]
    summaries: dict[str, dict[str, Any]] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    comparison: dict[str, Any] | None = None
    published: pd.DataFrame | None = None

    @property
    def focal(self) -> str:
        """The focal county's key."""
        return self.results.counties[0]

    def name(self, county: str) -> str:
        """A county's display name."""
        return self.results.names[county]

    def family_title(self, family: str) -> str:
        """An indicator family's name in the report's language (the key itself for an unknown one)."""
        return FAMILIES[family].title(self.language) if family in FAMILIES else family


def threshold_verdict(row: dict[str, Any]) -> str:
    """``pass``, ``fail`` or ``inconclusive`` for a row with a threshold, by the rule the indicator
    files use (:func:`pa_study.stats.threshold_verdict` with the row's ``threshold_operator``; ``<``
    for rows written before it was recorded): pass when the whole interval meets the criterion,
    fail when none of it does."""
    return threshold_rule(
        float(row["estimate"]),
        float(row["ci_low"]),
        float(row["ci_high"]),
        float(row["threshold"]),
        str(row.get("threshold_operator", "<")),
    ).passes_ci


def zero_side(row: dict[str, Any]) -> str:
    """``positive``, ``negative`` or ``none``: where the row's interval lies against zero."""
    if float(row["ci_low"]) > 0:
        return "positive"
    if float(row["ci_high"]) < 0:
        return "negative"
    return "none"


def is_contrast(row: dict[str, Any]) -> bool:
    """Whether the row is an effect, gap or association (read against zero)."""
    return str(row["name"]).startswith(_CONTRAST_PREFIXES)


def headline_table(
    rows: Iterable[dict[str, Any]], ctx: ReportContext, caption: str, label: str | None = None
) -> b.Block:
    """Estimate, SE, CI, n (and the threshold verdict) of headline rows; ``label`` lets the text cite it."""
    w = ctx.words
    body = []
    for row in rows:
        name = str(row["name"])
        if is_suppressed(row):
            body.append([label_of(row, ctx.language), SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED, ""])
            continue
        verdict = w[threshold_verdict(row)] if row.get("threshold") is not None else ""
        body.append(
            [
                label_of(row, ctx.language),
                format_value(row["estimate"], name),
                format_value(row["se"], name),
                format_interval(row),
                row["n"],
                verdict,
            ]
        )
    columns = [w["col_indicator"], w["col_estimate"], w["col_se"], w["col_ci"], w["col_n"], w["col_verdict"]]
    return b.table(columns, body, caption, label=label)


def _estimated(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("estimate") is not None]


def _shown(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows a table prints: the estimated ones and those suppressed for confidentiality."""
    return [r for r in rows if r.get("estimate") is not None or is_suppressed(r)]


def is_suppressed(row: dict[str, Any]) -> bool:
    """Whether disclosure control suppressed the row's estimate (:mod:`pa_study.disclosure`)."""
    return row.get(FLAG) == SUPPRESSED


def suppression_mark(ctx: ReportContext, families: Iterable[Any]) -> list[b.Block]:
    """The footnote explaining ``x``, when one of ``families``' headline rows is suppressed."""
    documents = [f.document for f in families if f is not None]
    if not any(is_suppressed(r) for d in documents for r in d.get("headline", [])):
        return []
    min_cell = max(d.get("disclosure", {}).get("min_cell", DEFAULT_MIN_CELL) for d in documents)
    return [b.par(ctx.words["suppressed_mark"].format(min_cell=min_cell))]


def title_facts(ctx: ReportContext, benchmarks: list[str]) -> list[str]:
    """The title page lines: focal county, benchmarks, the date of the data (not of the build)."""
    w = ctx.words
    return [
        w["focal"].format(name=ctx.name(ctx.focal)),
        w["benchmarks"].format(names=", ".join(ctx.name(c) for c in benchmarks)),
        w["data_year"].format(year=ctx.study.get("survey_year"), baseline=ctx.study.get("baseline_year")),
    ]


def data_section(ctx: ReportContext) -> list[b.Block]:
    """Design, sample sizes, weights, and cleaning and quarantine counts per table and county."""
    w = ctx.words
    out = [b.heading(w["data"])]
    design_lines, count_rows, reason_rows, failing = [], [], [], []
    for county in ctx.results.counties:
        summary = ctx.summaries.get(county)
        if summary is None:
            continue
        design = summary.get("design", {})
        design_lines.append(
            w["census_sentence" if design.get("census") else "design_sentence"].format(
                county=ctx.name(county),
                strata=design.get("strata"),
                psus=design.get("psus"),
                frame=design.get("frame_villages"),
                weights=design.get("weights"),
            )
        )
        for table_name, counts in sorted(summary.get("tables", {}).items()):
            count_rows.append(
                [
                    ctx.name(county),
                    table_name,
                    counts.get("rows_in"),
                    counts.get("exact_duplicates_removed"),
                    counts.get("dropped_by_corrections"),
                    counts.get("quarantined"),
                    counts.get("rows_out"),
                    w["yes"] if counts.get("reconciles") else w["no"],
                ]
            )
            if not counts.get("reconciles"):
                failing.append(f"{ctx.name(county)}/{table_name}")
            for reason, n in sorted(counts.get("quarantine_reasons", {}).items()):
                reason_rows.append([ctx.name(county), table_name, reason, n])
    sample_lines = [
        w["sample_sentence"].format(
            county=ctx.name(f.county),
            used=f.document.get("sample", {}).get("households_used"),
            read=f.document.get("sample", {}).get("households_read"),
        )
        for f in ctx.results.of_family("identification")
    ]
    weight_lines = [line for county in ctx.results.counties if (line := _weights_sentence(ctx, county))]
    if is_province(ctx):
        # The focal county in full, the benchmarks together (every failing table is still named).
        design_lines, sample_lines = [*design_lines[:1], benchmark_designs(ctx)], sample_lines[:1]
        weight_lines = [line for line in [_weights_sentence(ctx, ctx.focal)] if line]
        focal = ctx.name(ctx.focal)
        count_rows = [r for r in count_rows if r[0] == focal] + _together(
            [r for r in count_rows if r[0] != focal], w["all_benchmarks"], keys=1, last=w["yes"]
        )
        reason_rows = [r for r in reason_rows if r[0] == focal] + _together(
            [r for r in reason_rows if r[0] != focal], w["all_benchmarks"], keys=2
        )
    out.append(b.heading(w["col_design"], level=2))
    out.append(b.bullets(design_lines))
    if weight_lines:
        out.append(b.bullets(weight_lines))
    out.append(b.bullets(sample_lines))
    out.append(b.heading(w["col_reconciles"], level=2))
    verdict = (
        w["all_reconcile"].format(n=len(count_rows))
        if not failing
        else w["some_fail"].format(n=len(failing), tables=", ".join(failing))
    )
    cite = w["data_tables_cite"].format(counts=b.ref("tab:data-counts"))
    if reason_rows:
        cite += w["gap"] + w["data_reasons_cite"].format(reasons=b.ref("tab:data-reasons"))
    out.append(b.par(w["reconciles_sentence"].format(verdict=verdict) + w["gap"] + cite))
    columns = [
        w["col_county"],
        w["col_table"],
        w["col_rows_in"],
        w["col_duplicates"],
        w["col_corrections"],
        w["col_quarantined"],
        w["col_rows_out"],
        w["col_reconciles"],
    ]
    out.append(b.table(columns, count_rows, w["data"], align=["left", "left"] + ["right"] * 6, label="tab:data-counts"))
    if reason_rows:
        out.append(
            b.table(
                [w["col_county"], w["col_table"], w["col_reason"], w["col_count"]],
                reason_rows,
                w["col_reason"],
                align=["left", "left", "left", "right"],
                label="tab:data-reasons",
            )
        )
    return out


#: With more benchmarks than this, a table with a column per county no longer fits the page: the
#: report is a province's, which sets the focal county against the distribution of the others and
#: names the comparison stage's CSV files for the full tables.
WIDE_COMPARISON = 6
#: Holm-adjusted p-values below this count a contrast as a difference in a province's summary.
HOLM_ALPHA = 0.05


def is_province(ctx: ReportContext) -> bool:
    """Whether the study has more than :data:`WIDE_COMPARISON` benchmark counties."""
    return len(ctx.results.counties) - 1 > WIDE_COMPARISON


def distribution_cells(rows: dict[str, dict[str, Any]], ctx: ReportContext, name: str) -> list[str]:
    """The benchmarks' estimates of headline ``name`` summarised for a province's tables: their
    median, middle half (25th to 75th percentile) and range, the focal county's rank among all the
    counties from the lowest, and how many benchmarks have an estimate."""
    shown = {c: float(r["estimate"]) for c, r in rows.items() if r.get("estimate") is not None and not is_suppressed(r)}
    others = [v for c, v in shown.items() if c != ctx.focal]
    if not others:
        return ["–", "–", "–", "–", "0"]
    low, q1, median, q3, high = (float(v) for v in np.percentile(others, [0, 25, 50, 75, 100]))
    rank = (
        ctx.words["rank_of"].format(rank=1 + sum(v < shown[ctx.focal] for v in others), n=len(shown))
        if ctx.focal in shown
        else "–"
    )
    return [
        format_value(median, name),
        f"{format_value(q1, name)} – {format_value(q3, name)}",
        f"{format_value(low, name)} – {format_value(high, name)}",
        rank,
        str(len(others)),
    ]


def distribution_columns(ctx: ReportContext) -> list[str]:
    """The headers of :func:`distribution_cells`."""
    w = ctx.words
    return [w["col_median"], w["col_middle_half"], w["col_range"], w["col_rank"], w["col_benchmarks"]]


def benchmark_designs(ctx: ReportContext) -> str:
    """One sentence on the benchmark counties' designs: how many sampled (with the range of their
    townships and sampled villages) and how many enumerated every household."""
    designs = [ctx.summaries[c].get("design", {}) for c in ctx.results.counties[1:] if c in ctx.summaries]
    samples = [d for d in designs if not d.get("census")]
    strata = [int(d["strata"]) for d in samples if d.get("strata") is not None] or [0]
    psus = [int(d["psus"]) for d in samples if d.get("psus") is not None] or [0]
    return ctx.words["benchmark_designs"].format(
        n=len(designs),
        samples=len(samples),
        censuses=len(designs) - len(samples),
        strata=f"{min(strata)}–{max(strata)}",
        psus=f"{min(psus)}–{max(psus)}",
    )


def _together(rows: list[list[Any]], name: str, *, keys: int, last: str | None = None) -> list[list[Any]]:
    """Rows of several counties summed into one row per key (the ``keys`` columns after the county),
    named ``name``; with ``last``, the last column is a yes/no that holds for the sum when it holds
    for every row."""
    groups: dict[tuple[Any, ...], list[list[Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[1 : 1 + keys]), []).append(row)
    together = []
    for key, group in groups.items():
        end = len(group[0]) - (1 if last is not None else 0)
        sums = [sum(int(r[i] or 0) for r in group) for i in range(1 + keys, end)]
        flag = [next((r[-1] for r in group if r[-1] != last), last)] if last is not None else []
        together.append([name, *key, *sums, *flag])
    return together


def comparison_section(ctx: ReportContext) -> list[b.Block]:
    """Survey estimates by county, the focal − benchmark contrasts, and the published figures
    with their sources, each under its own heading so the two kinds of evidence stay apart."""
    w = ctx.words
    out = [
        b.heading(w["comparison"]),
        b.par(w["comparison_intro"]),
        b.par(w["comparison_caveats"]),
        b.heading(w["comparison_survey"], level=2),
    ]
    # The estimates by county are the findings tables; here they are drawn side by side.
    tables = [b.ref(f"tab:findings-{f}") for f in FAMILIES if ctx.results.of_family(f)]
    panels = [f"county_panel_{f}" for f in FAMILIES if f"county_panel_{f}" in ctx.figures]
    figures = [b.ref(f"fig:{name}") for name in panels]
    out.append(
        b.par(
            w["comparison_survey_cite"].format(
                tables=w["list_sep"].join(tables) or "–", figures=w["list_sep"].join(figures) or "–"
            )
        )
    )
    out.extend(b.figure(ctx.figures[name], FIGURES[name].caption(ctx.language), label=f"fig:{name}") for name in panels)
    out.append(b.heading(w["comparison_contrasts"], level=2))
    contrasts = contrast_summary_blocks(ctx) if is_province(ctx) else contrast_blocks(ctx)
    out.extend(cited_first(contrasts, w["contrasts_cite"], w))
    out.append(b.heading(w["comparison_published"], level=2))
    out.extend(cited_first(published_blocks(ctx), w["published_cite"], w))
    return out


def cited_first(blocks: list[b.Block], sentence: str, w: dict[str, str]) -> list[b.Block]:
    """``blocks`` after a paragraph citing their tables (``sentence`` with ``{tables}``), when they hold any."""
    labels = [b.ref(block["label"]) for block in blocks if block["kind"] == "table" and block.get("label")]
    return [b.par(sentence.format(tables=w["list_sep"].join(labels))), *blocks] if labels else blocks


def contrast_blocks(ctx: ReportContext) -> list[b.Block]:
    """The comparison stage's headline contrasts (focal − benchmark) per family, or a pending note.

    The contract (issue 5, ``results/comparison/contrasts.json``): ``headline`` rows in the
    indicator rows' format (name, label, estimate, se, ci_low, ci_high, n) plus ``family``, the
    ``benchmark`` county, the Holm-adjusted ``p_holm`` and the Holm-consistent interval
    (``ci_low_adjusted``, ``ci_high_adjusted``), which the table prints beside ``p_holm``.
    """
    w = ctx.words
    rows = _estimated((ctx.comparison or {}).get("headline", []))
    if not rows:
        return [b.note(w["pending"].format(what=w["pending_contrasts"]))]
    columns = [w["col_indicator"], w["col_county"], w["col_difference"], w["col_ci_adjusted"], w["col_p"], w["col_n"]]
    out = [b.par(w["contrast_adjustment"])]
    for family in dict.fromkeys(str(r.get("family", "")) for r in rows):
        body = [
            [
                label_of(r, ctx.language)
                + ("" if r.get("reliable", True) else " *")
                + (" ‡" if r.get("different_lines") else ""),
                ctx.results.names.get(str(r.get("benchmark")), str(r.get("benchmark", ""))),
                format_value(r["estimate"], str(r["name"])),
                format_interval(
                    {"name": r["name"], "ci_low": r.get("ci_low_adjusted"), "ci_high": r.get("ci_high_adjusted")}
                ),
                format_value(r.get("p_holm")),
                r.get("n", ""),
            ]
            for r in rows
            if str(r.get("family", "")) == family
        ]
        caption = f"{w['comparison_contrasts']}: {ctx.family_title(family)}"
        align = ["left", "left", "right", "right", "right", "right"]
        out.append(b.table(columns, body, caption, align=align, label=f"tab:contrasts-{family}"))
    if any(r.get("reliable") is False for r in rows):
        out.append(b.par(w["unreliable_mark"]))
    if any(r.get("different_lines") for r in rows):
        out.append(b.par(w["different_lines_mark"]))
    return out


def contrast_summary_blocks(ctx: ReportContext) -> list[b.Block]:
    """A province's contrasts: per family and indicator, how many benchmarks the focal county is
    above or below (Holm-adjusted p under :data:`HOLM_ALPHA`, Holm over the family's contrasts) and
    the median difference; the full table is the comparison stage's ``contrasts.csv``."""
    w = ctx.words
    rows = _estimated((ctx.comparison or {}).get("headline", []))
    if not rows:
        return [b.note(w["pending"].format(what=w["pending_contrasts"]))]
    columns = [w["col_indicator"], w["col_benchmarks"], w["col_higher"], w["col_lower"], w["col_neither"]]
    columns.append(w["col_median_difference"])
    out: list[b.Block] = []
    for family in dict.fromkeys(str(r.get("family", "")) for r in rows):
        body = []
        for name in dict.fromkeys(str(r["name"]) for r in rows if str(r.get("family", "")) == family):
            own = [r for r in rows if str(r.get("family", "")) == family and str(r["name"]) == name]
            apart = [r for r in own if r.get("p_holm") is not None and float(r["p_holm"]) < HOLM_ALPHA]
            higher = sum(float(r["estimate"]) > 0 for r in apart)
            lower = sum(float(r["estimate"]) < 0 for r in apart)
            median = format_value(float(np.median([float(r["estimate"]) for r in own])), name)
            body.append([label_of(own[0], ctx.language), len(own), higher, lower, len(own) - higher - lower, median])
        caption = f"{w['comparison_contrasts']}: {ctx.family_title(family)}"
        align = ["left"] + ["right"] * 5
        out.append(b.table(columns, body, caption, align=align, label=f"tab:contrasts-{family}"))
    out.append(b.par(w["full_contrasts"].format(n=len(rows), focal=ctx.name(ctx.focal))))
    return out


def published_blocks(ctx: ReportContext) -> list[b.Block]:
    """Per indicator, the survey estimates beside the published figures, each row labelled with
    its kind of evidence and (for published figures) its scope and source; or a pending note.

    The contract (issue 5, ``results/comparison/published_lineup.csv``): one row per county,
    indicator and kind, with columns indicator, label, county, kind (``survey estimate`` or
    ``published figure``), year, value, ci_low, ci_high, unit, scope, source.
    """
    w = ctx.words
    lineup = ctx.published
    if lineup is None or lineup.empty:
        return [b.note(w["pending"].format(what=w["pending_published"]))]
    kinds = {"survey estimate": w["survey_estimate"], "published figure": w["published_figure"]}
    out = []
    for indicator, rows in lineup.groupby("indicator", sort=False):
        rows = rows.assign(order=rows["kind"].map({"survey estimate": 0, "published figure": 1}))
        body = [
            [
                ctx.results.names.get(str(r["county"]), str(r["county"])),
                kinds.get(r["kind"], str(r["kind"])),
                str(r["year"]),
                lineup_value(r),
                lineup_interval(r),
                _text(r.get("scope")),
                _text(r.get("source")),
            ]
            for r in rows.sort_values(["order", "year"], kind="stable").to_dict("records")
        ]
        label = label_of({"name": indicator, "label": rows["label"].iloc[0]}, ctx.language)
        columns = [
            w["col_county"],
            w["col_kind"],
            w["col_year"],
            w["col_value"],
            w["col_ci"],
            w["col_scope"],
            w["col_source"],
        ]
        out.append(
            b.table(
                columns,
                body,
                f"{w['comparison_published']}: {label}",
                align=["left", "left", "right", "right", "right", "left", "left"],
                label=f"tab:published-{len(out) + 1}",
            )
        )
    return out


def lineup_value(row: dict[str, Any]) -> str:
    """A line-up value with its unit; shares as percentages."""
    if row.get("unit") == "share":
        return format_value(float(row["value"]), "_share")
    return f"{format_value(float(row['value']))} {_text(row.get('unit'))}".strip()


def lineup_interval(row: dict[str, Any]) -> str:
    """The 95% CI of a survey estimate in the line-up (published figures have none)."""
    if pd.isna(row.get("ci_low")) or pd.isna(row.get("ci_high")):
        return ""
    name = "_share" if row.get("unit") == "share" else ""
    return f"[{format_value(float(row['ci_low']), name)}, {format_value(float(row['ci_high']), name)}]"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _weights_sentence(ctx: ReportContext, county: str) -> str | None:
    """The weight distribution of a county's households (min, max, CV, Kish deff), from its clean summary."""
    design = (ctx.summaries.get(county) or {}).get("design", {})
    weights = design.get("weight_distribution")
    if not weights or not weights.get("n"):
        return None
    calibration = design.get("calibration")
    calibrated = (
        " "
        + ctx.words["calibration_sentence"].format(
            county=ctx.name(county),
            townships=calibration["margins"]["townships"],
            statuses=calibration["margins"]["statuses"],
            population=calibration["population"],
            source=calibration["source"],
        )
        if calibration
        else ""
    )
    return (
        ctx.words["weights_sentence"].format(
            county=ctx.name(county),
            n=weights["n"],
            min=f"{weights['min']:.3g}",
            max=f"{weights['max']:.3g}",
            cv=f"{weights['cv']:.2f}",
            kish=f"{weights['kish_deff']:.2f}",
            n_eff=f"{weights['n'] / weights['kish_deff']:.0f}",
            groups=design.get("second_stage_groups", "?"),
        )
        + calibrated
    )


def codebook_appendix(ctx: ReportContext, codebook: Codebook) -> list[b.Block]:
    """Every instrument's variables: name, (Chinese label), type, unit or values, description."""
    w = ctx.words
    out = [
        b.heading(w["appendix_codebook"]),
        b.par(
            w["codebook_intro"].format(path=Path(codebook.path).as_posix(), version=codebook.raw.get("version", "–"))
        ),
    ]
    for name, instrument in codebook.instruments.items():
        out.append(b.heading(f"{name} ({instrument.label_zh})" if ctx.language == "zh" else name, level=2))
        rows = []
        for var in instrument.kept:
            values = ", ".join(var.category_codes) if var.categories else (var.unit or "")
            if var.range is not None:
                values = f"{values} [{var.range[0]}, {var.range[1]}]".strip()
            label = [var.label_zh] if ctx.language == "zh" else []
            rows.append([var.name, *label, var.type, values, var.description])
        columns = [
            w["col_variable"],
            *([w["col_indicator"]] if ctx.language == "zh" else []),
            w["col_type"],
            w["col_unit"],
            w["col_description"],
        ]
        out.append(b.table(columns, rows, f"{w['appendix_codebook']}: {name}", align=["left"] * len(columns)))
    return out

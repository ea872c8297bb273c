"""The report's first page and its findings, one per study question, from the family registry.

Every indicator family answers one study question (:attr:`IndicatorFamily.question_en`). The first
page puts the questions, a key-findings table (the headlines each family names in
``key_headlines``, for the focal county and each benchmark, with the threshold and the focal
county's verdict) and one headline figure before a policymaker. The findings section gives each
question a short paragraph whose sentences count verdicts, and a table of the counties whose cells
carry the estimate, its interval and its verdict; the per-county detail is in an appendix. A
verdict is read from the numbers only: a threshold row passes, fails or is inconclusive by
:func:`~pa_study.report.sections.threshold_verdict`; an effect, gap or association lies above
zero, below zero, or cannot be told apart from it (:func:`~pa_study.report.sections.zero_side`).
"""

from __future__ import annotations

from typing import Any

import pa_study.report.blocks as b
from pa_study.figures import FIGURES
from pa_study.indicators import FAMILIES, IndicatorFamily
from pa_study.report.sections import (
    ReportContext,
    distribution_cells,
    distribution_columns,
    headline_table,
    is_contrast,
    is_province,
    is_suppressed,
    suppression_mark,
    threshold_verdict,
    zero_side,
)
from pa_study.report.text import format_interval, format_value, label_of
from pa_study.report.vocabulary import NOT_ADJUSTED, enforce
from pa_study.results import Family
from pa_study.stats import minimum_detectable_effect

Row = dict[str, Any]

#: Words of a verdict cell: a threshold verdict, or where an interval lies against zero.
_VERDICT_WORDS = {
    "pass": "pass",
    "fail": "fail",
    "inconclusive": "inconclusive",
    "positive": "verdict_positive",
    "negative": "verdict_negative",
    "none": "verdict_none",
}


def verdict(row: Row) -> str | None:
    """The verdict of a headline row: ``pass``, ``fail`` or ``inconclusive`` against its threshold,
    or over the criteria of a verdict row (``kind: verdict``, the exit evaluation's four together);
    ``positive``, ``negative`` or ``none`` for an effect, gap or association against zero; ``None``
    for a level without a threshold, a suppressed estimate or one without an interval."""
    if row.get("kind") == "verdict":
        return row.get("verdict")
    if is_suppressed(row) or row.get("estimate") is None or row.get("ci_low") is None or row.get("ci_high") is None:
        return None
    if row.get("threshold") is not None:
        return threshold_verdict(row)
    if is_contrast(row):
        return zero_side(row)
    return None


def verdict_word(row: Row, ctx: ReportContext) -> str:
    """The verdict of ``row`` in words (empty when it has none); an interval spanning zero comes with
    the estimate's minimum detectable effect, so a null is not read as "no effect"."""
    found = verdict(row)
    if not found:
        return ""
    mde = row.get("mde")
    if found == "none" and mde is None and row.get("se") is not None:
        mde = minimum_detectable_effect(float(row["se"]))
    return ctx.words[_VERDICT_WORDS[found]].format(mde=format_value(mde, str(row["name"])))


def estimate_cell(row: Row | None, ctx: ReportContext, with_verdict: bool = True) -> str:
    """A county's cell: the estimate, its 95% interval and (when ``with_verdict``) its verdict;
    ``x`` when suppressed, ``–`` when not estimated; a verdict row's verdict, called indicative."""
    if row is not None and row.get("kind") == "verdict":
        return f"{verdict_word(row, ctx)}\n({ctx.words['indicative_short']})"
    if row is None or (row.get("estimate") is None and not is_suppressed(row)):
        return "–"
    if is_suppressed(row):
        return "x"
    name = str(row["name"])
    text = format_value(row["estimate"], name)
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        text += f"\n{format_interval(row)}"
    word = verdict_word(row, ctx) if with_verdict else ""
    return f"{text}\n{word}" if word else text


def threshold_cell(row: Row) -> str:
    """The threshold of a row with its criterion (``< 2.00%``), or empty."""
    if row.get("threshold") is None:
        return ""
    return f"{row.get('threshold_operator', '<')} {format_value(float(row['threshold']), str(row['name']))}"


def key_names(family: IndicatorFamily, result: Family | None) -> list[str]:
    """The headlines of ``family`` the first page shows: those it names in ``key_headlines`` that the
    focal county's results hold, else its threshold rows, else its first contrast."""
    if result is None:
        return []
    held = [r["name"] for r in result.headline]
    named = [n for n in family.key_headlines if n in held]
    if named:
        return named
    thresholds = [r["name"] for r in result.headline if r.get("threshold") is not None]
    return thresholds or [r["name"] for r in result.headline if is_contrast(r)][:1]


def county_rows(ctx: ReportContext, family: str, name: str) -> dict[str, Row]:
    """County -> its headline row ``name`` of ``family``, for the counties that have it."""
    return {f.county: row for f in ctx.results.of_family(family) if (row := f.row(name)) is not None}


def first_row(rows: dict[str, Row], ctx: ReportContext) -> Row:
    """The focal county's row if it has one, else the first county's (for labels and thresholds)."""
    return rows.get(ctx.focal) or next(iter(rows.values()))


def key_findings_table(ctx: ReportContext) -> b.Block:
    """Table 1: per study question its key headlines, for the focal county and each benchmark (no
    verdicts in the county cells), the threshold and the focal county's verdict."""
    w = ctx.words
    province = is_province(ctx)
    body = []
    for family in FAMILIES.values():
        for name in key_names(family, ctx.results.get(ctx.focal, family.name)):
            rows = county_rows(ctx, family.name, name)
            row = first_row(rows, ctx)
            focal = rows.get(ctx.focal)
            counties = (
                [estimate_cell(focal, ctx, with_verdict=False), *distribution_cells(rows, ctx, name)[:2]]
                if province
                else [estimate_cell(rows.get(c), ctx, with_verdict=False) for c in ctx.results.counties]
            )
            body.append(
                [
                    label_of(row, ctx.language),
                    *counties,
                    threshold_cell(row),
                    verdict_word(focal, ctx) if focal is not None else "",
                ]
            )
    columns = [
        w["col_indicator"],
        *([ctx.name(ctx.focal), *distribution_columns(ctx)[:2]] if province else ctx.results.order),
        w["col_threshold"],
        w["col_verdict_of"].format(county=ctx.name(ctx.focal)),
    ]
    return b.table(
        columns, body, w["key_findings_caption"].format(county=ctx.name(ctx.focal)), label="tab:key-findings"
    )


def headline_figure() -> str | None:
    """The first page's figure: the first figure of the first family that declares one."""
    return next((name for family in FAMILIES.values() for name in family.figures), None)


def front_page(ctx: ReportContext) -> list[b.Block]:
    """The first page after the title: the study's questions, the key-findings table and one figure."""
    w = ctx.words
    out = [b.par(w["questions_intro"])]
    out.append(
        b.bullets(
            [
                f"{family.title(ctx.language)}{w['title_sep']}{family.question(ctx.language)}"
                for family in FAMILIES.values()
            ]
        )
    )
    figure = headline_figure()
    cite = w["front_figure_cite"].format(figure=b.ref("fig:front")) if figure in ctx.figures else ""
    out.append(b.par(w["front_intro"].format(table=b.ref("tab:key-findings"), county=ctx.name(ctx.focal)) + cite))
    out.append(key_findings_table(ctx))
    if figure in ctx.figures:
        # At 40% of the width the figure shares the first page with a question and a key row or two for
        # each of the six families.
        out.append(b.figure(ctx.figures[figure], FIGURES[figure].caption(ctx.language), label="fig:front", width=40))
    return out


def findings_section(ctx: ReportContext) -> list[b.Block]:
    """Findings: per study question a paragraph, the counties' table with verdicts, the figures."""
    w = ctx.words
    out = [b.heading(w["findings"]), b.par(w["findings_intro"])]
    for family in FAMILIES.values():
        out.extend(question_findings(ctx, family))
    return out


def question_findings(ctx: ReportContext, family: IndicatorFamily) -> list[b.Block]:
    """One study question: its paragraph, its table and its figures."""
    w = ctx.words
    results = ctx.results.of_family(family.name)
    out = [b.heading(family.question(ctx.language), level=2)]
    if not results:
        return [*out, b.note(w["missing_family"].format(family=family.title(ctx.language), county=ctx.name(ctx.focal)))]
    names = list(
        dict.fromkeys(
            r["name"]
            for f in results
            for r in f.headline
            if r.get("estimate") is not None or is_suppressed(r) or r.get("kind") == "verdict"
        )
    )
    table_label = f"tab:findings-{family.name}"
    figures = [name for name in family.figures if name in ctx.figures]
    sentences = [w["findings_table_cite"].format(table=b.ref(table_label), family=family.title(ctx.language))]
    sentences += verdict_sentences(ctx, family.name, names)
    sentences += criteria_sentences(ctx, family.name)
    if figures:
        sentences.append(w["findings_figures_cite"].format(figures=", ".join(b.ref(f"fig:{n}") for n in figures)))
    for f in results:
        if f.status != "ok":
            sentences.append(w["status_note"].format(county=ctx.name(f.county), status=f.status))
    focal = ctx.results.get(ctx.focal, family.name)
    cited = [r for n in names if focal is not None and (r := focal.row(n)) is not None]
    sentences = [enforce(sentence, ctx.language, cited) for sentence in sentences]
    sentences.append(NOT_ADJUSTED[ctx.language])
    out.append(b.par(w["gap"].join(sentences)))
    # A province's table: the focal county beside the distribution of the benchmarks' estimates.
    province = is_province(ctx)
    body = []
    for name in names:
        rows = county_rows(ctx, family.name, name)
        row = first_row(rows, ctx)
        counties = (
            [estimate_cell(rows.get(ctx.focal), ctx), *distribution_cells(rows, ctx, name)]
            if province
            else [estimate_cell(rows.get(c), ctx) for c in ctx.results.counties]
        )
        body.append([label_of(row, ctx.language), threshold_cell(row), *counties])
    counted = [ctx.name(ctx.focal), *distribution_columns(ctx)] if province else ctx.results.order
    columns = [w["col_indicator"], w["col_threshold"], *counted]
    caption = w["findings_caption"].format(family=family.title(ctx.language))
    if province:
        caption += w["province_caption"].format(county=ctx.name(ctx.focal))
    out.append(
        b.table(columns, body, caption, align=["left", "left"] + ["right"] * (len(columns) - 2), label=table_label)
    )
    out.extend(suppression_mark(ctx, results))
    for name in family.figures:
        if name in ctx.figures:
            out.append(b.figure(ctx.figures[name], FIGURES[name].caption(ctx.language), label=f"fig:{name}"))
        else:
            out.append(b.note(w["figure_missing"].format(name=name)))
    return out


def verdict_sentences(ctx: ReportContext, family: str, names: list[str]) -> list[str]:
    """The sentences counting the focal county's verdicts among ``names``, and how many benchmark
    estimates share the focal county's verdict on its threshold indicators."""
    w = ctx.words
    focal = ctx.results.get(ctx.focal, family)
    if focal is None:
        return []
    rows = [r for n in names if (r := focal.row(n)) is not None]
    out = []
    by_threshold = [r for r in rows if r.get("threshold") is not None and verdict(r)]
    if by_threshold:
        counts = {
            v: [label_of(r, ctx.language) for r in by_threshold if verdict(r) == v]
            for v in ("fail", "pass", "inconclusive")
        }
        out.append(
            w["threshold_count"].format(
                county=ctx.name(ctx.focal),
                n=len(by_threshold),
                fail=len(counts["fail"]),
                passes=len(counts["pass"]),
                open=len(counts["inconclusive"]),
                failing=w["list_sep"].join(counts["fail"]) or w["none_word"],
            )
        )
    contrasts = [r for r in rows if r.get("threshold") is None and r.get("kind") != "verdict" and verdict(r)]
    if contrasts:
        counts = {v: sum(verdict(r) == v for r in contrasts) for v in ("positive", "negative", "none")}
        out.append(
            w["contrast_count"].format(
                county=ctx.name(ctx.focal),
                n=len(contrasts),
                positive=counts["positive"],
                negative=counts["negative"],
                none=counts["none"],
            )
        )
    return out


def criteria_sentences(ctx: ReportContext, family: str) -> list[str]:
    """The focal county's verdict rows (``kind: verdict``) in words: the verdict, the kind of
    evidence it rests on (indicative) and each criterion's own verdict, by the criteria's labels."""
    w = ctx.words
    focal = ctx.results.get(ctx.focal, family)
    if focal is None:
        return []
    labels = {str(r["name"]): label_of(r, ctx.language) for r in focal.headline}
    out = []
    for row in focal.headline:
        if row.get("kind") != "verdict" or row.get("verdict") not in ("pass", "fail", "inconclusive"):
            continue
        criteria = w["list_sep"].join(
            f"{labels.get(name, name)} {w[found] if found else w['not_estimated']}"
            for name, found in row.get("criteria", {}).items()
        )
        out.append(
            w["verdict_sentence"].format(
                county=ctx.name(ctx.focal),
                label=label_of(row, ctx.language),
                verdict=w[row["verdict"]],
                indicative=w["indicative"],
                criteria=criteria,
            )
        )
    return out


def county_appendix(ctx: ReportContext) -> list[b.Block]:
    """Appendix: each family's headline table (estimate, SE, CI, n, verdict) per county, with the
    notes the indicator stage wrote."""
    w = ctx.words
    out = [b.heading(w["appendix_counties"]), b.par(w["appendix_counties_intro"])]
    counties = ctx.results.counties
    if is_province(ctx):
        # A province: the focal county's detail; the benchmarks' is in their indicator files.
        counties = counties[:1]
        out.append(b.par(w["province_detail"].format(county=ctx.name(ctx.focal), n=len(ctx.results.counties) - 1)))
    for family in FAMILIES.values():
        title = family.title(ctx.language)
        out.append(b.heading(title, level=2))
        for county in counties:
            result = ctx.results.get(county, family.name)
            if result is None:
                out.append(b.note(w["missing_family"].format(family=title, county=ctx.name(county))))
                continue
            rows = [r for r in result.headline if r.get("estimate") is not None or is_suppressed(r)]
            if result.status != "ok":
                out.append(b.note(w["status_note"].format(county=ctx.name(county), status=result.status)))
            if rows:
                label = f"tab:detail-{family.name}-{county}".lower()
                caption = w["headline_caption"].format(county=ctx.name(county), family=title)
                out.append(b.par(w["detail_cite"].format(table=b.ref(label), county=ctx.name(county))))
                out.append(headline_table(rows, ctx, caption, label=label))
                out.extend(suppression_mark(ctx, [result]))
            undefined = [r for r in result.headline if r.get("estimate") is None and not is_suppressed(r)]
            if undefined:
                out.append(b.par(w["undefined_intro"].format(county=ctx.name(county))))
                out.append(
                    b.bullets([f"{label_of(r, ctx.language)}: {r.get('note', '')}".rstrip(": ") for r in undefined])
                )
            if result.document.get("notes"):
                out.append(b.par(w["notes_intro"].format(county=ctx.name(county))))
                out.append(b.bullets([str(n) for n in result.document["notes"]]))
    return out

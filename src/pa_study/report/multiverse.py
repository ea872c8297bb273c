"""The report's section on the specification multiverse: for each headline the multiverse follows,
the share of specifications in which the baseline's verdict holds, the range of the estimates,
and its specification curve (Simonsohn, Simmons & Nelson 2020).

The words of the section are kept here together; every sentence is filled from the verdict
tables (``results/<county>/multiverse/<family>_verdicts.csv``, :func:`pa_study.multiverse.run.verdict_shares`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import pa_study.report.blocks as b
from pa_study.indicators import FAMILIES
from pa_study.report.sections import ReportContext
from pa_study.report.text import format_percent, format_value, label_of

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "heading": "How the headlines depend on the analysis choices",
        "intro": "Every headline rests on choices another analyst could make differently: the eligibility rule, how "
        "an unanswered item counts, the comparison group, winsorising, the index weights. Each combination of the "
        "values config.yaml lists under `multiverse` is a specification, recomputed for {county} from the same "
        "cleaned tables; the baseline is the configured one. {table} gives, for each headline, the share of "
        "specifications with an estimate in which the baseline's verdict holds, and the range of their estimates; "
        "the specification curves show every estimate, sorted, with the choices behind it marked below (Simonsohn, "
        "Simmons & Nelson 2020). Every specification's estimates are in results/{county_key}/multiverse/.",
        "caption": "{county}: the baseline's verdict across the specifications of the multiverse",
        "col_headline": "Headline",
        "col_verdict": "Baseline verdict",
        "col_holds": "Holds in",
        "col_range": "Range of estimates",
        "holds": "{agreeing} of {specifications} ({share})",
        "curve_caption": "Specification curve of {headline} ({county}): the estimate and 95% interval under each "
        "specification, sorted; the baseline in orange; the dashed line is the threshold (or zero); below, the "
        "choice values each specification takes.",
        "curves_cite": "The specification curves: {figures}.",
        "none": "No multiverse was run for {county} (config.yaml: `multiverse`).",
        "pass": "passes",
        "fail": "fails",
        "inconclusive": "inconclusive",
        "positive": "positive",
        "negative": "negative",
        "spans zero": "spans zero",
    },
    "zh": {
        "heading": "核心结论对分析设定的稳健性",
        "intro": "每项核心结论都依赖于其他研究者可能作出不同选择的分析设定：识别标准、未答项的处理、对照组、缩尾、"
        "指数权重等。config.yaml 中 `multiverse` 所列取值的每一种组合为一个设定，均由{county}同一批清洗数据重新计算；"
        "基准设定即配置所用设定。{table}列出各核心指标在有估计值的设定中基准结论成立的比例及估计值范围；"
        "设定曲线按估计值排序展示全部估计，并在下方标出各设定的取值（Simonsohn, Simmons & Nelson 2020）。"
        "全部设定的估计见 results/{county_key}/multiverse/。",
        "caption": "{county}：基准结论在多重设定中的稳健性",
        "col_headline": "指标",
        "col_verdict": "基准结论",
        "col_holds": "成立的设定",
        "col_range": "估计值范围",
        "holds": "{specifications}个中{agreeing}个（{share}）",
        "curve_caption": "{headline}的设定曲线（{county}）：各设定下的估计值及95%置信区间，按估计值排序；橙色为基准"
        "设定；虚线为阈值（或零）；下方标出各设定的取值。",
        "curves_cite": "设定曲线见{figures}。",
        "none": "未对{county}进行多重设定分析（config.yaml：`multiverse`）。",
        "pass": "达标",
        "fail": "未达标",
        "inconclusive": "无法判定",
        "positive": "为正",
        "negative": "为负",
        "spans zero": "区间跨零",
    },
}


def curve_figure_name(family: str, headline: str) -> str:
    """The report's name of the specification curve of ``headline`` (the ``--figure`` name)."""
    return f"multiverse_{family}_{headline}"


def multiverse_section(ctx: ReportContext, verdicts: dict[str, pd.DataFrame]) -> list[b.Block]:
    """The section: the verdict shares of the focal county's multiverse (family -> verdict table,
    in registry order) and the specification curves among the report's figures."""
    w = {**_WORDS[ctx.language], "list_sep": ctx.words["list_sep"]}
    county = ctx.focal
    out = [b.heading(w["heading"])]
    if not verdicts:
        return [*out, b.note(w["none"].format(county=ctx.name(county)))]
    label = "tab:multiverse"
    rows, curves = [], []
    for family in [f for f in FAMILIES if f in verdicts]:
        for record in verdicts[family].to_dict("records"):
            name = str(record["headline"])
            title = _label(ctx, family, name, record)
            verdict = w.get(str(record["baseline_verdict"]), str(record["baseline_verdict"]))
            share = format_percent(float(record["share"]))
            rows.append(
                [
                    title,
                    verdict,
                    w["holds"].format(
                        agreeing=record["agreeing"], specifications=record["specifications"], share=share
                    ),
                    f"{format_value(record['estimate_min'], name)} – {format_value(record['estimate_max'], name)}",
                ]
            )
            figure = curve_figure_name(family, name)
            if figure in ctx.figures:
                caption = w["curve_caption"].format(headline=title, county=ctx.name(county))
                curves.append(b.figure(ctx.figures[figure], caption, label=f"fig:{figure}"))
    out.append(b.par(w["intro"].format(county=ctx.name(county), county_key=county, table=b.ref(label))))
    columns = [w["col_headline"], w["col_verdict"], w["col_holds"], w["col_range"]]
    out.append(b.table(columns, rows, w["caption"].format(county=ctx.name(county)), label=label))
    if curves:
        cited = w["list_sep"].join(b.ref(block["label"]) for block in curves)
        out.append(b.par(w["curves_cite"].format(figures=cited)))
    return [*out, *curves]


def _label(ctx: ReportContext, family: str, name: str, record: dict[str, Any]) -> str:
    result = ctx.results.get(ctx.focal, family)
    row = None if result is None else result.row(name)
    return label_of(row if row is not None else {"name": name, "label": record.get("label")}, ctx.language)

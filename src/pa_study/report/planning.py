"""The appendix "Planning the next survey": what the focal county's plan (``plan.json``) says.

For each exit criterion the plan covers (错退率, 漏评率): whether the current sample gives the
verdict with the wanted power if the true rate is the one planned for, and the villages and
households a next survey needs, keeping the current households per village and at the optimum
for the configured cost ratio, with the power of simulated surveys of that design; then the
minimum detectable effects of the effects and of the contrasts with the other counties, and the
samples of the national exit evaluation beside them. Every sentence is filled from the plan's
numbers (:mod:`pa_study.plan`); the words of the appendix are kept here together.
"""

from __future__ import annotations

from typing import Any

import pa_study.report.blocks as b
from pa_study.indicators import FAMILIES
from pa_study.report.sections import ReportContext
from pa_study.report.text import format_percent, format_value, label_of

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "heading": "Appendix E: Planning the next survey",
        "intro": "How large must {county}'s next household survey be? From the current survey's own design – "
        "{villages} villages in {strata} townships, the intra-village correlation of each outcome estimated "
        "from the data (one-way ANOVA) and the design effect of the weights – the plan gives, for each exit "
        "criterion, the power of the verdict the indicators give (the 95% interval wholly on one side of the "
        "threshold) if the true rate is the one planned for, and the sample that reaches {power} power; a "
        "village is taken to cost {cost_ratio:g} household interviews (planning.cost_ratio, an assumption to "
        "set from the field budget). Each planned design is checked by simulating {simulations} surveys of it. "
        "The full plan is results/{county_key}/plan.json; `pa-study plan` prints it for other true rates.",
        "criteria_cite": "{table} gives the plan of each criterion.",
        "criteria_caption": "{county}: power of each exit criterion's verdict with the current sample, and the "
        "sample a next survey needs for {power} power",
        "col_criterion": "Criterion",
        "col_true": "True rate",
        "col_goal": "Verdict sought",
        "col_now": "Power now",
        "col_same": "Same households per village",
        "col_optimal": "Optimal households per village",
        "col_simulated": "Simulated power",
        "certify": "certify (pass)",
        "detect": "detect failing",
        "design_cell": "{villages} × {per_village} = {households}",
        "sentence": "{criterion}: with {n} sampled households in its denominator ({per_village} a village), the "
        "current survey {verdict} to {goal} a true rate of {true} against the threshold {threshold} "
        "(power {power_now}); {needed}",
        "suffices": "suffices",
        "not_suffices": "does not suffice",
        "goal_certify": "certify as met",
        "goal_detect": "show as failing",
        "needed": "a survey of {villages} villages of {per_village} households ({households} in all) would.",
        "needed_optimal": "a survey of {villages} villages of {per_village} households ({households} in all) "
        "would, or {opt_villages} villages of {opt_per_village} (the optimum for the cost ratio) at "
        "{saving} of the cost.",
        "design_note": "{criterion}: intra-village correlation {rho} (estimated {rho_estimated}); design effect "
        "of the weights {weighting_deff}; the estimate's measured design effect {deff}.",
        "effects_cite": "{table} gives the minimum detectable effects (two-sided 5% test, {power} power) at the "
        "current sample, and the sample needed for the target; more villages of the current size.",
        "effects_caption": "{county}: minimum detectable effects and contrasts with the other counties",
        "col_quantity": "Quantity",
        "col_mde_now": "MDE now",
        "col_target": "Target MDE",
        "col_needed": "Households needed",
        "contrast_label": "{label} – {county} vs {other}",
        "evaluation_intro": "For scale, the national exit evaluation sampled:",
        "evaluation_item": "{exits} exits: {households} households per county{villages} ({source}; confidence "
        "{confidence})",
        "evaluation_villages": " in about {villages} villages",
        "notes_intro": "Notes of the plan:",
        "missing": "The plan of {county} (results/{county_key}/plan.json) is not among the report's inputs.",
    },
    "zh": {
        "heading": "附录E：下一轮调查的样本规划",
        "intro": "{county}下一轮入户调查需要多大样本？依据本轮调查自身的设计信息——{strata}个乡镇的{villages}个行政村、"
        "由数据估计的各结果变量村内相关系数（单因素方差分析）及权数的设计效应——对每项退出指标计算："
        "若真实比率为规划值，本轮样本得出指标结论（95%置信区间完全位于阈值一侧）的把握度，以及达到{power}把握度"
        "所需的样本。一个村的成本按{cost_ratio:g}户访谈计（planning.cost_ratio，为假设值，应依据实地预算设定）。"
        "每个规划设计均以{simulations}次模拟调查检验。完整规划见 results/{county_key}/plan.json；"
        "`pa-study plan` 可按其他真实比率输出。",
        "criteria_cite": "{table}列出各退出指标的规划。",
        "criteria_caption": "{county}：本轮样本下各退出指标结论的把握度，及下一轮达到{power}把握度所需样本",
        "col_criterion": "指标",
        "col_true": "真实比率",
        "col_goal": "目标结论",
        "col_now": "本轮把握度",
        "col_same": "每村户数不变",
        "col_optimal": "最优每村户数",
        "col_simulated": "模拟把握度",
        "certify": "确认达标",
        "detect": "识别不达标",
        "design_cell": "{villages} × {per_village} = {households}",
        "sentence": "{criterion}：分母中有{n}个样本户（每村{per_village}户），若真实比率为{true}，本轮调查{verdict}"
        "以{goal}（阈值{threshold}，把握度{power_now}）；{needed}",
        "suffices": "足",
        "not_suffices": "不足",
        "goal_certify": "确认其达标",
        "goal_detect": "确认其不达标",
        "needed": "需调查{villages}个村、每村{per_village}户（共{households}户）。",
        "needed_optimal": "需调查{villages}个村、每村{per_village}户（共{households}户），或按成本比的最优设计调查"
        "{opt_villages}个村、每村{opt_per_village}户，成本为前者的{saving}。",
        "design_note": "{criterion}：村内相关系数{rho}（估计值{rho_estimated}）；权数设计效应{weighting_deff}；"
        "估计值的实测设计效应{deff}。",
        "effects_cite": "{table}列出本轮样本下的最小可检测效应（双侧5%检验，{power}把握度）及达到目标所需样本"
        "（增加同等规模的村）。",
        "effects_caption": "{county}：最小可检测效应及与其他县的对比",
        "col_quantity": "指标",
        "col_mde_now": "本轮最小可检测效应",
        "col_target": "目标",
        "col_needed": "所需户数",
        "contrast_label": "{label}——{county}对比{other}",
        "evaluation_intro": "作为参照，国家贫困县退出专项评估检查的样本为：",
        "evaluation_item": "{exits}年退出：每县{households}户{villages}（{source}；可信度{confidence}）",
        "evaluation_villages": "，约{villages}个村",
        "notes_intro": "规划说明：",
        "missing": "报告输入中没有{county}的样本规划（results/{county_key}/plan.json）。",
    },
}


def planning_appendix(ctx: ReportContext, plan: dict[str, Any] | None) -> list[b.Block]:
    """Appendix E: the focal county's plan for its next survey (``plan.json``), or a note that it
    is missing."""
    w = _WORDS[ctx.language]
    county = ctx.focal
    out = [b.heading(w["heading"])]
    if plan is None:
        return [*out, b.note(w["missing"].format(county=ctx.name(county), county_key=county))]
    options = plan["settings"]["planning"]
    power = format_percent(float(options["power"]))
    out.append(
        b.par(
            w["intro"].format(
                county=ctx.name(county),
                county_key=county,
                villages=plan["villages"],
                strata=plan["strata"],
                power=power,
                cost_ratio=float(options["cost_ratio"]),
                simulations=options["simulations"],
            )
        )
    )
    if plan["criteria"]:
        out += _criteria(ctx, plan, w, power)
    effects = _effect_rows(ctx, plan, w)
    if effects:
        label = "tab:plan-effects"
        out.append(b.par(w["effects_cite"].format(table=b.ref(label), power=power)))
        columns = [w["col_quantity"], w["col_mde_now"], w["col_target"], w["col_needed"]]
        out.append(b.table(columns, effects, w["effects_caption"].format(county=ctx.name(county)), label=label))
    samples = options.get("evaluation_samples") or []
    if samples:
        out.append(b.par(w["evaluation_intro"]))
        out.append(b.bullets([_evaluation_item(sample, w) for sample in samples]))
    if plan["notes"]:
        out.append(b.par(w["notes_intro"]))
        out.append(b.bullets([str(note) for note in plan["notes"]]))
    return out


def _criteria(ctx: ReportContext, plan: dict[str, Any], w: dict[str, str], power: str) -> list[b.Block]:
    label = "tab:plan-criteria"
    rows, sentences, designs = [], [], []
    for criterion in plan["criteria"]:
        name = str(criterion["rate"])
        title = _label(ctx, name)
        for s in criterion["scenarios"]:
            same, optimal = s["designs"]["current_shape"], s["designs"].get("optimal")
            simulated = [d.get("simulated_power") for d in (same, optimal) if d is not None]
            rows.append(
                [
                    title,
                    format_percent(float(s["true_rate"])),
                    w["certify" if s["verdict"] == "pass" else "detect"],
                    format_percent(float(s["current_power"])),
                    _design_cell(same, w),
                    "–" if optimal is None else _design_cell(optimal, w),
                    " / ".join(format_percent(float(v)) for v in simulated if v is not None) or "–",
                ]
            )
            sentences.append(_sentence(ctx, criterion, s, w))
        designs.append(
            w["design_note"].format(
                criterion=title,
                rho=format_value(float(criterion["rho"])),
                rho_estimated=format_value(criterion["rho_estimated"]),
                weighting_deff=format_value(float(criterion["weighting_deff"])),
                deff=format_value(criterion["deff"]),
            )
        )
    columns = [
        w["col_criterion"],
        w["col_true"],
        w["col_goal"],
        w["col_now"],
        w["col_same"],
        w["col_optimal"],
        w["col_simulated"],
    ]
    caption = w["criteria_caption"].format(county=ctx.name(ctx.focal), power=power)
    return [
        b.par(w["criteria_cite"].format(table=b.ref(label))),
        b.table(columns, rows, caption, label=label),
        b.bullets(sentences),
        b.bullets(designs),
    ]


def _design_cell(design: dict[str, Any], w: dict[str, str]) -> str:
    return w["design_cell"].format(
        villages=design["villages"], per_village=_count(design["per_village"]), households=design["units"]
    )


def _count(value: float) -> str:
    """Households per village: whole when whole, else to one decimal."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _sentence(ctx: ReportContext, criterion: dict[str, Any], s: dict[str, Any], w: dict[str, str]) -> str:
    same, optimal = s["designs"]["current_shape"], s["designs"].get("optimal")
    needed = w["needed"].format(
        villages=same["villages"], per_village=_count(same["per_village"]), households=same["units"]
    )
    if optimal is not None and optimal["cost"] < same["cost"]:
        needed = w["needed_optimal"].format(
            villages=same["villages"],
            per_village=_count(same["per_village"]),
            households=same["units"],
            opt_villages=optimal["villages"],
            opt_per_village=_count(optimal["per_village"]),
            saving=format_percent(optimal["cost"] / same["cost"]),
        )
    return w["sentence"].format(
        criterion=_label(ctx, str(criterion["rate"])),
        n=criterion["n"],
        per_village=_count(round(float(criterion["per_village"]), 1)),
        verdict=w["suffices" if s["sufficient"] else "not_suffices"],
        goal=w["goal_certify" if s["verdict"] == "pass" else "goal_detect"],
        true=format_percent(float(s["true_rate"])),
        threshold=f"{criterion['operator']} {format_percent(float(criterion['threshold']))}",
        power_now=format_percent(float(s["current_power"])),
        needed=needed,
    )


def _effect_rows(ctx: ReportContext, plan: dict[str, Any], w: dict[str, str]) -> list[list[str]]:
    rows = []
    for effect in plan["effects"]:
        name = str(effect["name"])
        rows.append(
            [
                _label(ctx, name),
                format_value(float(effect["mde"]), name),
                format_value(float(effect["target"]), name),
                f"{effect['households']:,}",
            ]
        )
    for contrast in plan["contrasts"]:
        name = str(contrast["name"])
        label = w["contrast_label"].format(
            label=_label(ctx, name), county=_name(ctx, plan["county"]), other=_name(ctx, contrast["other"])
        )
        needed = f"{contrast['units']:,} + {contrast['units_other']:,}"
        rows.append(
            [label, format_value(float(contrast["mde"]), name), format_value(float(contrast["target"]), name), needed]
        )
    return rows


def _name(ctx: ReportContext, county: str) -> str:
    """A county's display name; its key for a county the report does not study (a plan made with
    other benchmarks)."""
    return ctx.results.names.get(county, county)


def _label(ctx: ReportContext, name: str) -> str:
    """The headline's label in the report's language, from the focal county's results (its name
    when no family reports it)."""
    for family in FAMILIES:
        result = ctx.results.get(ctx.focal, family)
        row = None if result is None else result.row(name)
        if row is not None:
            return label_of(row, ctx.language)
    return name


def _evaluation_item(sample: dict[str, Any], w: dict[str, str]) -> str:
    villages = sample.get("villages_per_county")
    return w["evaluation_item"].format(
        exits=sample["exits"],
        households=f"{sample['households_per_county']:,.0f}",
        villages="" if villages is None else w["evaluation_villages"].format(villages=f"{villages:g}"),
        source=sample["source"],
        confidence=sample["confidence"],
    )

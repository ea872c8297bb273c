"""Implications along the case study's five perspectives, each statement made by a rule.

A rule reads the headline rows it needs, decides from their numbers which statement holds (an
interval against a threshold or against zero, one estimate against another) and prints the
numbers it used. A rule whose rows are missing says nothing rather than guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pa_study.report.blocks as b
from pa_study.report.sections import ReportContext, zero_side
from pa_study.report.text import format_interval, format_percent, format_value, label_of

Row = dict[str, Any]

#: Statement templates; ``{x}`` fields are filled with formatted numbers from the rows cited.
STATEMENTS: dict[str, dict[str, str]] = {
    "en": {
        "exit_pass": "Every criterion of the county exit evaluation is met ({indicative}): {criteria}.",
        "exit_fail": "The county misses the national exit standard ({indicative}): {failing} lies wholly on the "
        "failing side of its threshold.",
        "exit_open": "The survey cannot settle whether the county meets the exit standard ({indicative}): {open} "
        "contains its threshold, and no criterion fails.",
        "criterion": "{label} {value} {ci} (criterion {operator} {threshold})",
        "wrongful_latest": "The wrongful-exit rate is estimated on the exits of {years} only, with survey-year "
        "income standing in for the income of the exit year (the register's income at exit is not supplied).",
        "below_standard": "Below-standard share among exited households in {year} (relapse and wrongful exit "
        "together): {value} {ci}.",
        "relapse": "Relapse alone (met the standard at exit, below it now): {value} {ci} of those that met it.",
        "kappa": "Agreement between the current register and eligibility on {welfare} in the survey year is "
        "{band} (Cohen's kappa {kappa} {kappa_ci}; bands of Landis and Koch 1977).",
        "errors_side": "The current register errs more by {side}: exclusion error {exclusion} against inclusion "
        "error {inclusion}.",
        "side_exclusion": "leaving eligible households out",
        "side_inclusion": "keeping ineligible households on the register",
        "side_equal": "neither side clearly (the two error intervals overlap)",
        "quota": "Registration filled county quotas (规模控制), so part of any exclusion error is by design.",
        "welfare_pre_transfer": "income before transfers",
        "welfare_post_transfer": "income after transfers",
        "effect_positive": "Active participation in industrial projects raised per-capita earned income by {effect} "
        "yuan {ci}: blood-making is visible in the survey.",
        "effect_negative": "Active participants earn less per person than comparable non-participants ({effect} "
        "yuan {ci}): the projects did not make blood.",
        "effect_none": "No income effect of active participation can be told apart from zero ({effect} yuan {ci}).",
        "dividend_none": "Dividend-only participation shows no effect on earned income ({effect} yuan {ci}), as "
        "expected of a transfer.",
        "dividend_some": "Dividend-only participation goes with a different earned income ({effect} yuan {ci}); "
        "dividends may proxy for other support.",
        "ledger": "{not_operating} of the ledger's projects are suspended or failed ({operating} operating, "
        "n = {n}), which is {half} half of them.",
        "half_more": "more than",
        "half_less": "less than",
        "half_equal": "exactly",
        "transfers_up": "Registered households depend more on transfers than at baseline: the transfer share "
        "rose by {change} {ci} to {share}.",
        "transfers_down": "Registered households depend less on transfers than at baseline: the transfer share "
        "fell by {change} {ci} to {share}.",
        "transfers_flat": "The transfer share of registered households ({share}) did not change detectably "
        "since baseline ({change} {ci}).",
        "gap_negative": "Registered households lag the unregistered in capability by {gap} SD {ci}; "
        "exit from the register has to rest on more than income.",
        "gap_positive": "Registered households score above the unregistered in capability ({gap} SD {ci}).",
        "gap_none": "Capability of registered and unregistered households cannot be told apart ({gap} SD {ci}).",
        "exit_gap_none": "Exited and still-registered households do not differ detectably in capability "
        "({gap} SD {ci}).",
        "exit_gap_some": "Exited households differ from those still registered in capability by {gap} SD {ci}.",
        "training_positive": "Skills training goes with a higher capability index ({effect} SD {ci}), after controls.",
        "training_other": "Skills training shows no positive association with the capability index ({effect} SD {ci}).",
        "formal_vs_field": "Cadres spend {formal} of their weekly hours on paperwork, meetings and inspections "
        "against {field} on field work with households: {ratio} hours of formalism per "
        "hour of field work.",
        "household_ratio": "Registered households fill forms or host inspections {ratio} times per help visit "
        "received.",
        "burden_assoc_none": "No association between cadre burden and identification errors can be detected "
        "({effect} {ci}, {n} units).",
        "burden_assoc_some": "Cadre burden and identification errors are associated ({effect} {ci}, {n} units).",
        "missed_margin": "Monitoring after 2020 has to look for the eligible who were never registered: "
        "{p0} of the persons in unregistered households are below the line {ci}, and the upper end of the "
        "missed-registration interval ({upper}) is {relation} the {threshold} threshold.",
        "relation_above": "above",
        "relation_below": "below",
        "line_raise": "At a line {factor} times the current one, the missed-registration rate would be {rate} "
        "(now {now}): a higher line {direction} the monitoring load.",
        "direction_up": "raises",
        "direction_flat": "does not raise",
        "benchmark": "On the missed-registration rate, {county} ({focal}) {relation} {other}.",
        "relation_behind": "does worse than",
        "relation_ahead": "does better than",
        "relation_similar": "cannot be told apart from",
    },
    "zh": {
        "exit_pass": "贫困县退出评估的各项指标均达标（{indicative}）：{criteria}。",
        "exit_fail": "未达到国家退出标准（{indicative}）：{failing}整体位于阈值的不达标一侧。",
        "exit_open": "调查无法判定是否达到退出标准（{indicative}）：{open}包含阈值，且没有指标不达标。",
        "criterion": "{label}{value}{ci}（标准{operator}{threshold}）",
        "wrongful_latest": "错退率仅依据{years}年退出户估计，以调查年度收入代替退出年度收入"
        "（未提供系统中的脱贫时收入）。",
        "below_standard": "{year}年已脱贫户中低于标准的比例（返贫与错退合计）：{value}{ci}。",
        "relapse": "其中返贫（退出时达标、现低于标准）：{value}{ci}（占退出时达标者）。",
        "kappa": "调查年度在册贫困户与按{welfare}判定的识别标准的一致性为“{band}”（Cohen's kappa "
        "{kappa}{kappa_ci}；Landis与Koch 1977分级）。",
        "errors_side": "在册贫困户的偏差主要在于{side}：漏保率{exclusion}，错评率{inclusion}。",
        "side_exclusion": "遗漏符合条件的农户",
        "side_inclusion": "保留不符合条件的农户",
        "side_equal": "两类误差难分高下（置信区间重叠）",
        "quota": "建档立卡实行规模控制，部分遗漏误差源于制度设计。",
        "welfare_pre_transfer": "转移前收入",
        "welfare_post_transfer": "转移后收入",
        "effect_positive": "积极参与产业项目使人均务工经营收入提高{effect}元{ci}：调查数据显示出造血效应。",
        "effect_negative": "积极参与者人均收入低于可比的未参与者（{effect}元{ci}）：项目未能造血。",
        "effect_none": "积极参与的收入效应与零无法区分（{effect}元{ci}）。",
        "dividend_none": "仅分红参与对务工经营收入没有效应（{effect}元{ci}），符合分红属于转移收入的判断。",
        "dividend_some": "仅分红参与与务工经营收入存在差异（{effect}元{ci}）；分红可能代表其他帮扶。",
        "ledger": "台账中{not_operating}的项目处于停运或失败状态（正常运营{operating}，项目数{n}），{half}一半。",
        "half_more": "超过",
        "half_less": "不到",
        "half_equal": "恰好",
        "transfers_up": "建档立卡户对转移性收入的依赖高于基期：转移性收入占比上升{change}{ci}，达到{share}。",
        "transfers_down": "建档立卡户对转移性收入的依赖低于基期：转移性收入占比下降{change}{ci}，为{share}。",
        "transfers_flat": "建档立卡户转移性收入占比（{share}）与基期相比无可检测的变化（{change}{ci}）。",
        "gap_negative": "建档立卡户能力指数比非建档立卡户低{gap}个标准差{ci}；脱贫不能只看收入。",
        "gap_positive": "建档立卡户能力指数高于非建档立卡户（{gap}个标准差{ci}）。",
        "gap_none": "建档立卡户与非建档立卡户的能力无法区分（{gap}个标准差{ci}）。",
        "exit_gap_none": "已脱贫户与未脱贫户的能力无可检测的差异（{gap}个标准差{ci}）。",
        "exit_gap_some": "已脱贫户与未脱贫户的能力相差{gap}个标准差{ci}。",
        "training_positive": "控制其他因素后，技能培训与更高的能力指数相关（{effect}个标准差{ci}）。",
        "training_other": "技能培训与能力指数没有正向关联（{effect}个标准差{ci}）。",
        "formal_vs_field": "干部每周工时中{formal}用于填表、开会和迎检，{field}"
        "用于入户帮扶：每小时实地工作对应{ratio}小时形式性工作。",
        "household_ratio": "建档立卡户每接受一次帮扶走访，要填表或迎检{ratio}次。",
        "burden_assoc_none": "未发现干部负担与识别误差之间的关联（{effect}{ci}，{n}个单位）。",
        "burden_assoc_some": "干部负担与识别误差存在关联（{effect}{ci}，{n}个单位）。",
        "missed_margin": "2020年后的监测需要寻找从未建档的符合条件者：非建档立卡户人口中{p0}{ci}低于贫困"
        "线，漏评率置信区间上限（{upper}）{relation}{threshold}阈值。",
        "relation_above": "高于",
        "relation_below": "低于",
        "line_raise": "若贫困线提高到现行的{factor}倍，漏评率将为{rate}（现为{now}）：提高标准{direction}监测负担。",
        "direction_up": "会增加",
        "direction_flat": "不会增加",
        "benchmark": "在漏评率上，{county}（{focal}）{relation}{other}。",
        "relation_behind": "不如",
        "relation_ahead": "优于",
        "relation_similar": "统计上无法区分于",
    },
}
_KAPPA_BANDS = {
    "en": [
        (0.0, "poor"),
        (0.2, "slight"),
        (0.4, "fair"),
        (0.6, "moderate"),
        (0.8, "substantial"),
        (1.01, "almost perfect"),
    ],
    "zh": [(0.0, "差"), (0.2, "轻微"), (0.4, "一般"), (0.6, "中等"), (0.8, "较强"), (1.01, "几乎完全")],
}


def _f(row: Row) -> str:
    return format_value(row["estimate"], str(row["name"]))


def _ci(row: Row) -> str:
    return format_interval(row)


def _rows(ctx: ReportContext, family: str, *names: str) -> list[Row] | None:
    """The focal county's rows ``names`` of ``family``, or None when any is missing or empty."""
    result = ctx.results.get(ctx.focal, family)
    rows = [row for n in names if result and (row := result.row(n)) and row.get("estimate") is not None]
    return rows if len(rows) == len(names) else None


def _by_sign(
    ctx: ReportContext, s: dict[str, str], family: str, name: str, keys: dict[str, str], field: str
) -> list[str]:
    """The statement ``keys[side]`` for the row ``name``, where side is where its interval lies
    against zero; the estimate fills ``field`` and the interval ``ci``. Nothing if the row is missing."""
    rows = _rows(ctx, family, name)
    if not rows:
        return []
    return [s[keys[zero_side(rows[0])]].format(**{field: _f(rows[0])}, ci=_ci(rows[0]))]


def _either(when_none: str, otherwise: str) -> dict[str, str]:
    """Statement keys for an interval containing zero, and for one wholly on either side."""
    return {"none": when_none, "positive": otherwise, "negative": otherwise}


def mechanism(ctx: ReportContext, s: dict[str, str]) -> list[str]:
    """The replicated exit evaluation (always called indicative), the below-standard share of the
    exited, agreement (kappa) and the side the current register errs on."""
    out = exit_statements(ctx, s)
    welfare = s[f"welfare_{_focal_row(ctx, 'kappa', 'welfare') or 'pre_transfer'}"]
    kappa = _rows(ctx, "identification", "kappa")
    if kappa:
        value = float(kappa[0]["estimate"])
        band = next(label for bound, label in _KAPPA_BANDS[ctx.language] if value < bound)
        out.append(s["kappa"].format(welfare=welfare, band=band, kappa=_f(kappa[0]), kappa_ci=_ci(kappa[0])))
    errors = _rows(ctx, "identification", "exclusion_error", "inclusion_error")
    if errors:
        exclusion, inclusion = errors
        if float(exclusion["ci_low"]) > float(inclusion["ci_high"]):
            side = "side_exclusion"
        elif float(inclusion["ci_low"]) > float(exclusion["ci_high"]):
            side = "side_inclusion"
        else:
            side = "side_equal"
        out.append(
            s["errors_side"].format(
                side=s[side],
                exclusion=f"{_f(exclusion)} {_ci(exclusion)}",
                inclusion=f"{_f(inclusion)} {_ci(inclusion)}",
            )
        )
        out.append(s["quota"])
    return out


def exit_statements(ctx: ReportContext, s: dict[str, str]) -> list[str]:
    """The four criteria of the exit evaluation together (the ``exit_verdict`` row), always called
    indicative; how the wrongful-exit rate was estimated; the below-standard share and relapse."""
    out: list[str] = []
    result = ctx.results.get(ctx.focal, "identification")
    verdict = result.row("exit_verdict") if result else None
    if verdict is not None and verdict.get("verdict") in ("pass", "fail", "inconclusive"):
        criteria = verdict.get("criteria", {})
        rows = {name: result.row(name) for name in criteria} if result else {}
        described = {
            name: _criterion(row, s, ctx.language)
            for name, row in rows.items()
            if row and row.get("estimate") is not None
        }
        indicative = ctx.words["indicative"]
        if verdict["verdict"] == "pass":
            out.append(s["exit_pass"].format(indicative=indicative, criteria="; ".join(described.values())))
        elif verdict["verdict"] == "fail":
            failing = "; ".join(described[n] for n, v in criteria.items() if v == "fail" and n in described)
            out.append(s["exit_fail"].format(indicative=indicative, failing=failing))
        else:
            open_ = [described[n] for n, v in criteria.items() if v != "pass" and n in described]
            out.append(s["exit_open"].format(indicative=indicative, open="; ".join(open_)))
    wrongful = _rows(ctx, "identification", "wrongful_exit_rate")
    if wrongful and wrongful[0].get("basis") == "latest_cohort":
        years = sorted({int(y) for y in wrongful[0].get("poverty_lines", {})})
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else "-".join(map(str, years))
        out.append(s["wrongful_latest"].format(years=span))
    below = _rows(ctx, "identification", "below_standard_exited")
    if below:
        year = ctx.study.get("survey_year")
        out.append(s["below_standard"].format(year=year, value=_f(below[0]), ci=_ci(below[0])))
    relapse = _rows(ctx, "identification", "relapse_rate")
    if relapse:
        out.append(s["relapse"].format(value=_f(relapse[0]), ci=_ci(relapse[0])))
    return out


def _criterion(row: Row, s: dict[str, str], language: str) -> str:
    """One criterion with its estimate, interval and threshold (``... 3.81% [...] (criterion < 2.00%)``)."""
    return s["criterion"].format(
        label=label_of(row, language),
        value=_f(row),
        ci=_ci(row),
        operator=row.get("threshold_operator", "<"),
        threshold=format_value(float(row["threshold"]), str(row["name"])),
    )


def _focal_row(ctx: ReportContext, name: str, key: str) -> Any:
    """A field of the focal county's identification row ``name`` (None when absent)."""
    result = ctx.results.get(ctx.focal, "identification")
    row = result.row(name) if result else None
    return None if row is None else row.get(key)


def industry(ctx: ReportContext, s: dict[str, str]) -> list[str]:
    """The income effect, the dividend-only placebo, the ledger and transfer dependence."""
    effect_keys = {side: f"effect_{side}" for side in ("positive", "negative", "none")}
    out = _by_sign(ctx, s, "income", "att_earned_pc", effect_keys, "effect")
    out += _by_sign(
        ctx, s, "income", "att_dividend_only_earned_pc", _either("dividend_none", "dividend_some"), "effect"
    )
    ledger = _rows(ctx, "income", "ledger_operating_share")
    if ledger:
        operating = float(ledger[0]["estimate"])
        half = "half_more" if operating < 0.5 else "half_less" if operating > 0.5 else "half_equal"
        out.append(
            s["ledger"].format(
                not_operating=format_percent(1 - operating), operating=_f(ledger[0]), n=ledger[0]["n"], half=s[half]
            )
        )
    transfers = _rows(ctx, "income", "transfer_share_registered", "transfer_share_change_registered")
    if transfers:
        share, change = transfers
        key = {"positive": "transfers_up", "negative": "transfers_down", "none": "transfers_flat"}[zero_side(change)]
        out.append(
            s[key].format(
                change=format_value(abs(float(change["estimate"])), str(change["name"])),
                ci=_ci(change),
                share=_f(share),
            )
        )
    return out


def motivation(ctx: ReportContext, s: dict[str, str]) -> list[str]:
    """Capability gaps by registration and exit, and the association with training."""
    out = []
    gap = _rows(ctx, "capability", "capability_gap_registered")
    if gap:
        row = gap[0]
        # "lags by" carries the sign in its words, so the size is printed without one.
        size = format_value(abs(float(row["estimate"])), str(row["name"])) if zero_side(row) == "negative" else _f(row)
        out.append(s[f"gap_{zero_side(row)}"].format(gap=size, ci=_ci(row)))
    out += _by_sign(ctx, s, "capability", "capability_gap_exited", _either("exit_gap_none", "exit_gap_some"), "gap")
    training_keys = {"positive": "training_positive", "negative": "training_other", "none": "training_other"}
    out += _by_sign(ctx, s, "capability", "association_trained", training_keys, "effect")
    return out


def formalism(ctx: ReportContext, s: dict[str, str]) -> list[str]:
    """Formal against field hours, the households' side, and burden against errors."""
    out = []
    shares = _rows(ctx, "formalism", "share_formalism", "share_field")
    if shares and float(shares[1]["estimate"]) > 0:
        formal, field_ = shares
        ratio = float(formal["estimate"]) / float(field_["estimate"])
        out.append(
            s["formal_vs_field"].format(
                formal=f"{_f(formal)} {_ci(formal)}", field=f"{_f(field_)} {_ci(field_)}", ratio=format_value(ratio)
            )
        )
    household = _rows(ctx, "formalism", "household_forms_per_visit")
    if household:
        out.append(s["household_ratio"].format(ratio=f"{_f(household[0])} {_ci(household[0])}"))
    association = _rows(ctx, "formalism", "burden_error_association")
    if association:
        row = association[0]
        key = "burden_assoc_none" if zero_side(row) == "none" else "burden_assoc_some"
        out.append(s[key].format(effect=_f(row), ci=_ci(row), n=row["n"]))
    return out


def monitoring(ctx: ReportContext, s: dict[str, str]) -> list[str]:
    """The unregistered poor, the missed-registration margin, a higher line, and the benchmarks."""
    out = []
    rows = _rows(ctx, "identification", "p0_unregistered", "missed_rate")
    if rows:
        p0, missed = rows
        upper, threshold = float(missed["ci_high"]), float(missed["threshold"])
        out.append(
            s["missed_margin"].format(
                p0=_f(p0),
                ci=_ci(p0),
                upper=format_percent(upper),
                threshold=format_percent(threshold),
                relation=s["relation_above" if upper > threshold else "relation_below"],
            )
        )
    result = ctx.results.get(ctx.focal, "identification")
    curve = result.table("sensitivity") if result else None
    if curve is not None and rows:
        missed_curve = curve[curve["rate"] == "missed_rate"].sort_values("line_factor")
        if not missed_curve.empty:
            top = missed_curve.iloc[-1]
            higher = float(top["ci_low"]) > float(rows[1]["ci_high"])
            out.append(
                s["line_raise"].format(
                    factor=format_value(float(top["line_factor"])),
                    rate=format_percent(float(top["estimate"])),
                    now=_f(rows[1]),
                    direction=s["direction_up" if higher else "direction_flat"],
                )
            )
    if rows:
        focal = rows[1]
        for county in ctx.results.counties[1:]:
            other = ctx.results.get(county, "identification")
            row = other.row("missed_rate") if other else None
            if row is None or row.get("estimate") is None:
                continue
            if float(row["ci_high"]) < float(focal["ci_low"]):
                relation = "relation_behind"
            elif float(row["ci_low"]) > float(focal["ci_high"]):
                relation = "relation_ahead"
            else:
                relation = "relation_similar"
            out.append(
                s["benchmark"].format(
                    county=ctx.name(ctx.focal),
                    focal=f"{_f(focal)} {_ci(focal)}",
                    relation=s[relation],
                    other=f"{ctx.name(county)} ({_f(row)} {_ci(row)})",
                )
            )
    return out


#: The five perspectives of the case study, in report order.
PERSPECTIVES: dict[str, Callable[[ReportContext, dict[str, str]], list[str]]] = {
    "perspective_mechanism": mechanism,
    "perspective_industry": industry,
    "perspective_motivation": motivation,
    "perspective_formalism": formalism,
    "perspective_monitoring": monitoring,
}


def implications_section(ctx: ReportContext) -> list[b.Block]:
    """The implications section: per perspective, the statements its rules make."""
    out = [b.heading(ctx.words["implications"]), b.par(ctx.words["implications_intro"])]
    statements = STATEMENTS[ctx.language]
    for key, rule in PERSPECTIVES.items():
        out.append(b.heading(ctx.words[key], level=2))
        lines = rule(ctx, statements)
        out.append(b.bullets(lines) if lines else b.note(ctx.words["pending"].format(what=ctx.words[key])))
    return out

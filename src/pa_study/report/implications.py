"""Implications along the case study's five perspectives and its look at projects and funds, each
statement made by a rule.

A rule reads the headline rows it needs, decides from their numbers which statement holds (an
interval against a threshold or against zero, one estimate against another) and prints the
numbers it used. A rule whose rows are missing says nothing rather than guessing. Every statement
passes the report's vocabulary rule (:mod:`pa_study.report.vocabulary`): no causal verb for an
estimate whose design is not causal, no null without its minimum detectable effect, and one note
per perspective that its intervals are not adjusted for multiplicity. Comparisons with the
benchmark counties are decided by the comparison's multiplicity-adjusted contrasts, not by the
overlap of the counties' own intervals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pa_study.report.blocks as b
from pa_study.report.sections import ReportContext, zero_side
from pa_study.report.text import format_interval, format_percent, format_value, label_of
from pa_study.report.vocabulary import NOT_ADJUSTED, enforce
from pa_study.stats import minimum_detectable_effect

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
        "effect_positive": "Active participants in industrial projects earn {effect} yuan {ci} more per person "
        "than comparable comparison households (ATT, doubly robust; comparable in pre-treatment covariates and "
        "village, assuming no unmeasured confounder).",
        "effect_negative": "Active participants in industrial projects earn {effect} yuan {ci} less per person "
        "than comparable comparison households (ATT, doubly robust; assuming no unmeasured confounder).",
        "effect_none": "The difference in per-capita earned income between active participants and comparable "
        "comparison households cannot be told apart from zero ({effect} yuan {ci}; minimum detectable effect "
        "{mde} yuan at 80% power).",
        "sensitivity": "An omitted confounder would need to explain {rv} of the residual variance of both "
        "participation and income to remove the effect ({rv_alpha} to make it indistinguishable from zero at 5%), "
        "judged on the additive regression with the same covariates and fixed effects ({estimate} yuan){bounds}.",
        "sensitivity_bound": "a confounder as strong as {benchmark} would leave {adjusted} yuan {ci}",
        "sensitivity_capped": "one as strong as {benchmark} would leave {adjusted} yuan, explaining all of "
        "income's residual variance",
        "benchmark_registered": "registration",
        "benchmark_earned_pc_base": "baseline earned income",
        "did_positive": "Since {baseline}, participants' earned income grew {effect} {ci} more in logs than "
        "comparison households' (difference in differences, assuming equal proportional growth otherwise).",
        "did_negative": "Since {baseline}, participants' earned income grew {effect} {ci} less in logs than "
        "comparison households' (difference in differences, assuming equal proportional growth otherwise).",
        "did_none": "The difference in differences of log earned income since {baseline} cannot be told apart "
        "from zero ({effect} {ci}; minimum detectable effect {mde}).",
        "registered_positive": "Among registered households, active participants earn {effect} yuan {ci} more per "
        "person than comparable registered comparison households.",
        "registered_negative": "Among registered households, active participants earn {effect} yuan {ci} less per "
        "person than comparable registered comparison households.",
        "registered_none": "Among registered households, the participants' difference in earned income cannot be "
        "told apart from zero ({effect} yuan {ci}; minimum detectable effect {mde} yuan).",
        "transfers_up": "Registered households depend more on transfers than at baseline: the transfer share "
        "rose by {change} {ci} to {share}.",
        "transfers_down": "Registered households depend less on transfers than at baseline: the transfer share "
        "fell by {change} {ci} to {share}.",
        "transfers_flat": "The change in the transfer share of registered households since baseline cannot be told "
        "apart from zero ({change} {ci}; minimum detectable effect {mde}), at {share} in the survey year.",
        "gap_negative": "Registered households score {gap} SD {ci} lower on the capability index than "
        "unregistered households, a descriptive difference between groups one of which was selected for being "
        "poor.",
        "gap_positive": "Registered households score {gap} SD {ci} higher on the capability index than "
        "unregistered households (a descriptive difference).",
        "gap_none": "The capability gap between registered and unregistered households cannot be told apart from "
        "zero ({gap} SD {ci}; minimum detectable effect {mde} SD).",
        "exit_gap_none": "The capability gap between exited and still-registered households cannot be told apart "
        "from zero ({gap} SD {ci}; minimum detectable effect {mde} SD).",
        "exit_gap_some": "Exited households score {gap} SD {ci} differently on the capability index from those "
        "still registered (a descriptive difference).",
        "training_positive": "Households with skills training score {effect} SD {ci} higher on the capability index "
        "without its skills items, conditional on {controls}: an association, not the effect of training.",
        "training_negative": "Households with skills training score {effect} SD {ci} lower on the capability index "
        "without its skills items, conditional on {controls}: an association, not the effect of training.",
        "training_none": "The association of skills training with the capability index without its skills items, "
        "conditional on {controls}, cannot be told apart from zero ({effect} SD {ci}; minimum detectable effect "
        "{mde} SD).",
        "formal_by_role": "By role, the share of weekly hours on paperwork, meetings and inspections is {roles} "
        "(each role's own mean, comparable across counties whatever their mix of roles).",
        "formal_vs_field": "Pooling the roles, {formal} of weekly hours go to paperwork, meetings and "
        "inspections against {field} to field work with households: {ratio} hours of formalism per "
        "hour of field work.",
        "household_ratio": "Registered households fill forms or host inspections {ratio} times per help visit "
        "received.",
        "burden_assoc_none": "The association between cadre burden and identification errors cannot be told apart "
        "from zero ({effect} {ci}, {n} units; minimum detectable effect {mde}).",
        "burden_assoc_some": "Cadre burden and identification errors are associated ({effect} {ci}, {n} units).",
        "coverage_few": "The monitoring list reaches only {coverage} of households below the monitoring threshold: "
        "most of those the threshold is meant to catch are not monitored, so finding them (door-to-door checks, data "
        "from health insurance and civil affairs) comes before assisting the listed; {inclusion} of the listed "
        "households are above the threshold.",
        "coverage_most": "The monitoring list reaches {coverage} of households below the monitoring threshold; "
        "{inclusion} of the listed households are above it.",
        "coverage_open": "The monitoring list reaches {coverage} of households below the monitoring threshold (the "
        "sample cannot tell whether it is most of them); {inclusion} of the listed households are above it.",
        "relapse_band": "By income alone, {below} of exited households are below the line now and {band} more are "
        "within the vulnerable band above it: follow-up after exit has to reach the band, not only "
        "those already below the line.",
        "cause_positive": "Exited households whose poverty was recorded as due to illness or disability are more "
        "often below the line now ({difference} {ci}): medical insurance, serious-illness relief and disability "
        "support are where relapse is prevented.",
        "cause_negative": "Exited households whose poverty was recorded as due to illness or disability are less "
        "often below the line now than the others ({difference} {ci}).",
        "cause_none": "The difference in the share below the line now between exited households whose poverty was "
        "recorded as due to illness or disability and the others cannot be told apart from zero ({difference} {ci}; "
        "minimum detectable effect {mde}).",
        "vulnerable": "{share} of households are vulnerable to poverty (a probability of at least one half of being "
        "below the line, Chaudhuri-Jalan-Suryahadi), against {listed} on the monitoring list among exited and "
        "never-registered households: the list is {relation}.",
        "list_smaller": "smaller than the vulnerable population",
        "list_larger": "larger than the vulnerable population",
        "list_similar": "of a size the sample cannot tell apart from the vulnerable population",
        "relative": "A relative line at 40% of the county's median income ({median} yuan) counts {own} of persons as "
        "poor, 40% of the rural median of all China {country}: a relative-poverty standard after 2020 depends on "
        "which median it is set against.",
        "international": "At the World Bank's upper-middle-income line ($6.85 a day, 2017 PPP), {p0} of persons are "
        "poor.",
        "international_2021": "At the World Bank's upper-middle-income line of $8.30 a day (2021 PPP), {p0_2021} of "
        "persons are poor; at the $6.85 a day (2017 PPP) line it replaced, {p0}.",
        "fund_use": "Each linked poor household cost {per_household} yuan of fiscal investment and each job created "
        "{per_job} yuan; the projects paid {per_yuan} yuan of dividends per yuan invested, {dividend} yuan per "
        "linked household in the year.",
        "stopped_more": "{stopped} of the investment sits in projects now suspended or failed, more than their "
        "share of projects ({projects}): the projects that stopped were the larger ones, so the money at risk "
        "exceeds what the count of projects suggests.",
        "stopped_less": "{stopped} of the investment sits in projects now suspended or failed, against {projects} "
        "of the projects: the projects that stopped were the smaller ones.",
        "survival": "{survival} of projects are still operating {years} years after they started (current-status "
        "estimate from the ledger).",
        "concentration": "The largest {percent} of projects take {share} of the fiscal investment.",
        "linkage_positive": "The ledger links {ledger} poor households per village, the survey finds {survey} "
        "registered households taking part per village: {share} of the linkage exists on paper only, a formalism "
        "that inflates the reach of industrial projects.",
        "linkage_none": "The difference between the ledger's linked poor households per village ({ledger}) and the "
        "registered households that report taking part ({survey}) cannot be told apart from zero ({gap} {gap_ci}; "
        "minimum detectable effect {mde}).",
        "linkage_negative": "More registered households report taking part in projects ({survey} per village) than "
        "the ledger links ({ledger}): the ledger under-records participation.",
        "benchmark": "On the {label}, {county} ({focal}) {relation} {other}: difference {difference} {adjusted_ci}, "
        "an interval adjusted for all the comparison's contrasts of the family.",
        "benchmark_similar": "On the {label}, the difference between {county} ({focal}) and {other} cannot be told "
        "apart from zero ({difference} {adjusted_ci}, adjusted for all the comparison's contrasts of the family; "
        "minimum detectable effect {mde}).",
        "relation_behind": "does worse than",
        "relation_ahead": "does better than",
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
        "effect_positive": "积极参与产业项目者的人均务工经营收入比可比的对照户高{effect}元{ci}（ATT，双重稳健；"
        "在干预前协变量和所在村上可比，假定不存在未观测混杂）。",
        "effect_negative": "积极参与产业项目者的人均务工经营收入比可比的对照户低{effect}元{ci}（ATT，双重稳健；"
        "假定不存在未观测混杂）。",
        "effect_none": "积极参与者与可比对照户的人均务工经营收入差异与零无法区分（{effect}元{ci}；"
        "80%检验力下的最小可检测效应为{mde}元）。",
        "sensitivity": "遗漏的混杂因素需同时解释参与与收入残差方差的{rv}，才能消除该效应（使其在5%水平上不再显著"
        "需{rv_alpha}），依据的是协变量与固定效应相同的加性回归（{estimate}元）{bounds}。",
        "sensitivity_bound": "与{benchmark}同等强度的混杂因素会使估计变为{adjusted}元{ci}",
        "sensitivity_capped": "与{benchmark}同等强度的混杂因素会使估计变为{adjusted}元，并解释收入的全部残差方差",
        "benchmark_registered": "建档立卡身份",
        "benchmark_earned_pc_base": "基期务工经营收入",
        "did_positive": "{baseline}年以来，参与者务工经营收入的对数增幅比对照户多{effect}{ci}（双重差分，"
        "假定无项目时增长比例相同）。",
        "did_negative": "{baseline}年以来，参与者务工经营收入的对数增幅比对照户少{effect}{ci}（双重差分，"
        "假定无项目时增长比例相同）。",
        "did_none": "{baseline}年以来对数务工经营收入的双重差分与零无法区分（{effect}{ci}；最小可检测效应为{mde}）。",
        "registered_positive": "在建档立卡户中，积极参与者人均务工经营收入比可比的建档立卡对照户高{effect}元{ci}。",
        "registered_negative": "在建档立卡户中，积极参与者人均务工经营收入比可比的建档立卡对照户低{effect}元{ci}。",
        "registered_none": "在建档立卡户中，参与者的收入差异与零无法区分（{effect}元{ci}；最小可检测效应为{mde}元）。",
        "transfers_up": "建档立卡户对转移性收入的依赖高于基期：转移性收入占比上升{change}{ci}，达到{share}。",
        "transfers_down": "建档立卡户对转移性收入的依赖低于基期：转移性收入占比下降{change}{ci}，为{share}。",
        "transfers_flat": "建档立卡户转移性收入占比与基期相比的变化与零无法区分（{change}{ci}；"
        "最小可检测效应为{mde}），调查年度为{share}。",
        "gap_negative": "建档立卡户的能力指数比非建档立卡户低{gap}个标准差{ci}，"
        "这是描述性差异（建档立卡户本因贫困而入选）。",
        "gap_positive": "建档立卡户的能力指数比非建档立卡户高{gap}个标准差{ci}（描述性差异）。",
        "gap_none": "建档立卡户与非建档立卡户的能力指数差异与零无法区分（{gap}个标准差{ci}；"
        "最小可检测效应为{mde}个标准差）。",
        "exit_gap_none": "已脱贫户与未脱贫户的能力指数差异与零无法区分（{gap}个标准差{ci}；"
        "最小可检测效应为{mde}个标准差）。",
        "exit_gap_some": "已脱贫户与未脱贫户的能力指数相差{gap}个标准差{ci}（描述性差异）。",
        "training_positive": "在控制{controls}后，参加技能培训的农户在不含技能项的能力指数上高{effect}个标准差{ci}："
        "这是关联，不是培训的效应。",
        "training_negative": "在控制{controls}后，参加技能培训的农户在不含技能项的能力指数上低{effect}个标准差{ci}："
        "这是关联，不是培训的效应。",
        "training_none": "在控制{controls}后，技能培训与不含技能项的能力指数的关联与零无法区分（{effect}个标准差{ci}；"
        "最小可检测效应为{mde}个标准差）。",
        "formal_by_role": "分岗位看，每周工时中用于填表、开会和迎检的比例为：{roles}（各岗位自身的均值，"
        "不受各县岗位构成影响，可跨县比较）。",
        "formal_vs_field": "各岗位合并计算，每周工时中{formal}用于填表、开会和迎检，{field}"
        "用于入户帮扶：每小时实地工作对应{ratio}小时形式性工作。",
        "household_ratio": "建档立卡户每接受一次帮扶走访，要填表或迎检{ratio}次。",
        "burden_assoc_none": "干部负担与识别误差之间的关联与零无法区分（{effect}{ci}，{n}个单位；"
        "最小可检测效应为{mde}）。",
        "burden_assoc_some": "干部负担与识别误差存在关联（{effect}{ci}，{n}个单位）。",
        "coverage_few": "监测名单仅覆盖低于监测标准农户的{coverage}：监测标准要找出的农户大多未被纳入，"
        "先要把他们找出来（入户排查，比对医保、民政数据），再谈帮扶；名单中{inclusion}的农户高于监测标准。",
        "coverage_most": "监测名单覆盖低于监测标准农户的{coverage}；名单中{inclusion}的农户高于监测标准。",
        "coverage_open": "监测名单覆盖低于监测标准农户的{coverage}（样本无法判断是否过半）；名单中{inclusion}的农户"
        "高于监测标准。",
        "relapse_band": "仅按收入计，已脱贫户中{below}目前低于贫困线，另有{band}处于贫困线以上的易返贫区间："
        "脱贫后的跟踪帮扶要覆盖这一区间，而不只是已低于贫困线的农户。",
        "cause_positive": "因病、因残致贫的已脱贫户目前低于贫困线的比例更高（{difference}{ci}）：防止返贫的关键在医"
        "疗保障、大病救助和残疾人帮扶。",
        "cause_negative": "因病、因残致贫的已脱贫户目前低于贫困线的比例低于其他已脱贫户（{difference}{ci}）。",
        "cause_none": "因病、因残致贫的已脱贫户与其他已脱贫户目前低于贫困线的比例之差与零无法区分（{difference}{ci}；"
        "最小可检测效应为{mde}）。",
        "vulnerable": "{share}的农户具有贫困脆弱性（低于贫困线的概率不低于一半，Chaudhuri-Jalan-Suryahadi方法），"
        "而已脱贫户和非建档立卡户中监测户比例为{listed}：监测名单{relation}。",
        "list_smaller": "小于脆弱人群",
        "list_larger": "大于脆弱人群",
        "list_similar": "与脆弱人群规模在统计上无法区分",
        "relative": "以本县收入中位数（{median}元）的40%为相对贫困线，相对贫困发生率为{own}；"
        "以全国农村中位数的40%为线，为{country}：2020年后的相对贫困标准取决于参照哪个中位数。",
        "international": "按世界银行中高收入经济体贫困线（每天6.85美元，2017年购买力平价），贫困发生率为{p0}。",
        "international_2021": "按世界银行中高收入经济体贫困线每天8.30美元（2021年购买力平价），贫困发生率为{p0_2021}；"
        "按其取代的每天6.85美元（2017年购买力平价）贫困线，为{p0}。",
        "fund_use": "每带动一户贫困户花费财政投资{per_household}元，每个就业岗位{per_job}元；"
        "每元投资分红{per_yuan}元，每户带动贫困户年分红{dividend}元。",
        "stopped_more": "{stopped}的财政投资在目前停运或失败的项目中，高于这些项目的数量占比（{projects}）：停下来"
        "的多是大项目，资金风险大于项目数所显示的。",
        "stopped_less": "{stopped}的财政投资在目前停运或失败的项目中，低于这些项目的数量占比（{projects}）：停下来"
        "的多是小项目。",
        "survival": "项目开始{years}年后仍在运营的比例为{survival}（根据台账现状数据估计）。",
        "concentration": "最大的{percent}项目占财政投资的{share}。",
        "linkage_positive": "台账每村带动贫困户{ledger}户，调查显示每村参与项目的建档立卡户为{survey}户：{share}的"
        "带动只存在于纸面上，"
        "这种形式主义夸大了产业项目的覆盖面。",
        "linkage_none": "台账每村带动贫困户数（{ledger}）与报告参与项目的建档立卡户数（{survey}）之差与零无法区分"
        "（{gap}{gap_ci}；最小可检测效应为{mde}）。",
        "linkage_negative": "报告参与项目的建档立卡户（每村{survey}户）多于台账带动户数（{ledger}）：台账少记了参与"
        "情况。",
        "benchmark": "在{label}上，{county}（{focal}）{relation}{other}：差值{difference}{adjusted_ci}，"
        "区间已对本族全部对比作多重比较调整。",
        "benchmark_similar": "在{label}上，{county}（{focal}）与{other}的差值与零无法区分（{difference}{adjusted_ci}，"
        "已对本族全部对比作多重比较调整；最小可检测效应为{mde}）。",
        "relation_behind": "不如",
        "relation_ahead": "优于",
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


def _mde(row: Row) -> str:
    """The row's minimum detectable effect at 80% power, printed like its estimate (from its SE
    when the indicator file does not give one)."""
    value = row.get("mde")
    if value is None:
        value = minimum_detectable_effect(float(row["se"]))
    return format_value(float(value), str(row["name"]))


def _size(row: Row) -> str:
    """The estimate without its sign, for statements whose words carry the direction."""
    return format_value(abs(float(row["estimate"])), str(row["name"]))


def _higher_by_interval(first: Row, second: Row) -> str | None:
    """``"first"`` or ``"second"`` when that row's interval lies wholly above the other's, else None
    (two estimates of one county, compared by the overlap of their own intervals)."""
    if float(first["ci_low"]) > float(second["ci_high"]):
        return "first"
    if float(second["ci_low"]) > float(first["ci_high"]):
        return "second"
    return None


def _rows(ctx: ReportContext, family: str, *names: str) -> list[Row] | None:
    """The focal county's rows ``names`` of ``family``, or None when any is missing or empty."""
    result = ctx.results.get(ctx.focal, family)
    rows = [row for n in names if result and (row := result.row(n)) and row.get("estimate") is not None]
    return rows if len(rows) == len(names) else None


def _by_sign(
    ctx: ReportContext, s: dict[str, str], family: str, name: str, keys: dict[str, str], field: str, **extra: str
) -> list[tuple[str, list[Row]]]:
    """The statement ``keys[side]`` for the row ``name``, where side is where its interval lies
    against zero; its size (unsigned where the words carry the direction) fills ``field``, the
    interval ``ci`` and its minimum detectable effect ``mde``. Nothing if the row is missing."""
    rows = _rows(ctx, family, name)
    if not rows:
        return []
    row, side = rows[0], zero_side(rows[0])
    value = _f(row) if side == "none" else _size(row)
    return [(s[keys[side]].format(**{field: value}, ci=_ci(row), mde=_mde(row), **extra), rows)]


def _signed_keys(prefix: str) -> dict[str, str]:
    """Statement keys ``<prefix>_positive``, ``_negative`` and ``_none`` by the interval's side."""
    return {side: f"{prefix}_{side}" for side in ("positive", "negative", "none")}


def _either(when_none: str, otherwise: str) -> dict[str, str]:
    """Statement keys for an interval containing zero, and for one wholly on either side."""
    return {"none": when_none, "positive": otherwise, "negative": otherwise}


Statements = list[tuple[str, list[Row]]]


def mechanism(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """The replicated exit evaluation (always called indicative), the below-standard share of the
    exited, agreement (kappa) and the side the current register errs on."""
    out = exit_statements(ctx, s)
    welfare = s[f"welfare_{_focal_row(ctx, 'kappa', 'welfare') or 'pre_transfer'}"]
    kappa = _rows(ctx, "identification", "kappa")
    if kappa:
        value = float(kappa[0]["estimate"])
        band = next(label for bound, label in _KAPPA_BANDS[ctx.language] if value < bound)
        text = s["kappa"].format(welfare=welfare, band=band, kappa=_f(kappa[0]), kappa_ci=_ci(kappa[0]))
        out.append((text, kappa))
    errors = _rows(ctx, "identification", "exclusion_error", "inclusion_error")
    if errors:
        exclusion, inclusion = errors
        side = {"first": "side_exclusion", "second": "side_inclusion", None: "side_equal"}[
            _higher_by_interval(exclusion, inclusion)
        ]
        text = s["errors_side"].format(
            side=s[side],
            exclusion=f"{_f(exclusion)} {_ci(exclusion)}",
            inclusion=f"{_f(inclusion)} {_ci(inclusion)}",
        )
        out.append((text, errors))
        out.append((s["quota"], errors))
    return out + benchmark_statements(ctx, s, "identification", "missed_rate", higher_is_better=False)


def exit_statements(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """The four criteria of the exit evaluation together (the ``exit_verdict`` row), always called
    indicative; how the wrongful-exit rate was estimated; the below-standard share and relapse."""
    out: Statements = []
    result = ctx.results.get(ctx.focal, "identification")
    verdict = result.row("exit_verdict") if result else None
    if verdict is not None and verdict.get("verdict") in ("pass", "fail", "inconclusive"):
        criteria = verdict.get("criteria", {})
        rows = {name: result.row(name) for name in criteria} if result else {}
        cited = {name: row for name, row in rows.items() if row and row.get("estimate") is not None}
        described = {name: _criterion(row, s, ctx.language) for name, row in cited.items()}
        indicative = ctx.words["indicative"]
        if verdict["verdict"] == "pass":
            text = s["exit_pass"].format(indicative=indicative, criteria="; ".join(described.values()))
        elif verdict["verdict"] == "fail":
            failing = "; ".join(described[n] for n, v in criteria.items() if v == "fail" and n in described)
            text = s["exit_fail"].format(indicative=indicative, failing=failing)
        else:
            open_ = [described[n] for n, v in criteria.items() if v != "pass" and n in described]
            text = s["exit_open"].format(indicative=indicative, open="; ".join(open_))
        out.append((text, list(cited.values())))
    wrongful = _rows(ctx, "identification", "wrongful_exit_rate")
    if wrongful and wrongful[0].get("basis") == "latest_cohort":
        years = sorted({int(y) for y in wrongful[0].get("poverty_lines", {})})
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else "-".join(map(str, years))
        out.append((s["wrongful_latest"].format(years=span), wrongful))
    below = _rows(ctx, "identification", "below_standard_exited")
    if below:
        year = ctx.study.get("survey_year")
        out.append((s["below_standard"].format(year=year, value=_f(below[0]), ci=_ci(below[0])), below))
    relapse = _rows(ctx, "identification", "relapse_rate")
    if relapse:
        out.append((s["relapse"].format(value=_f(relapse[0]), ci=_ci(relapse[0])), relapse))
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


def _role_words(row: Row, language: str) -> str:
    """The role a role-specific row describes, in ``language``: its label ends with the role as
    '<Chinese> <English>' after the last comma (e.g. '乡镇干部 township cadres')."""
    role = str(row.get("label", "")).rsplit(", ", 1)[-1]
    chinese, _, english = role.partition(" ")
    return chinese if language == "zh" else english or chinese


def _focal_row(ctx: ReportContext, name: str, key: str) -> Any:
    """A field of the focal county's identification row ``name`` (None when absent)."""
    result = ctx.results.get(ctx.focal, "identification")
    row = result.row(name) if result else None
    return None if row is None else row.get(key)


def industry(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """The income effect (ATT), its difference in differences and its value among registered
    households, and transfer dependence (the project ledger is the projects perspective's)."""
    baseline = str(ctx.study.get("baseline_year", ""))
    out = _by_sign(ctx, s, "income", "att_earned_pc", _signed_keys("effect"), "effect")
    out += sensitivity_statement(ctx, s)
    out += _by_sign(ctx, s, "income", "att_log_earned_pc_did", _signed_keys("did"), "effect", baseline=baseline)
    out += _by_sign(ctx, s, "income", "att_earned_pc_registered", _signed_keys("registered"), "effect")
    transfers = _rows(ctx, "income", "transfer_share_registered", "transfer_share_change_registered")
    if transfers:
        share, change = transfers
        key = {"positive": "transfers_up", "negative": "transfers_down", "none": "transfers_flat"}[zero_side(change)]
        text = s[key].format(
            change=format_value(abs(float(change["estimate"])), str(change["name"])),
            ci=_ci(change),
            share=_f(share),
            mde=_mde(change),
        )
        out.append((text, transfers))
    return out


def sensitivity_statement(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """How strong an omitted confounder would have to be to remove the headline effect (Cinelli &
    Hazlett's robustness value) and what one as strong as each benchmark covariate would leave."""
    rows = _rows(ctx, "income", "att_earned_pc")
    result = ctx.results.get(ctx.focal, "income")
    table = result.table("sensitivity") if result else None
    bounds = result.table("sensitivity_bounds") if result else None
    if not rows or table is None or table.empty:
        return []
    first = table.iloc[0]
    parts = []
    for bound in [] if bounds is None else bounds[bounds["kd"] == 1].to_dict("records"):
        benchmark = s.get(f"benchmark_{bound['benchmark']}", str(bound["benchmark"]))
        adjusted = format_value(float(bound["adjusted_estimate"]))
        if bool(bound["r2yz_dx_capped"]):
            parts.append(s["sensitivity_capped"].format(benchmark=benchmark, adjusted=adjusted))
        else:
            ci = f"[{format_value(float(bound['adjusted_ci_low']))}, {format_value(float(bound['adjusted_ci_high']))}]"
            parts.append(s["sensitivity_bound"].format(benchmark=benchmark, adjusted=adjusted, ci=ci))
    text = s["sensitivity"].format(
        rv=format_percent(float(first["robustness_value"])),
        rv_alpha=format_percent(float(first["robustness_value_alpha"])),
        estimate=format_value(float(first["estimate"])),
        bounds="".join(("；" if ctx.language == "zh" else "; ") + part for part in parts),
    )
    return [(text, rows)]


def motivation(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """Capability gaps by registration and exit (descriptive), and the association with training."""
    out = _by_sign(ctx, s, "capability", "capability_gap_registered", _signed_keys("gap"), "gap")
    out += _by_sign(ctx, s, "capability", "capability_gap_exited", _either("exit_gap_none", "exit_gap_some"), "gap")
    training = _rows(ctx, "capability", "association_trained")
    if training:
        controls = str(training[0].get("controls", ""))
        keys = _signed_keys("training")
        out += _by_sign(ctx, s, "capability", "association_trained", keys, "effect", controls=controls)
    return out


def formalism(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """Formal against field hours, the households' side, burden against errors, and linkage of
    projects to poor households that exists on paper only."""
    out: Statements = []
    result = ctx.results.get(ctx.focal, "formalism")
    by_role = [
        row
        for row in (result.headline if result else [])
        if str(row["name"]).startswith("share_formalism__") and row.get("estimate") is not None
    ]
    if by_role:
        separator = "；" if ctx.language == "zh" else "; "
        roles = separator.join(f"{_role_words(row, ctx.language)} {_f(row)} {_ci(row)}" for row in by_role)
        out.append((s["formal_by_role"].format(roles=roles), by_role))
    field_name = "share_field" if result and result.row("share_field") else "share_fieldwork"
    shares = _rows(ctx, "formalism", "share_formalism", field_name)
    if shares and float(shares[1]["estimate"]) > 0:
        formal, field_ = shares
        ratio = float(formal["estimate"]) / float(field_["estimate"])
        text = s["formal_vs_field"].format(
            formal=f"{_f(formal)} {_ci(formal)}", field=f"{_f(field_)} {_ci(field_)}", ratio=format_value(ratio)
        )
        out.append((text, shares))
    household = _rows(ctx, "formalism", "household_forms_per_visit")
    if household:
        out.append((s["household_ratio"].format(ratio=f"{_f(household[0])} {_ci(household[0])}"), household))
    association = _rows(ctx, "formalism", "burden_error_association")
    if association:
        row = association[0]
        key = "burden_assoc_none" if zero_side(row) == "none" else "burden_assoc_some"
        out.append((s[key].format(effect=_f(row), ci=_ci(row), n=row["n"], mde=_mde(row)), association))
    linkage = _rows(
        ctx,
        "projects",
        "paper_linkage_gap_per_village",
        "ledger_linked_per_village",
        "survey_participants_per_village",
        "paper_only_linkage_share",
    )
    if linkage:
        gap, ledger, survey, share = linkage
        text = s[f"linkage_{zero_side(gap)}"].format(
            ledger=_f(ledger),
            survey=f"{_f(survey)} {_ci(survey)}",
            share=f"{_f(share)} {_ci(share)}",
            gap=_f(gap),
            gap_ci=_ci(gap),
            mde=_mde(gap),
        )
        out.append((text, linkage))
    return out


def monitoring(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """The monitoring list against the threshold, relapse risk and its causes, vulnerability, the
    relative and international lines, and the benchmarks on the list's coverage."""
    out: Statements = []
    coverage = _rows(ctx, "monitoring", "monitoring_coverage_rate", "monitoring_inclusion_error")
    if coverage:
        reach, inclusion = coverage
        side = "most" if float(reach["ci_low"]) > 0.5 else "few" if float(reach["ci_high"]) < 0.5 else "open"
        text = s[f"coverage_{side}"].format(
            coverage=f"{_f(reach)} {_ci(reach)}", inclusion=f"{_f(inclusion)} {_ci(inclusion)}"
        )
        out.append((text, coverage))
    relapse = _rows(ctx, "monitoring", "exited_below_line_share", "exited_vulnerable_band_share")
    if relapse:
        below, band = relapse
        text = s["relapse_band"].format(below=f"{_f(below)} {_ci(below)}", band=f"{_f(band)} {_ci(band)}")
        out.append((text, relapse))
    causes = _signed_keys("cause")
    out += _by_sign(ctx, s, "monitoring", "exited_below_line_share_difference", causes, "difference")
    vulnerable = _rows(ctx, "monitoring", "vulnerable_share", "monitored_share")
    if vulnerable:
        share, listed = vulnerable
        relation = {"first": "list_smaller", "second": "list_larger", None: "list_similar"}[
            _higher_by_interval(share, listed)
        ]
        text = s["vulnerable"].format(
            share=f"{_f(share)} {_ci(share)}", listed=f"{_f(listed)} {_ci(listed)}", relation=s[relation]
        )
        out.append((text, vulnerable))
    relative = _rows(
        ctx, "monitoring", "relative_poverty_40_rate", "national_relative_poverty_40_rate", "median_income_pc"
    )
    if relative:
        own, national, median = relative
        text = s["relative"].format(
            own=f"{_f(own)} {_ci(own)}", country=f"{_f(national)} {_ci(national)}", median=_f(median)
        )
        out.append((text, relative))
    international = _rows(ctx, "monitoring", "p0_usd_6_85_ppp2017")
    current = _rows(ctx, "monitoring", "p0_usd_8_30_ppp2021", "p0_usd_6_85_ppp2017")
    if current:
        new, old = current
        text = s["international_2021"].format(p0_2021=f"{_f(new)} {_ci(new)}", p0=f"{_f(old)} {_ci(old)}")
        out.append((text, current))
    elif international:
        out.append((s["international"].format(p0=f"{_f(international[0])} {_ci(international[0])}"), international))
    return out + benchmark_statements(ctx, s, "monitoring", "monitoring_coverage_rate", higher_is_better=True)


def benchmark_statements(
    ctx: ReportContext, s: dict[str, str], family: str, name: str, *, higher_is_better: bool
) -> Statements:
    """The focal county against each benchmark on one headline row, decided by the comparison's
    contrast (focal − benchmark) and its multiplicity-adjusted interval, not by the overlap of the
    two counties' own intervals; nothing before the comparison stage has run."""
    rows = _rows(ctx, family, name)
    if not rows:
        return []
    focal, out = rows[0], []
    for contrast in _contrasts(ctx, family, name):
        county = str(contrast["benchmark"])
        other = ctx.results.get(county, family)
        row = other.row(name) if other else None
        if row is None or row.get("estimate") is None:
            continue
        low, high = float(contrast["ci_low_adjusted"]), float(contrast["ci_high_adjusted"])
        fields = {
            "label": label_of(focal, ctx.language),
            "county": ctx.name(ctx.focal),
            "focal": f"{_f(focal)} {_ci(focal)}",
            "other": f"{ctx.name(county)} ({_f(row)} {_ci(row)})",
            "difference": format_value(float(contrast["estimate"]), name),
            "adjusted_ci": f"[{format_value(low, name)}, {format_value(high, name)}]",
        }
        if low > 0 or high < 0:
            ahead = (low > 0) == higher_is_better
            relation = s["relation_ahead" if ahead else "relation_behind"]
            out.append((s["benchmark"].format(relation=relation, **fields), [focal, row]))
        else:
            mde = format_value(float(contrast["mde_adjusted"]), name)
            out.append((s["benchmark_similar"].format(mde=mde, **fields), [focal, row]))
    return out


def _contrasts(ctx: ReportContext, family: str, name: str) -> list[Row]:
    """The comparison's focal − benchmark contrasts of one indicator that carry adjusted intervals."""
    rows = (ctx.comparison or {}).get("headline", [])
    return [
        r
        for r in rows
        if r.get("family") == family
        and r.get("name") == name
        and r.get("estimate") is not None
        and r.get("ci_low_adjusted") is not None
    ]


def projects(ctx: ReportContext, s: dict[str, str]) -> Statements:
    """Fund use, investment in stopped projects, survival and concentration (the project ledger)."""
    out: Statements = []
    fund = _rows(
        ctx,
        "projects",
        "investment_per_linked_household",
        "investment_per_job",
        "dividends_per_yuan_invested",
        "dividends_per_linked_household",
    )
    if fund:
        per_household, per_job, per_yuan, dividend = fund
        text = s["fund_use"].format(
            per_household=_f(per_household), per_job=_f(per_job), per_yuan=_f(per_yuan), dividend=_f(dividend)
        )
        out.append((text, fund))
    stopped = _rows(ctx, "projects", "stopped_investment_share", "projects_operating_share")
    if stopped:
        money, operating = stopped
        share = 1 - float(operating["estimate"])
        key = "stopped_more" if float(money["estimate"]) > share else "stopped_less"
        out.append((s[key].format(stopped=_f(money), projects=format_percent(share)), stopped))
    survival = _rows(ctx, "projects", "survival_rate")
    result = ctx.results.get(ctx.focal, "projects")
    if survival and result is not None:
        years = result.document.get("settings", {}).get("projects", {}).get("survival_years", "")
        out.append((s["survival"].format(survival=_f(survival[0]), years=years), survival))
    concentration = _rows(ctx, "projects", "largest_projects_investment_share")
    if concentration and result is not None:
        top = float(result.document.get("settings", {}).get("projects", {}).get("top_share", 0.1))
        out.append((s["concentration"].format(percent=f"{top:.0%}", share=_f(concentration[0])), concentration))
    return out


#: The five perspectives of the case study and its look at projects and funds, in report order.
PERSPECTIVES: dict[str, Callable[[ReportContext, dict[str, str]], Statements]] = {
    "perspective_mechanism": mechanism,
    "perspective_industry": industry,
    "perspective_motivation": motivation,
    "perspective_formalism": formalism,
    "perspective_monitoring": monitoring,
    "perspective_projects": projects,
}


def perspective_lines(ctx: ReportContext, key: str) -> list[str]:
    """The statements of one perspective, each checked by the vocabulary rule, followed once by
    the note that their intervals are not adjusted for multiplicity (nothing when it has none).

    Raises
    ------
    pa_study.report.vocabulary.VocabularyError
        When a statement breaks the rule (a defect of its template, never of the data).
    """
    statements = PERSPECTIVES[key](ctx, STATEMENTS[ctx.language])
    lines = [enforce(text, ctx.language, rows) for text, rows in statements]
    return [*lines, NOT_ADJUSTED[ctx.language]] if lines else []


def implications_section(ctx: ReportContext) -> list[b.Block]:
    """The implications section: per perspective, the statements its rules make."""
    out = [b.heading(ctx.words["implications"]), b.par(ctx.words["implications_intro"])]
    for key in PERSPECTIVES:
        out.append(b.heading(ctx.words[key], level=2))
        lines = perspective_lines(ctx, key)
        out.append(b.bullets(lines) if lines else b.note(ctx.words["pending"].format(what=ctx.words[key])))
    return out

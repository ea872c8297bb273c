"""How numbers and words are printed in the report, in English or Chinese.

Every number in the PDF goes through :func:`format_value` (or :func:`format_interval`), and the
report tests use the same functions to find the results' numbers in the PDF's text.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pa_study.results import chinese_label, english_label

LANGUAGES = ("en", "zh")
MINUS = "\u2212"
#: Headline names shown as percentages (shares, rates and error rates; P0 and H are headcounts).
_PERCENT = re.compile(r"(_share|^share_|_rate$|_error$|^accuracy$|^p0_|^af_h$|_incidence$|^below_standard_exited$)")
#: Of those, the ones that are changes in a share or differences of two shares: percentage points.
_POINTS = re.compile(r"_change|_share_difference")


def is_percent(name: str) -> bool:
    """Whether the headline ``name`` is a proportion printed as a percentage."""
    return _PERCENT.search(name) is not None


def format_value(value: float | None, name: str = "") -> str:
    """Print one number of the headline ``name``: a percentage (or percentage points) for shares
    and rates, otherwise with precision by magnitude; a typographic minus; ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if is_percent(name):
        unit = " pp" if _POINTS.search(name) else "%"
        return _signed(f"{abs(value) * 100:.2f}{unit}", value)
    magnitude = abs(value)
    if magnitude >= 100:
        text = f"{magnitude:,.0f}"
    elif magnitude >= 10:
        text = f"{magnitude:.1f}"
    else:
        text = f"{magnitude:.3f}"
    return _signed(text, value)


def format_percent(value: float) -> str:
    """Print a proportion as a percentage, like the rates of the headline rows."""
    return format_value(value, "_share")


def _signed(text: str, value: float) -> str:
    return f"{MINUS}{text}" if value < 0 and text.strip("0.,% p") else text


def format_interval(row: dict[str, Any]) -> str:
    """``[low, high]`` of a headline row, each end printed like its estimate."""
    name = str(row.get("name", ""))
    return f"[{format_value(row.get('ci_low'), name)}, {format_value(row.get('ci_high'), name)}]"


def label_of(row: dict[str, Any], language: str) -> str:
    """The row's label in ``language`` (labels are bilingual, Chinese first)."""
    label = str(row.get("label") or row.get("name", ""))
    return chinese_label(label) if language == "zh" else english_label(label)


#: Words of the report. Sentences are templates filled from the numbers; none states a finding.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "gap": " ",
        "subtitle": "Targeted poverty alleviation: a county case study",
        "focal": "Focal county: {name}",
        "benchmarks": "Benchmark counties: {names}",
        "data_year": "Data: household and cadre surveys of {year} (baseline year {baseline})",
        "synthetic": "SYNTHETIC DATA: the data of {counties} are generated demo data, not real survey data; "
        "no number about {them} describes a real county.",
        "synthetic_them_one": "it",
        "synthetic_them_many": "them",
        "synthetic_footer": "Synthetic demo data for {counties} – not real survey results",
        "synthetic_footer_all": "Synthetic demo data – not real survey results",
        "colophon": "Built by pa-study {version} from the results files of commit {commit}. Every number is "
        "read from a results file; see the provenance appendix.",
        "contents": "Contents",
        "data": "Data and sample",
        "comparison": "Comparison with the benchmark counties",
        "implications": "Implications",
        "appendix_counties": "Appendix A: Detail by county",
        "appendix_methods": "Appendix B: Settings and definitions",
        "appendix_codebook": "Appendix C: Codebook",
        "appendix_provenance": "Appendix D: Provenance",
        "findings": "Findings",
        "findings_intro": "Each study question has a table of the counties' headline estimates with 95% confidence "
        "intervals; under each estimate, its verdict: against a policy threshold (passes, fails, or inconclusive when "
        "the interval contains the threshold), or, for an effect, gap or association, where its interval lies against "
        "zero. The detail by county (standard errors, sample sizes, notes) is in Appendix A, the settings in "
        "Appendix B.",
        "findings_table_cite": "{table} compares the counties on {family}.",
        "findings_figures_cite": "See also {figures}.",
        "findings_caption": "{family}: estimates by county (95% CI) and their verdicts.",
        "threshold_count": "Against its thresholds, {county} fails {fail} of {n} ({failing}), passes {passes} and "
        "cannot be settled by the sample on {open}.",
        "contrast_count": "Of {county}'s {n} effects, gaps and associations, {positive} lie above zero, {negative} "
        "below zero and {none} cannot be told apart from zero, each with its minimum detectable effect (80% power) "
        "in the table.",
        "list_sep": ", ",
        "comparison_survey_cite": "The survey estimates of every county, with their intervals and verdicts, are the "
        "findings tables ({tables}); {figures} draw them side by side, family by family.",
        "data_tables_cite": "{counts} gives the counts for every table of every county.",
        "contrasts_cite": "{tables} give the differences between the focal county and each benchmark, family by "
        "family, with Holm-adjusted p-values.",
        "published_cite": "{tables} set the survey estimates beside the figures published by or about the counties, "
        "each with its source.",
        "data_reasons_cite": "{reasons} counts the quarantined rows by reason.",
        "title_sep": ": ",
        "section_cites": "This section's tables and figures: {refs}.",
        "none_word": "none",
        "verdict_positive": "above zero",
        "verdict_negative": "below zero",
        "verdict_none": "interval spans zero (MDE {mde})",
        "col_threshold": "Threshold",
        "col_verdict_of": "Verdict, {county}",
        "key_findings_caption": "Key findings: {county} and the benchmark counties (estimates with 95% CIs); the "
        "verdict is {county}'s.",
        "questions_intro": "The study asks:",
        "front_intro": "{table} answers them with the key estimates of {county} and the benchmark counties.",
        "front_figure_cite": " {figure} shows the first of them by county.",
        "appendix_counties_intro": "Every headline estimate of every county, with its standard error, interval, "
        "sample size and verdict, and the notes the indicator stage wrote.",
        "detail_cite": "{table}: {county}.",
        "settings_intro": "Every setting behind the results, once, with its path in config.yaml and the value used "
        "(as the indicator stage recorded it beside the results, so a default shows as the value it took). A value "
        "that differs between counties is given per county. Lists of entries (poverty lines, targets, items) are "
        "tables of their own.",
        "settings_caption": "Settings: {group}.",
        "settings_list_caption": "Setting {path}.",
        "definitions_caption": "Definitions of the headline estimates: {family}.",
        "col_counties": "Counties",
        "col_path": "Setting (config path)",
        "all_counties": "all",
        "col_indicator": "Indicator",
        "col_estimate": "Estimate",
        "col_se": "SE",
        "col_ci": "95% CI",
        "col_n": "n",
        "col_verdict": "Verdict",
        "col_county": "County",
        "col_table": "Table",
        "col_rows_in": "Rows in",
        "col_duplicates": "Exact duplicates",
        "col_corrections": "Dropped by corrections",
        "col_quarantined": "Quarantined",
        "col_rows_out": "Rows out",
        "col_reconciles": "Reconciles",
        "col_reason": "Quarantine reason",
        "col_count": "Rows",
        "col_design": "Design",
        "col_value": "Value",
        "col_definition": "Definition",
        "col_variable": "Variable",
        "col_type": "Type",
        "col_unit": "Unit / values",
        "col_description": "Description",
        "col_file": "File",
        "col_sha": "SHA-256",
        "col_package": "Package",
        "col_version": "Version",
        "col_source": "Source",
        "col_year": "Year",
        "col_kind": "Kind of evidence",
        "col_scope": "Scope",
        "col_difference": "Difference (focal − benchmark)",
        "col_p": "p (Holm)",
        "col_ci_adjusted": "95% CI (Holm-consistent)",
        "yes": "yes",
        "no": "no",
        "pass": "passes",
        "fail": "fails",
        "inconclusive": "inconclusive",
        "not_estimated": "not estimated",
        "survey_estimate": "survey estimate (this study)",
        "published_figure": "published figure",
        "headline_caption": "Headline estimates, {county}: {family}.",
        "status_note": "Status of this family for {county}: {status}.",
        "notes_intro": "Notes written by the indicator stage for {county}:",
        "different_lines_mark": "‡ The two counties were judged against different poverty lines (a provincial "
        "line in one of them, see the note in contrasts.csv): the difference mixes the households with the lines.",
        "undefined_intro": "Not estimated for {county}, as undefined in this sample (for instance a rate whose "
        "denominator group is absent):",
        "suppressed_mark": "x: suppressed to protect respondents' confidentiality (an estimate describing fewer "
        "than {min_cell} respondents, or one that would reveal such an estimate; disclosure.min_cell).",
        "unreliable_mark": "* The comparison stage marks this contrast as unreliable (a small group, or an SE of zero "
        "on one side); read with caution.",
        "missing_family": "The {family} results of {county} are not among the report's inputs.",
        "indicative": "indicative: a survey of the survey year, not the exit evaluation's own protocol",
        "verdict_sentence": "{county}, {label}: {verdict} ({indicative}); by criterion: {criteria}.",
        "indicative_short": "indicative",
        "pending": "Not yet available: the {what} has not been produced by the workflow. This part of the "
        "report fills in once its results file exists.",
        "pending_contrasts": "comparison stage (results/comparison/)",
        "pending_published": "published-benchmark table of the comparison stage",
        "design_sentence": "{county}: {strata} townships (strata), {psus} sampled villages (PSUs) of {frame} villages "
        "in the frame; weights: {weights}.",
        "census_sentence": "{county}: a census (全县入户大排查) of every household in {psus} villages of {strata} "
        "townships, each weighted 1; its household estimates carry no sampling error (SE 0, the 95% interval "
        "is the estimate itself), while model-based estimates (programme effects, Cronbach's alpha) keep "
        "their model-based SEs.",
        "weights_sentence": "{county}: {n} household weights from {min} to {max} (coefficient of variation {cv}); "
        "unequal weighting alone inflates variances by Kish's design effect {kish} (an effective sample of {n_eff}); "
        "second-stage groups from {groups}.",
        "calibration_sentence": "{county}: household weights raked to the register's counts on two margins, "
        "{townships} townships' households and {statuses} register statuses over the county ({population} "
        "households; source: {source}); the design-based variances of household shares, means and totals allow for "
        "it; estimates counting persons and the regression estimates (income effects, pooled county comparisons) use "
        "the raked weights with variances that do not.",
        "sample_sentence": "{county}: {used} of {read} households used in the identification family.",
        "reconciles_sentence": "In every table, rows in = rows out + exact duplicates + rows dropped by "
        "corrections + quarantined rows: {verdict}.",
        "all_reconcile": "this holds for all {n} tables of all counties",
        "some_fail": "this fails for {n} table(s): {tables}",
        "figure_missing": "Figure {name} is not among the report's inputs.",
        "comparison_intro": "Two kinds of evidence are kept apart: survey estimates from microdata collected "
        "with the same instruments in every county, and figures published by or about "
        "the counties, each with its source.",
        "comparison_caveats": "Three cautions hold for every comparison below. The benchmark counties were chosen "
        "because their poverty alleviation is held up as a success, so they are selected on the outcome and "
        "differences from them say nothing about counties in general. The counties left the poverty list, where "
        "they were on it, in different years, so the survey year finds them at different distances from exit. "
        "The published figures refer to different years, scopes and poverty lines; they are shown beside the "
        "survey estimates, not compared with them. Only quantities on a common scale are contrasted: rates, "
        "yuan, and indices rebuilt on the pooled households (pooled standardisation and loadings).",
        "contrast_adjustment": "Intervals in these tables are Holm-consistent: each uses the critical value of the "
        "Holm step that decides its contrast among all contrasts of the family, so it excludes zero exactly when "
        "p (Holm) < 0.05; it carries no simultaneous coverage guarantee. Bonferroni simultaneous intervals and "
        "the unadjusted intervals are in results/comparison/contrasts.csv.",
        "comparison_survey": "Survey estimates by county",
        "comparison_contrasts": "Differences focal − benchmark (survey estimates)",
        "province_caption": " ({county} beside the benchmark counties' median, middle half and range, and its rank "
        "among all the counties from the lowest; each county's estimates are in "
        "results/comparison/county_estimates.csv)",
        "col_median": "Benchmarks' median",
        "col_middle_half": "Middle half",
        "col_range": "Range",
        "col_rank": "Rank (1 = lowest)",
        "rank_of": "{rank} of {n}",
        "col_benchmarks": "Benchmarks",
        "col_higher": "Focal higher",
        "col_lower": "Focal lower",
        "col_neither": "No difference shown",
        "col_median_difference": "Median difference",
        "full_contrasts": "A benchmark counts as higher or lower when the contrast's Holm-adjusted p (over all "
        "contrasts of its family) is below 0.05. The full table of the {n} contrasts ({focal} − each benchmark, "
        "with SE, 95% CI, p and Holm-adjusted p) is results/comparison/contrasts.csv.",
        "all_benchmarks": "All benchmarks",
        "benchmark_designs": "The {n} benchmark counties: {samples} surveyed a sample ({strata} townships as "
        "strata, {psus} sampled villages as PSUs), {censuses} enumerated every household (census: no sampling "
        "error in their household estimates). Each county's design is in its results/<county>/clean/summary.json.",
        "province_detail": "This appendix gives {county}'s detail; the {n} benchmark counties' is in their "
        "results/<county>/indicators/ files.",
        "comparison_published": "Survey estimates beside published figures",
        "design_methods": "Household estimates use the two-stage design of the sample: townships are strata, "
        "villages drawn without replacement within them are the first stage (with the township's villages in the "
        "frame as finite-population correction), and households drawn without replacement from the register list "
        "or the other households of each village are the second (with the group's households in the frame as "
        "correction); variances add both stages by Taylor linearisation, as R's survey package computes "
        "svydesign(ids = ~village + household, strata = ~township + group, fpc = ~N_villages + N_group, weights "
        "= ~weight, nest = TRUE). Where a county gives the register's counts (design.calibration), its weights are "
        "raked to them and the variances of household shares, means and totals are those of R's rake(design, "
        "list(~township, ~status), list(township_households, status_households)). Every headline estimate from a "
        "sample carries its design effect (deff: its design-based variance over that of the same estimator under "
        "simple random sampling of as many units; for a regression coefficient or a programme effect, computed from "
        "its influence values, as Stata's estat effects; for a median, that of the share at or below it, on which its "
        "Woodruff interval rests) and the effective sample size n / deff. None is given for the project ledger (a "
        "census, without sampling error), for Cronbach's alpha (its standard error is not design-based) or for an "
        "estimate of 0 or 1 (no variance under simple random sampling); the definitions (Appendix B) and the results "
        "files say why.",
        "codebook_intro": "The codebook {path} (version {version}) defines every instrument and variable; "
        "personal-data variables never leave the ingest step.",
        "provenance_intro": "Inputs of this report and of the study, with their SHA-256 hashes.",
        "config_hash": "Config (merged, canonical JSON) SHA-256: {sha}",
        "git_commit": "Git commit of the code: {commit}",
        "survey_year_line": "Survey year {year}; baseline year {baseline}.",
        "implications_intro": "Each statement below follows from a rule applied to the numbers it cites; when "
        "the numbers change, so does the statement.",
        "perspective_mechanism": "The work mechanism (identification and exit)",
        "perspective_industry": "Industrial blood-making",
        "perspective_motivation": "Endogenous motivation",
        "perspective_formalism": "Formalism",
        "perspective_monitoring": "Monitoring after 2020",
        "perspective_projects": "Project management and use of funds",
    },
    "zh": {
        "gap": "",
        "subtitle": "精准扶贫的县域实施：案例研究",
        "focal": "案例县：{name}",
        "benchmarks": "对照县：{names}",
        "data_year": "数据：{year}年农户与干部调查（基期{baseline}年）",
        "synthetic": "合成数据：{counties}的数据为生成的演示数据，并非真实调查数据；"
        "有关{them}的数字不描述任何真实县域。",
        "synthetic_them_one": "该县",
        "synthetic_them_many": "这些县",
        "synthetic_footer": "{counties}为合成演示数据——非真实调查结果",
        "synthetic_footer_all": "合成演示数据——非真实调查结果",
        "colophon": "由 pa-study {version} 根据提交 {commit} "
        "的结果文件生成。所有数字均读自结果文件，见附录“数据来源”。",
        "contents": "目录",
        "data": "数据与样本",
        "comparison": "与对照县的比较",
        "implications": "政策含义",
        "appendix_counties": "附录A：分县详表",
        "appendix_methods": "附录B：参数与定义",
        "appendix_codebook": "附录C：变量编码手册",
        "appendix_provenance": "附录D：数据来源",
        "findings": "研究发现",
        "findings_intro": "每个研究问题给出一张各县核心估计表（含95%置信区间），每个估计值下注明结论："
        "对照政策阈值为达标、未达标，或置信区间包含阈值时无法判定；效应、差距与相关则看置信区间相对于零的位置。"
        "分县详表（标准误、样本量、说明）见附录A，参数见附录B。",
        "findings_table_cite": "{table}比较各县的{family}。",
        "findings_figures_cite": "另见{figures}。",
        "findings_caption": "{family}：各县估计值（95%置信区间）及结论。",
        "threshold_count": "对照阈值，{county}共{n}项指标中{fail}项未达标（{failing}），{passes}项达标，"
        "{open}项样本不足以判定。",
        "contrast_count": "{county}的{n}项效应、差距与相关中，{positive}项位于零以上，{negative}项位于零以下，"
        "{none}项与零无法区分，其最小可检测效应（80%检验力）见表中。",
        "list_sep": "、",
        "comparison_survey_cite": "各县调查估计及其置信区间与结论见研究发现各表（{tables}）；"
        "{figures}按指标族并列展示。",
        "data_tables_cite": "{counts}列出各县每张表的行数。",
        "contrasts_cite": "{tables}按指标族给出案例县与各对照县之差及Holm校正p值。",
        "published_cite": "{tables}将调查估计与各县公开发布的数据并列，并注明来源。",
        "data_reasons_cite": "{reasons}按原因统计隔离行数。",
        "title_sep": "：",
        "section_cites": "本节图表：{refs}。",
        "none_word": "无",
        "verdict_positive": "高于零",
        "verdict_negative": "低于零",
        "verdict_none": "区间含零（最小可检测效应{mde}）",
        "col_threshold": "阈值",
        "col_verdict_of": "{county}结论",
        "key_findings_caption": "主要发现：{county}与对照县（估计值及95%置信区间）；结论为{county}的。",
        "questions_intro": "本研究回答以下问题：",
        "front_intro": "{table}给出{county}与对照县的核心估计。",
        "front_figure_cite": "{figure}按县展示其中第一项。",
        "appendix_counties_intro": "各县全部核心估计及其标准误、置信区间、样本量与结论，以及指标计算阶段写出的说明。",
        "detail_cite": "{table}：{county}。",
        "settings_intro": "结果背后的全部参数，每项只列一次，注明其在config.yaml中的路径及实际取值"
        "（取自指标计算阶段与结果一同写出的参数，默认值显示为其实际取值）。各县取值不同者分县列出。"
        "成组的条目（贫困线、目标、题项）单独成表。",
        "settings_caption": "参数：{group}。",
        "settings_list_caption": "参数 {path}。",
        "definitions_caption": "核心估计的定义：{family}。",
        "col_counties": "适用县",
        "col_path": "参数（配置路径）",
        "all_counties": "全部",
        "col_indicator": "指标",
        "col_estimate": "估计值",
        "col_se": "标准误",
        "col_ci": "95%置信区间",
        "col_n": "样本量",
        "col_verdict": "结论",
        "col_county": "县",
        "col_table": "表",
        "col_rows_in": "读入行数",
        "col_duplicates": "完全重复",
        "col_corrections": "按更正删除",
        "col_quarantined": "隔离",
        "col_rows_out": "输出行数",
        "col_reconciles": "核对一致",
        "col_reason": "隔离原因",
        "col_count": "行数",
        "col_design": "抽样设计",
        "col_value": "取值",
        "col_definition": "定义",
        "col_variable": "变量",
        "col_type": "类型",
        "col_unit": "单位/取值",
        "col_description": "说明",
        "col_file": "文件",
        "col_sha": "SHA-256",
        "col_package": "软件包",
        "col_version": "版本",
        "col_source": "来源",
        "col_year": "年份",
        "col_kind": "证据类型",
        "col_scope": "范围",
        "col_difference": "差异（案例县−对照县）",
        "col_p": "p值（Holm）",
        "col_ci_adjusted": "95%置信区间（与Holm一致）",
        "yes": "是",
        "no": "否",
        "pass": "达标",
        "fail": "未达标",
        "inconclusive": "无法判定",
        "not_estimated": "未估计",
        "survey_estimate": "调查估计（本研究）",
        "published_figure": "公开数据",
        "headline_caption": "{county}核心估计：{family}。",
        "status_note": "{county}该指标族状态：{status}。",
        "notes_intro": "指标计算阶段对{county}的说明：",
        "different_lines_mark": "‡ 两县采用的贫困线不同（其中一县采用省定标准，见contrasts.csv的注释）："
        "差异同时反映农户与标准的不同。",
        "undefined_intro": "{county}以下指标在本样本中无定义（例如分母所在组为空），未作估计：",
        "suppressed_mark": "x：为保护受访者隐私不予公布（所涉受访者少于{min_cell}人，或可据以推算此类估计值；"
        "disclosure.min_cell）。",
        "unreliable_mark": "* 比较阶段将该差异标为不可靠（组样本过小或一方标准误为零），解读需谨慎。",
        "missing_family": "报告输入中没有{county}的{family}结果。",
        "indicative": "指示性：基于调查年度的抽样调查，并非退出评估本身的程序",
        "verdict_sentence": "{county}，{label}：{verdict}（{indicative}）；各项指标：{criteria}。",
        "indicative_short": "指示性",
        "pending": "暂缺：工作流尚未生成{what}。其结果文件生成后，本部分自动填充。",
        "pending_contrasts": "比较阶段结果（results/comparison/）",
        "pending_published": "比较阶段的公开数据表",
        "design_sentence": "{county}：{strata}个乡镇（分层），抽样框{frame}"
        "个村中抽取{psus}个村（初级抽样单位）；权数：{weights}。",
        "census_sentence": "{county}：全县入户大排查，{strata}个乡镇{psus}个村的全部农户，权数均为1；"
        "农户指标没有抽样误差（标准误为0，95%区间即估计值本身），基于模型的估计（项目效应、Cronbach α）"
        "保留基于模型的标准误。",
        "weights_sentence": "{county}：{n}户的权数介于{min}与{max}之间（变异系数{cv}）；"
        "仅权数不等即使方差放大Kish设计效应{kish}倍（有效样本量约{n_eff}）；第二阶段抽样组别取自{groups}。",
        "calibration_sentence": "{county}：农户权数按两个边际（{townships}个乡镇的户数、"
        "全县{statuses}类建档立卡状态的户数）迭代比例校准（raking）至建档立卡系统的户数"
        "（共{population}户；来源：{source}）；按户计的比例、均值和总量的设计方差计及校准，按人口计的估计和"
        "回归估计（收入效应、跨县合并比较）使用校准后的权数，其方差不计校准。",
        "sample_sentence": "{county}：精准识别指标使用{read}户中的{used}户。",
        "reconciles_sentence": "每张表均满足：读入行数 = 输出行数 + 完全重复 + 按更正删除 + 隔离行数：{verdict}。",
        "all_reconcile": "全部{n}张表均成立",
        "some_fail": "{n}张表不成立：{tables}",
        "figure_missing": "报告输入中没有图{name}。",
        "comparison_intro": "两类证据分开呈现：各县用同一问卷收集的微观数据所"
        "得调查估计，以及各县公开发布的数据（注明来源）。",
        "comparison_caveats": "以下所有比较须注意三点。对照县因其扶贫被视为成功而入选，是按结果选择的样本，"
        "与它们的差异不能推及一般县。各县（如曾为贫困县）摘帽年份不同，调查年度距其退出的时间不同。"
        "公开数据的年份、口径和贫困线各不相同，只与调查估计并列展示，不作比较。只有在共同尺度上的量才作对比："
        "比率、元，以及在合并样本上重建（合并标准化与合并载荷）的指数。",
        "contrast_adjustment": "表中区间为与Holm一致的区间：每个区间使用在本族全部对比中决定该对比的Holm步骤的临界值，"
        "因此当且仅当Holm调整p值<0.05时不含零；它不保证联合覆盖率。Bonferroni联合区间和未调整区间见"
        "results/comparison/contrasts.csv。",
        "comparison_survey": "各县调查估计",
        "comparison_contrasts": "案例县与对照县之差（调查估计）",
        "province_caption": "（{county}与对照县估计的中位数、中间一半和范围并列，并给出其在全部县中由低到高的位次；"
        "各县估计见 results/comparison/county_estimates.csv）",
        "col_median": "对照县中位数",
        "col_middle_half": "中间一半",
        "col_range": "范围",
        "col_rank": "位次（1为最低）",
        "rank_of": "{n}个县中第{rank}",
        "col_benchmarks": "对照县数",
        "col_higher": "案例县较高",
        "col_lower": "案例县较低",
        "col_neither": "未显示差异",
        "col_median_difference": "差值中位数",
        "full_contrasts": "对比的Holm校正p值（在同一指标族的全部对比中校正）低于0.05时计为较高或较低。全部{n}项对比"
        "（{focal}减各对照县，含标准误、95%置信区间、p值和Holm校正p值）见 results/comparison/contrasts.csv。",
        "all_benchmarks": "全部对照县",
        "benchmark_designs": "{n}个对照县：{samples}个为抽样调查（{strata}个乡镇为层，{psus}个样本村为初级抽样单位），"
        "{censuses}个为全县入户大排查（普查，农户指标无抽样误差）。各县设计见 results/<县>/clean/summary.json。",
        "province_detail": "本附录列出{county}的详细结果；{n}个对照县的详细结果见 results/<县>/indicators/ 下的文件。",
        "comparison_published": "调查估计与公开数据对照",
        "design_methods": "农户指标按样本的两阶段设计估计：乡镇为层；第一阶段在乡镇内不放回抽取行政村"
        "（有限总体校正为抽样框中该乡镇的村数），第二阶段在每个样本村的建档立卡户名单与一般户中分别不放回抽取农户"
        "（有限总体校正为抽样框中该组的户数）；方差以泰勒线性化合计两个阶段，与R语言survey包 "
        "svydesign(ids = ~village + household, strata = ~township + group, fpc = ~N_villages + N_group, "
        "weights = ~weight, nest = TRUE) 的结果一致。提供建档立卡户数（design.calibration）的县，其权数按这些户数"
        "迭代比例校准，按户计的比例、均值和总量的方差与 rake(design, list(~township, ~status), "
        "list(township_households, status_households)) 一致。每项基于抽样的核心估计同时给出设计效应（deff：设计方差与"
        "同一估计量在同等样本量简单随机抽样下方差之比；回归系数与项目效应按其影响函数计算，同Stata的estat effects；"
        "中位数取其Woodruff区间所依据的“不高于中位数者比例”的设计效应）与有效样本量 n / deff。项目台账（普查，无抽样"
        "误差）、克朗巴赫α系数（其标准误并非基于设计）以及取值为0或1的估计（简单随机抽样方差为零）不给出设计效应，"
        "原因见附录B的定义及结果文件。",
        "codebook_intro": "变量编码手册 {path}（版本 {version}）定义了每个问卷与变量；个人信息变量在读入阶段即被删除。",
        "provenance_intro": "本报告及研究的输入文件及其SHA-256哈希值。",
        "config_hash": "配置（合并后规范JSON）SHA-256：{sha}",
        "git_commit": "代码Git提交：{commit}",
        "survey_year_line": "调查年度{year}年；基期{baseline}年。",
        "implications_intro": "以下每条结论均由规则根据其引用的数字生成；数字变化，结论随之变化。",
        "perspective_mechanism": "工作机制（识别与退出）",
        "perspective_industry": "产业造血",
        "perspective_motivation": "内生动力",
        "perspective_formalism": "形式主义",
        "perspective_monitoring": "2020年后的监测",
        "perspective_projects": "项目管理与资金使用",
    },
}


def words(language: str) -> dict[str, str]:
    """The report's words in ``language``."""
    return WORDS[language]

"""Building the PDF report: the sections in order, rendered and written.

:func:`build_report` assembles the sections (:mod:`.sections`, one per registered indicator
family, :mod:`.implications`), renders them with the template in ``templates/report.typ``
(:mod:`.render`) and writes a PDF that is byte-identical on every rebuild from the same inputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import pa_study.report.blocks as b
from pa_study.codebook import load_codebook
from pa_study.errors import InputError
from pa_study.files import read_json, write_bytes
from pa_study.report.findings import county_appendix, findings_section, front_page
from pa_study.report.implications import implications_section
from pa_study.report.multiverse import multiverse_section
from pa_study.report.planning import planning_appendix
from pa_study.report.provenance import input_hashes, package_versions
from pa_study.report.render import compile_pdf, font_setup
from pa_study.report.sections import (
    ReportContext,
    codebook_appendix,
    comparison_section,
    data_section,
    title_facts,
)
from pa_study.report.settings import ReportSettings
from pa_study.report.settings_appendix import settings_appendix
from pa_study.report.text import LANGUAGES, words
from pa_study.results import StudyResults, has_cjk, strip_cjk


@dataclass
class ReportInputs:
    """Everything the report reads, all of it results files or config parts.

    Attributes
    ----------
    study : dict
        The config parts the report needs: ``study``, ``focal``, ``benchmarks`` and per county its
        ``name``, ``name_zh`` and ``synthetic`` flag (under ``counties``).
    settings : ReportSettings
        The config's ``report`` section (fonts).
    results : StudyResults
        The indicator families of the study's counties.
    summaries : dict
        County -> path of its clean ``summary.json``.
    figures : dict
        Figure name -> SVG path.
    codebook : str
        Path of the codebook YAML.
    comparison, published : str, optional
        The comparison stage's headline contrasts (``contrasts.json``) and its line-up of survey
        estimates beside published figures (``published_lineup.csv``); without them the
        comparison section says they are pending.
    multiverse : dict
        Family -> the focal county's multiverse verdict table (``<family>_verdicts.csv``); empty
        when no multiverse was run. Its specification curves are among ``figures``
        (:func:`~pa_study.report.multiverse.curve_figure_name`).
    plan : str, optional
        The focal county's plan for its next survey (``plan.json``); without it the planning
        appendix says it is missing.
    provenance_files : list of str
        Files (or folders) whose hashes the provenance appendix lists.
    config_sha256 : str
        Hash of the merged config.
    git_commit : str
        Commit of the code that made the results.
    """

    study: dict[str, Any]
    settings: ReportSettings
    results: StudyResults
    summaries: dict[str, str]
    figures: dict[str, str]
    codebook: str
    comparison: str | None = None
    published: str | None = None
    plan: str | None = None
    multiverse: dict[str, str] = field(default_factory=dict)
    provenance_files: list[str] = field(default_factory=list)
    config_sha256: str = ""
    git_commit: str = "unknown"


def build_report(inputs: ReportInputs, output: str | Path, language: str = "en") -> int:
    """Build the PDF report in ``language`` (``en`` or ``zh``) and write it to ``output``; return
    its page count.

    Raises
    ------
    InputError
        For an unknown language, a Chinese report without a CJK font, or a Typst error.
    """
    if language not in LANGUAGES:
        raise InputError(f"the report language is '{language}'; expected one of {', '.join(LANGUAGES)}", path="config")
    fonts, font_files = font_setup(inputs.settings, language)
    document = report_document(inputs, language, fonts)
    if not font_files:
        # No CJK font: Chinese names and glosses are dropped rather than printed as empty boxes.
        document = _without_cjk(document)
    pdf = compile_pdf(document, inputs.figures, font_files)
    # The PDF's text streams are compressed; the document it is typeset from is screened instead.
    write_bytes(pdf, output, text=json.dumps(document, ensure_ascii=False, sort_keys=True))
    return page_count(pdf)


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF Typst wrote (its ``/Type /Page`` objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def county_names(study: dict[str, Any], language: str) -> dict[str, str]:
    """County key -> the name printed in ``language`` (``name_zh`` in Chinese where given), focal
    county first, from the report's ``study`` config part."""
    counties = study["counties"]
    key = "name_zh" if language == "zh" else "name"
    return {c: counties[c].get(key, counties[c]["name"]) for c in [study["focal"], *study["benchmarks"]]}


def report_document(inputs: ReportInputs, language: str, fonts: list[str]) -> dict[str, Any]:
    """The report as the template reads it: ``meta`` (title page, footer, fonts) and ``blocks``."""
    w = words(language)
    study = inputs.study
    ctx = ReportContext(
        results=inputs.results,
        words=w,
        language=language,
        study=study.get("study", {}),
        summaries={c: read_json(p) for c, p in inputs.summaries.items()},
        figures={name: f"figures/{name}{Path(path).suffix}" for name, path in inputs.figures.items()},
        comparison=read_json(inputs.comparison) if inputs.comparison else None,
        published=pd.read_csv(inputs.published, encoding="utf-8-sig") if inputs.published else None,
    )
    version = dict(package_versions()).get("pa-study", "")
    title = study_title(study, ctx.name(ctx.focal), language) or w["subtitle"]
    synthetic = synthetic_counties(study, ctx)
    notice = footer = None
    if synthetic:
        names = w["list_sep"].join(synthetic)
        them = w["synthetic_them_one" if len(synthetic) == 1 else "synthetic_them_many"]
        notice = w["synthetic"].format(counties=names, them=them)
        every = len(synthetic) == len(ctx.results.counties)
        footer = f"{title} · {w['synthetic_footer_all'] if every else w['synthetic_footer'].format(counties=names)}"
    meta = {
        "title": title,
        "subtitle": w["subtitle"],
        "author": "pa-study",
        "lang": language,
        "fonts": fonts,
        "title_lines": title_facts(ctx, study.get("benchmarks", [])),
        "synthetic_notice": notice,
        "footer": footer or title,
        "colophon": w["colophon"].format(version=version, commit=inputs.git_commit),
        "contents_title": w["contents"],
    }
    blocks: list[b.Block] = [
        *findings_section(ctx),
        *data_section(ctx),
        *comparison_section(ctx),
        *multiverse_section(ctx, {f: pd.read_csv(path, encoding="utf-8-sig") for f, path in inputs.multiverse.items()}),
        *implications_section(ctx),
        *county_appendix(ctx),
        *settings_appendix(ctx),
        *codebook_appendix(ctx, load_codebook(inputs.codebook)),
        *provenance_appendix(ctx, inputs),
        *planning_appendix(ctx, read_json(inputs.plan) if inputs.plan else None),
    ]
    front = front_page(ctx)
    label_all(front + blocks)
    return {"meta": meta, "front": front, "blocks": cited_sections(blocks, w)}


def study_title(study: dict[str, Any], focal_name: str, language: str) -> str:
    """The study's title in ``language`` (``study.title`` or ``study.title_zh``) with ``{focal}``
    replaced by the focal county's name, so that swapping counties changes the title."""
    title = str(study.get("study", {}).get("title_zh" if language == "zh" else "title") or "")
    return title.replace("{focal}", focal_name)


def synthetic_counties(study: dict[str, Any], ctx: ReportContext) -> list[str]:
    """The names of the study's counties whose data are synthetic (``synthetic: true``), in study order."""
    return [ctx.name(c) for c in ctx.results.counties if study["counties"][c]["synthetic"]]


def label_all(blocks: list[b.Block]) -> None:
    """Give every table and figure without one a label (``tab:n``, ``fig:n``), in place."""
    numbers = {"table": 0, "figure": 0}
    for block in blocks:
        if block["kind"] in numbers and block.get("label") is None:
            numbers[block["kind"]] += 1
            block["label"] = f"{'tab' if block['kind'] == 'table' else 'fig'}:{numbers[block['kind']]}"


def cited_sections(blocks: list[b.Block], words_: dict[str, str]) -> list[b.Block]:
    """``blocks`` with a sentence after each top-level heading citing the tables and figures of that
    section that its text does not cite, so that every table and figure is cited in the text."""
    sections: list[list[b.Block]] = []
    for block in blocks:
        if block["kind"] == "heading" and block["level"] == 1 or not sections:
            sections.append([])
        sections[-1].append(block)
    out: list[b.Block] = []
    for section in sections:
        refs = {value for block in section if block["kind"] == "par" for kind, value in block["parts"] if kind == "ref"}
        uncited = [
            block["label"] for block in section if block["kind"] in ("table", "figure") and block["label"] not in refs
        ]
        if uncited:
            sentence = b.par(
                words_["section_cites"].format(refs=words_["list_sep"].join(b.ref(label) for label in uncited))
            )
            section.insert(1, sentence)
        out.extend(section)
    return out


def provenance_appendix(ctx: ReportContext, inputs: ReportInputs) -> list[b.Block]:
    """Hashes of the inputs and the config, package versions and the git commit."""
    w = ctx.words
    hashes = input_hashes(
        [
            *inputs.provenance_files,
            inputs.codebook,
            *inputs.summaries.values(),
            *(f.path for f in inputs.results.families.values()),
            *(f.path.with_suffix("") for f in inputs.results.families.values()),
            *inputs.figures.values(),
            *(p for p in (inputs.comparison, inputs.published) if p),
        ]
    )
    return [
        b.heading(w["appendix_provenance"]),
        b.par(w["survey_year_line"].format(year=ctx.study.get("survey_year"), baseline=ctx.study.get("baseline_year"))),
        b.par(w["git_commit"].format(commit=inputs.git_commit)),
        b.par(w["config_hash"].format(sha=inputs.config_sha256)),
        b.table(
            [w["col_package"], w["col_version"]],
            [list(v) for v in package_versions()],
            w["col_package"],
            align=["left", "left"],
        ),
        b.par(w["provenance_intro"]),
        b.table(
            [w["col_file"], w["col_sha"]],
            [[path, sha] for path, sha in hashes],
            w["appendix_provenance"],
            align=["left", "left"],
            mono=[1],
        ),
    ]


def _without_cjk(value: Any) -> Any:
    """``value`` with Chinese characters removed from every string (see :func:`strip_cjk`)."""
    if isinstance(value, str):
        return strip_cjk(value) if has_cjk(value) else value
    if isinstance(value, list):
        return [_without_cjk(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_cjk(v) for k, v in value.items()}
    return value

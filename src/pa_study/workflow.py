"""The workflow's plumbing: where each stage's files are, and the command-line arguments naming them.

Each stage has one function naming its files (``<stage>_outputs``, and ``<stage>_inputs`` for what
its job reads), and a rule that passes files on the command line gets them from
``<stage>_arguments``, built from the same paths, so that a path is spelled once and a job's
declared inputs and its command cannot disagree. The rules in ``rules/*.smk`` call these functions
with the validated config; they take plain values, so they are tested without Snakemake. Called
with ``"{county}"`` (or ``"{family}"``, ``"{instrument}"``), a path function returns the rule's
wildcard pattern. Which families, figures and comparison parts there are comes from their
registries (:data:`pa_study.indicators.FAMILIES`, :data:`pa_study.figures.FIGURES`,
:data:`pa_study.compare.PARTS`); nothing here lists them.

Only light modules are imported here: Snakemake reads this module whenever it builds the jobs.
"""

from __future__ import annotations

import hashlib
import math
import shlex
import subprocess
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pa_study.compare import PARTS
from pa_study.config import INSTRUMENTS, canonical_json, instruments_of
from pa_study.figures import FIGURES
from pa_study.indicators import FAMILIES
from pa_study.multiverse import (
    Specification,
    family_specifications,
    multiverse_counties,
    multiverse_families,
    multiverse_settings,
)
from pa_study.plan.settings import contrasted_counties

Config = Mapping[str, Any]

RESULTS = "results"
REPORT_PDF = "reports/pa-study-report.pdf"
COMPARISON_DIR = f"{RESULTS}/comparison"
#: The languages a report and its figures can be written in; English files keep the plain names.
LANGUAGES = ("en", "zh")


def study_counties(config: Config) -> list[str]:
    """Return the focal county then the benchmarks: the counties every stage runs for, in the order
    of every figure and table."""
    return [config["focal"], *config["benchmarks"]]


def _arguments(flag: str, values: Iterable[str]) -> str:
    """``flag value`` for each value, shell-quoted, as one string for a rule's command."""
    return " ".join(f"{flag} {shlex.quote(value)}" for value in values)


# --- ingest -------------------------------------------------------------------------------------


def raw_file(config: Config, county: str, instrument: str) -> str:
    """Return the raw file of one county's instrument, as the config names it."""
    return config["counties"][county]["files"][instrument]["path"]


def ingest_outputs(county: str, instrument: str) -> dict[str, str]:
    """Return the files the ingest of one instrument writes: ``table`` (de-identified text,
    Parquet) and ``report`` (how the file was read, JSON)."""
    folder = f"{RESULTS}/{county}/ingest"
    return {"table": f"{folder}/{instrument}.parquet", "report": f"{folder}/{instrument}_report.json"}


def corrections_output(county: str) -> str:
    """Return the pseudonymised duplicates corrections of a county (Parquet)."""
    return f"{RESULTS}/{county}/ingest/corrections.parquet"


# --- clean --------------------------------------------------------------------------------------


def clean_dir(county: str) -> str:
    """Return the folder of a county's cleaned tables (the clean stage's ``--outdir``)."""
    return f"{RESULTS}/{county}/clean"


def clean_outputs(county: str) -> dict[str, Any]:
    """Return the files the clean stage writes for one county.

    Returns
    -------
    dict
        One cleaned table per instrument (keyed by instrument; an empty table for one not
        collected), ``quarantine`` (list, one per instrument), ``log_table``, ``duplicates`` and
        ``summary``.
    """
    folder = clean_dir(county)
    return {
        **{instrument: f"{folder}/{instrument}.parquet" for instrument in INSTRUMENTS},
        "quarantine": [f"{folder}/quarantine_{instrument}.csv" for instrument in INSTRUMENTS],
        "log_table": f"{folder}/cleaning_log.csv",
        "duplicates": f"{folder}/duplicates_report.csv",
        "summary": f"{folder}/summary.json",
    }


def _has_corrections(config: Config, county: str) -> bool:
    return bool(config["counties"][county].get("corrections"))


def clean_inputs(config: Config, county: str) -> dict[str, Any]:
    """Return what a county's clean job reads: the ``codebook``, the ingested ``tables`` and their
    ``reports`` (lists, one per instrument the county supplies) and its ``corrections`` if it has any."""
    instruments = instruments_of(config["counties"][county])
    inputs: dict[str, Any] = {
        "codebook": config["codebook"],
        "tables": [ingest_outputs(county, i)["table"] for i in instruments],
        "reports": [ingest_outputs(county, i)["report"] for i in instruments],
    }
    if _has_corrections(config, county):
        inputs["corrections"] = corrections_output(county)
    return inputs


def clean_arguments(config: Config, county: str) -> str:
    """Return the ``--table``/``--report``/``--corrections`` arguments of ``pa-study clean``."""
    parts = []
    for instrument in instruments_of(config["counties"][county]):
        files = ingest_outputs(county, instrument)
        parts += [_arguments("--table", [f"{instrument}={files['table']}"])]
        parts += [_arguments("--report", [f"{instrument}={files['report']}"])]
    if _has_corrections(config, county):
        parts.append(_arguments("--corrections", [corrections_output(county)]))
    return " ".join(parts)


# --- indicators ---------------------------------------------------------------------------------


def indicator_outputs(county: str, family: str) -> dict[str, str]:
    """Return the files one family's job writes for one county: ``json`` (the family's results) and
    ``tables`` (the folder of its tidy tables beside it)."""
    folder = f"{RESULTS}/{county}/indicators"
    return {"json": f"{folder}/{family}.json", "tables": f"{folder}/{family}"}


def indicator_inputs(config: Config, county: str, family: str) -> dict[str, str]:
    """Return what one family's job reads: the ``codebook``, the county's clean ``summary`` and the
    cleaned table of each instrument the family reads (keyed by instrument)."""
    cleaned = clean_outputs(county)
    return {
        "codebook": config["codebook"],
        "summary": cleaned["summary"],
        **{instrument: cleaned[instrument] for instrument in FAMILIES[family].instruments},
    }


def indicator_files(config: Config, families: Iterable[str] | None = None) -> list[str]:
    """Return the JSON of each of ``families`` (every registered family by default) for every studied
    county, county by county."""
    families = tuple(FAMILIES if families is None else families)
    return [indicator_outputs(c, f)["json"] for c in study_counties(config) for f in families]


def indicator_folders(config: Config, families: Iterable[str] | None = None) -> list[str]:
    """Return the tables folders of :func:`indicator_files`: the figures and the report read tables
    through the JSON, so the folders are declared beside it."""
    families = tuple(FAMILIES if families is None else families)
    return [indicator_outputs(c, f)["tables"] for c in study_counties(config) for f in families]


def indicator_arguments(config: Config, families: Iterable[str] | None = None) -> str:
    """Return the ``--indicators county:family=path`` arguments for the files of :func:`indicator_files`."""
    families = tuple(FAMILIES if families is None else families)
    items = [f"{c}:{f}={indicator_outputs(c, f)['json']}" for c in study_counties(config) for f in families]
    return _arguments("--indicators", items)


# --- planning the next survey ---------------------------------------------------------------------


def plan_families() -> list[str]:
    """Return the families whose indicator files a plan reads: every registered one (the criteria's
    thresholds, the effects and the contrasts may come from any)."""
    return list(FAMILIES)


def plan_output(county: str) -> str:
    """Return the plan of a county's next survey (``pa-study plan --output``)."""
    return f"{RESULTS}/{county}/plan.json"


def plan_counties(config: Config) -> list[str]:
    """Return the counties planned by default: the focal county (any studied county on request,
    ``snakemake results/<county>/plan.json``)."""
    return study_counties(config)[:1]


def plan_contrasted(config: Config, county: str) -> list[str]:
    """Return ``county`` and the counties its plan contrasts it with (:class:`pa_study.plan.PlanSettings`):
    every benchmark for the focal county, the focal county for a benchmark."""
    return [county, *contrasted_counties(config, county)]


def plan_inputs(config: Config, county: str) -> dict[str, Any]:
    """Return what a county's plan job reads: the ``codebook``, its cleaned ``households`` (and the
    other tables of the families), and the ``indicators`` of it and the counties it is contrasted with."""
    cleaned = clean_outputs(county)
    instruments = dict.fromkeys(i for f in plan_families() for i in FAMILIES[f].instruments)
    return {
        "codebook": config["codebook"],
        "summary": cleaned["summary"],
        **{instrument: cleaned[instrument] for instrument in instruments},
        "indicators": [
            indicator_outputs(c, f)["json"] for c in plan_contrasted(config, county) for f in plan_families()
        ],
    }


def plan_arguments(config: Config, county: str) -> str:
    """Return the ``--indicators county:family=path`` arguments of ``pa-study plan --output``."""
    items = [
        f"{c}:{f}={indicator_outputs(c, f)['json']}" for c in plan_contrasted(config, county) for f in plan_families()
    ]
    return _arguments("--indicators", items)


# --- specification multiverse --------------------------------------------------------------------


def multiverse_folder(county: str) -> str:
    """Return the folder of a county's multiverse."""
    return f"{RESULTS}/{county}/multiverse"


def multiverse_specification_output(county: str, family: str, key: str) -> str:
    """Return the JSON one specification's job writes."""
    return f"{multiverse_folder(county)}/{family}/{key}.json"


def multiverse_outputs(county: str, family: str) -> dict[str, str]:
    """Return the files the multiverse of one family and county ends in: the ``table`` of every
    specification's headline rows, the ``verdicts`` (the share of specifications in which each
    verdict holds) and the folder of ``curves`` (``<headline>.svg``, ``zh/<headline>.svg``)."""
    folder = multiverse_folder(county)
    return {
        "table": f"{folder}/{family}.csv",
        "verdicts": f"{folder}/{family}_verdicts.csv",
        "curves": f"{folder}/{family}_curves",
    }


def multiverse_specifications(config: Config, county: str, family: str) -> list[Specification]:
    """Return the specifications of ``family`` for ``county`` (the baseline first)."""
    return family_specifications(config, family, county)


def multiverse_specification(config: Config, county: str, family: str, key: str) -> dict[str, Any]:
    """Return the ``settings`` and ``choices`` of the specification ``key`` (a job's parameters)."""
    for spec in multiverse_specifications(config, county, family):
        if spec.key == key:
            return {"settings": spec.settings.to_dict(), "choices": spec.choices}
    raise KeyError(f"no specification {key} of {family} for {county} in the config's multiverse")


def multiverse_specification_inputs(config: Config, county: str, family: str) -> dict[str, str]:
    """Return what one specification's job reads: the inputs of the family's indicator job."""
    return indicator_inputs(config, county, family)


def multiverse_family_inputs(config: Config, county: str, family: str) -> dict[str, Any]:
    """Return what a family's multiverse table reads: the ``baseline`` (the family's indicator file)
    and the JSON of each other specification."""
    return {
        "baseline": indicator_outputs(county, family)["json"],
        "specifications": [
            multiverse_specification_output(county, family, spec.key)
            for spec in multiverse_specifications(config, county, family)
            if not spec.baseline
        ],
    }


def multiverse_grid(config: Config, county: str, family: str) -> dict[str, Any]:
    """Return the part of the multiverse a family's table job depends on: its ``headlines`` and
    each specification's ``choices`` (key -> choices), the baseline first."""
    specs = multiverse_specifications(config, county, family)
    headlines = multiverse_settings(config).families[family].headlines
    return {"headlines": list(headlines), "choices": {spec.key: spec.choices for spec in specs}}


def multiverse_table_arguments(config: Config, county: str, family: str) -> str:
    """Return the ``--baseline``/``--specification``/``--language`` arguments of ``pa-study multiverse-table``."""
    inputs = multiverse_family_inputs(config, county, family)
    return " ".join(
        [
            _arguments("--baseline", [inputs["baseline"]]),
            _arguments("--specification", inputs["specifications"]),
            _arguments("--language", report_languages(config)),
        ]
    )


def report_multiverse_verdicts(config: Config) -> dict[str, str]:
    """Return family -> the focal county's multiverse verdict table, when its multiverse is run."""
    focal = study_counties(config)[0]
    if focal not in multiverse_counties(config):
        return {}
    return {family: multiverse_outputs(focal, family)["verdicts"] for family in multiverse_families(config)}


def report_multiverse_curves(config: Config, language: str) -> dict[str, str]:
    """Return the report's figure name -> SVG of each specification curve of the focal county in ``language``."""
    focal = study_counties(config)[0]
    curves = {}
    for family in report_multiverse_verdicts(config):
        folder = multiverse_outputs(focal, family)["curves"]
        for headline in multiverse_settings(config).families[family].headlines:
            path = f"{folder}/{headline}.svg" if language == "en" else f"{folder}/{language}/{headline}.svg"
            curves[f"multiverse_{family}_{headline}"] = path
    return curves


def report_multiverse(config: Config) -> list[str]:
    """Return the multiverse files the report reads: the focal county's verdict tables and the
    folders of their curves."""
    focal = study_counties(config)[0]
    return [
        path
        for family in report_multiverse_verdicts(config)
        for key, path in multiverse_outputs(focal, family).items()
        if key != "table"
    ]


def multiverse_targets(config: Config) -> list[str]:
    """Return the multiverse's outputs for the counties and families the config lists."""
    return [
        path
        for county in multiverse_counties(config)
        for family in multiverse_families(config)
        for path in multiverse_outputs(county, family).values()
    ]


# --- figures ------------------------------------------------------------------------------------


def report_languages(config: Config) -> list[str]:
    """Return the languages the report and the figures are made in (``report.languages``)."""
    return list(config["report"]["languages"])


def figure_output(name: str, language: str = "en") -> str:
    """Return the SVG file of one figure in ``language`` (English in ``results/figures/``, the others
    in a folder per language)."""
    folder = f"{RESULTS}/figures" if language == "en" else f"{RESULTS}/figures/{language}"
    return f"{folder}/{name}.svg"


def figure_outputs(config: Config, name: str) -> dict[str, str]:
    """Return language -> SVG file of one figure, for each of the study's languages (one job draws
    them all: the results are read once)."""
    return {language: figure_output(name, language) for language in report_languages(config)}


def figure_inputs(config: Config, name: str) -> dict[str, Any]:
    """Return what one figure's job reads: the ``codebook`` (labels of category codes), the
    ``indicators`` JSON of the families it draws for every studied county, and their ``tables`` folders."""
    families = FIGURES[name].families
    return {
        "codebook": config["codebook"],
        "indicators": indicator_files(config, families),
        "tables": indicator_folders(config, families),
    }


def figure_arguments(config: Config, name: str) -> str:
    """Return the ``--function``, ``--argument key=value``, ``--indicators`` and ``--output language=path``
    arguments of ``pa-study figure <name>`` (the job is given its spec's function, so that it imports
    the plotting code and not the families' statistics)."""
    spec = FIGURES[name]
    outputs = [f"{language}={path}" for language, path in figure_outputs(config, name).items()]
    drawing = f"--function {spec.function} {_arguments('--argument', [f'{k}={v}' for k, v in spec.arguments.items()])}"
    return f"{drawing} {indicator_arguments(config, spec.families)} {_arguments('--output', outputs)}"


def county_names(config: Config, language: str = "en") -> dict[str, str]:
    """Return county key -> display name in ``language`` (``name_zh`` in Chinese where the config
    gives one), focal county first (the order of every figure)."""
    counties = config["counties"]
    key = "name_zh" if language == "zh" else "name"
    return {county: counties[county].get(key, counties[county]["name"]) for county in study_counties(config)}


def figure_names(config: Config) -> dict[str, list[list[str]]]:
    """Return language -> ``[county, name]`` pairs of :func:`county_names`, focal county first, for
    each of the study's languages (a figure job's ``--names``: pairs, because the job's parameters are
    key-sorted JSON and the figures draw the counties in this order)."""
    return {
        language: [list(pair) for pair in county_names(config, language).items()]
        for language in report_languages(config)
    }


# --- comparison ---------------------------------------------------------------------------------


def comparison_outputs(part: str) -> dict[str, Any]:
    """Return the files one comparison part writes: ``json`` and ``tables`` (a list)."""
    first, *tables = PARTS[part].files
    return {"json": f"{COMPARISON_DIR}/{first}", "tables": [f"{COMPARISON_DIR}/{name}" for name in tables]}


def comparison_table(part: str, table: str) -> str:
    """Return the file of one table of a comparison part (a :class:`KeyError` if the part has no such table)."""
    if table not in PARTS[part].tables:
        raise KeyError(f"comparison part '{part}' writes no table '{table}'")
    return f"{COMPARISON_DIR}/{table}.csv"


def comparison_inputs(config: Config, part: str) -> dict[str, Any]:
    """Return what one comparison part reads.

    Every part reads the ``indicators`` JSON of every family of the studied counties; ``pooled``
    also the ``codebook`` and the ``clean`` summary, households and cadres of each county;
    ``published`` the published-benchmark ``table`` and its ``vocabulary``.
    """
    inputs: dict[str, Any] = {"indicators": indicator_files(config)}
    if part == "pooled":
        inputs["codebook"] = config["codebook"]
        cleaned = [clean_outputs(county) for county in study_counties(config)]
        inputs["clean"] = [files[name] for files in cleaned for name in ("summary", "households", "cadres")]
    if part == "published":
        inputs.update(config["comparison"]["published"])
    return inputs


def comparison_arguments(config: Config, part: str) -> str:
    """Return the ``--indicators`` (and for ``pooled`` the ``--clean-dir county=folder``) arguments
    of ``pa-study compare <part>``."""
    arguments = indicator_arguments(config)
    if part == "pooled":
        folders = [f"{county}={clean_dir(county)}" for county in study_counties(config)]
        arguments += " " + _arguments("--clean-dir", folders)
    return arguments


# --- report -------------------------------------------------------------------------------------


def study_input_files(config: Config) -> list[str]:
    """Return the study's raw data and corrections files (hashed in the report's provenance)."""
    files = []
    for county in study_counties(config):
        block = config["counties"][county]
        files.extend(spec["path"] for spec in block["files"].values())
        if block.get("corrections"):
            files.append(block["corrections"])
    return files


def report_pdf(language: str) -> str:
    """Return the PDF report in ``language``: ``reports/pa-study-report.pdf`` in English,
    ``reports/pa-study-report.<language>.pdf`` in the others."""
    return REPORT_PDF if language == "en" else REPORT_PDF.replace(".pdf", f".{language}.pdf")


def report_suffix(language: str) -> str:
    """Return the part of :func:`report_pdf` that names the language (the report rule's wildcard)."""
    return "" if language == "en" else f".{language}"


def report_language(suffix: str) -> str:
    """Return the language whose report file ends in ``suffix`` (the inverse of :func:`report_suffix`)."""
    return suffix.lstrip(".") or "en"


def report_inputs(config: Config, language: str = "en") -> dict[str, Any]:
    """Return everything the report in ``language`` reads: the ``codebook``, the ``raw`` files, the
    ``indicators`` and their ``indicator_tables``, the clean ``summaries``, the ``figures`` in that
    language, the comparison's contrasts (``comparison``) and line-up of survey estimates beside
    published figures (``published``), the focal county's ``plan`` for its next survey and its
    ``multiverse`` (verdict tables and folders of specification curves)."""
    return {
        "codebook": config["codebook"],
        "raw": study_input_files(config),
        "indicators": indicator_files(config),
        "indicator_tables": indicator_folders(config),
        "summaries": [clean_outputs(county)["summary"] for county in study_counties(config)],
        "figures": [figure_output(name, language) for name in FIGURES],
        "comparison": comparison_outputs("microdata")["json"],
        "published": comparison_table("published", "published_lineup"),
        "plan": plan_output(study_counties(config)[0]),
        "multiverse": report_multiverse(config),
    }


def report_arguments(config: Config, language: str = "en") -> str:
    """Return the ``--language``/``--indicators``/``--summary``/``--figure``/``--provenance``/
    ``--comparison``/``--published``/``--plan``/``--multiverse`` arguments of ``pa-study report``
    (the specification curves as further ``--figure`` arguments)."""
    inputs = report_inputs(config, language)
    counties = study_counties(config)
    return " ".join(
        [
            _arguments("--language", [language]),
            indicator_arguments(config),
            _arguments("--summary", [f"{c}={clean_outputs(c)['summary']}" for c in counties]),
            _arguments("--figure", [f"{name}={figure_output(name, language)}" for name in FIGURES]),
            _arguments("--provenance", inputs["raw"]),
            _arguments("--comparison", [inputs["comparison"]]),
            _arguments("--published", [inputs["published"]]),
            _arguments("--plan", [inputs["plan"]]),
            _arguments("--multiverse", [f"{f}={path}" for f, path in report_multiverse_verdicts(config).items()]),
            _arguments(
                "--figure",
                [f"{name}={path}" for name, path in report_multiverse_curves(config, language).items()],
            ),
        ]
    )


def report_settings(config: Config) -> dict[str, Any]:
    """Return the report's config part a report job depends on: the ``report`` section without
    ``languages`` (each language's report is its own job)."""
    return {key: value for key, value in config["report"].items() if key != "languages"}


def report_study(config: Config) -> dict[str, Any]:
    """Return the config parts the report prints: ``study``, ``focal``, ``benchmarks`` and the
    studied counties' ``name``, ``name_zh`` and ``synthetic``."""
    keys = ("name", "name_zh", "synthetic")
    return {
        "study": config.get("study", {}),
        "focal": config["focal"],
        "benchmarks": config["benchmarks"],
        "counties": {
            county: {key: config["counties"][county][key] for key in keys if key in config["counties"][county]}
            for county in study_counties(config)
        },
    }


def config_sha256(config: Config) -> str:
    """Return the SHA-256 of the merged, validated config (canonical JSON), printed in the report."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()


def git_commit(folder: str | Path) -> str:
    """Return the commit checked out in ``folder`` (``unknown`` outside a git checkout), printed in the report."""
    try:
        proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True)
    except FileNotFoundError:  # no git on this machine
        return "unknown"
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


# --- resources ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Footprint:
    """What one kind of job uses, as lines in the size of the files it reads: peak resident memory
    ``memory_mb + memory_per_mb × input MB`` and CPU time ``seconds + seconds_per_mb × input MB``
    (a job given its cores runs in about its CPU time).

    Fitted to measured jobs, not guessed: ``benchmarks/bench_province.py`` prints every job's use
    (from the ``used:`` line that ends each ``pa-study`` log) and the lines refitted.
    """

    memory_mb: float
    memory_per_mb: float
    seconds: float
    seconds_per_mb: float


#: Footprints by kind of job, from ``benchmarks/bench_province.py`` on a 4-county province (two
#: 30,000-household censuses, CSV and Excel) and on a 1,000,000-household census county (GBK CSV,
#: 258 MB; ingested table 40 MB, cleaned households 33 MB): e.g. clean 3.3 GB and 42 s CPU, the
#: income family 3.4 GB and 46 s, the pooled comparison 2.8 GB and 20 s, the streamed CSV ingest
#: 0.56 GB and 42 s. An ingest's line depends on the raw format: a CSV or Stata/SPSS file is read in
#: chunks, an .xlsx sheet is held whole by calamine (each MB of it many cells). The Stata/SPSS lines
#: are the CSV's (read in chunks alike; measured only up to 0.3 MB). Indicator families share the
#: line of the largest (income).
FOOTPRINTS: dict[str, Footprint] = {
    "ingest:csv": Footprint(200, 1.5, 2.0, 0.2),
    "ingest:txt": Footprint(200, 1.5, 2.0, 0.2),
    "ingest:xlsx": Footprint(200, 21.0, 2.0, 2.0),
    "ingest:xlsm": Footprint(200, 21.0, 2.0, 2.0),
    "ingest:dta": Footprint(200, 1.5, 2.0, 0.2),
    "ingest:sav": Footprint(200, 1.5, 2.0, 0.2),
    "ingest_corrections": Footprint(200, 30.0, 2.0, 1.0),
    "clean": Footprint(200, 85.0, 4.0, 1.1),
    "indicators": Footprint(200, 100.0, 4.0, 1.4),
    "compare_microdata": Footprint(200, 10.0, 2.0, 1.0),
    "compare_pooled": Footprint(250, 80.0, 4.0, 0.6),
    "compare_published": Footprint(200, 10.0, 2.0, 1.0),
    "figure": Footprint(250, 5.0, 4.0, 1.0),
    "report_pdf": Footprint(300, 5.0, 10.0, 1.0),
    "plan": Footprint(250, 100.0, 6.0, 1.4),
    "multiverse_specification": Footprint(200, 100.0, 4.0, 1.4),
    "multiverse_table": Footprint(250, 5.0, 6.0, 1.0),
}
#: The inputs whose size a job's footprint follows, by kind (the others are small or only hashed).
SIZED_INPUTS: dict[str, tuple[str, ...]] = {
    "ingest": ("raw",),
    "ingest_corrections": ("corrections",),
    "clean": ("tables",),
    "indicators": INSTRUMENTS,
    "compare_microdata": ("indicators",),
    "compare_pooled": ("clean",),
    "compare_published": ("indicators",),
    "figure": ("indicators",),
    "report_pdf": ("indicators", "summaries", "figures"),
    "plan": INSTRUMENTS,
    "multiverse_specification": INSTRUMENTS,
    "multiverse_table": ("baseline", "specifications"),
}
#: A job asks for this many times its footprint's memory (peaks vary with the data beyond its size)
#: and this many times its CPU time as run time (a node's disk and start-up add to it), at least
#: :data:`MIN_RUNTIME_MINUTES`; each retry of a failed job asks for its attempt number times as much.
MEMORY_MARGIN = 1.5
RUNTIME_MARGIN = 3.0
MIN_RUNTIME_MINUTES = 5


def footprint_kind(rule: str, raw_file: str | None = None) -> str:
    """Return the key of :data:`FOOTPRINTS` of a rule's job (an ingest's by the raw file's format,
    every figure rule's ``figure``)."""
    if rule == "ingest":
        return f"ingest:{Path(raw_file or '').suffix.lower().lstrip('.')}"
    return "figure" if rule.startswith("figure_") else rule


def input_megabytes(paths: Iterable[str]) -> float:
    """Return the size in MB of the files among ``paths`` (folders are not counted).

    Raises
    ------
    FileNotFoundError
        Naming a path that does not exist yet: Snakemake then evaluates the request again once
        the job's inputs have been written.
    """
    return sum(Path(path).stat().st_size for path in paths if not Path(path).is_dir()) / 1e6


def memory_request_mb(kind: str, input_mb: float, attempt: int = 1) -> int:
    """Return the ``mem_mb`` a job of ``kind`` reading ``input_mb`` MB asks for (``attempt`` 1, 2, …)."""
    footprint = FOOTPRINTS[kind]
    return math.ceil(MEMORY_MARGIN * attempt * (footprint.memory_mb + footprint.memory_per_mb * input_mb))


def runtime_request_minutes(kind: str, input_mb: float, attempt: int = 1) -> int:
    """Return the ``runtime`` in minutes a job of ``kind`` reading ``input_mb`` MB asks for."""
    footprint = FOOTPRINTS[kind]
    seconds = RUNTIME_MARGIN * attempt * (footprint.seconds + footprint.seconds_per_mb * input_mb)
    return max(MIN_RUNTIME_MINUTES * attempt, math.ceil(seconds / 60))


def job_size(rule: str, input: Any) -> tuple[str, float]:
    """Return the footprint kind of a job of ``rule`` and the MB of its :data:`SIZED_INPUTS`
    (``input`` is the job's named input files, as Snakemake gives them to a resource function)."""
    paths: list[str] = []
    for key in SIZED_INPUTS["figure" if rule.startswith("figure_") else rule]:
        value = input.get(key) if isinstance(input, Mapping) else getattr(input, key, None)
        if value is not None:
            paths += [value] if isinstance(value, str) else list(value)
    return footprint_kind(rule, paths[0] if paths else None), input_megabytes(paths)


def mem_mb(rule: str) -> Callable[..., int]:
    """Return the ``mem_mb`` resource of ``rule``: a function of the job's input and attempt, for
    the rule's ``resources:`` (Snakemake calls it once the inputs exist)."""

    def request(wildcards: Any, input: Any, attempt: int) -> int:
        return memory_request_mb(*job_size(rule, input), attempt)

    return request


def runtime(rule: str) -> Callable[..., int]:
    """Return the ``runtime`` resource (minutes) of ``rule``, as :func:`mem_mb` does its memory."""

    def request(wildcards: Any, input: Any, attempt: int) -> int:
        return runtime_request_minutes(*job_size(rule, input), attempt)

    return request


# --- the study ----------------------------------------------------------------------------------


def study_targets(config: Config) -> list[str]:
    """Return what ``snakemake`` builds by default: every stage's outputs for the studied counties,
    the comparison and the PDF report."""
    targets: list[str] = []
    for county in study_counties(config):
        targets += output_paths(clean_outputs(county))
        targets += [indicator_outputs(county, family)["json"] for family in FAMILIES]
    targets += [plan_output(county) for county in plan_counties(config)]
    targets += multiverse_targets(config)
    for part in PARTS:
        targets += output_paths(comparison_outputs(part))
    return [*targets, *(report_pdf(language) for language in report_languages(config))]


def output_paths(outputs: Mapping[str, str | list[str]]) -> list[str]:
    """Return the paths of a ``<stage>_outputs`` dict in order, its lists flattened."""
    return [path for value in outputs.values() for path in ([value] if isinstance(value, str) else value)]

"""Command line of pa-study: the entry points the Snakemake rules call (``pa-study <stage> …``).

Every command takes the config part it needs as JSON (so a rule depends on that part only) and a
``--log`` file. Bad input ends the command with one message naming the file, row or column and what
was expected, written to the log and to standard error, and exit status 1 — never a bare traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pa_study.errors import InputError
from pa_study.privacy import MaskingFormatter, mask_text

log = logging.getLogger("pa_study")


def _setup_logging(path: str | None) -> None:
    handlers: list[logging.Handler] = []
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, mode="w", encoding="utf-8"))
    else:
        handlers.append(logging.StreamHandler())
    # Log lines quote raw values (an unreadable cell, a duplicate id); personal data in them is masked.
    for handler in handlers:
        handler.setFormatter(MaskingFormatter("%(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)


def _salt(args: argparse.Namespace, county: dict[str, Any]) -> str:
    """The pseudonym salt for a county, from the --pseudonym config part."""
    from pa_study.ingest.deidentify import resolve_salt

    return resolve_salt(**json.loads(args.pseudonym), synthetic=county["synthetic"])


def _ingest(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.ingest.run import run_ingest

    county = json.loads(args.county_config)
    instrument = load_codebook(args.codebook)[args.instrument]
    report = run_ingest(
        raw_file=county["files"][args.instrument],
        instrument=instrument,
        salt=_salt(args, county),
        table_out=args.output,
        report_out=args.report,
    )
    log.info("read %s (%s, %s rows)", report["file"], report["format"], report["rows_read"])
    for header in report["extra_columns_left_out"]:
        log.info("extra column left out of the clean data: %s", header)
    log.info("personal columns dropped: %s", ", ".join(report["personal_columns_dropped"]) or "none")


def _ingest_corrections(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.files import write_parquet
    from pa_study.ingest.corrections import ingest_corrections

    county = json.loads(args.county_config)
    households = load_codebook(args.codebook)["households"]
    frame = ingest_corrections(county["corrections"], households, salt=_salt(args, county))
    write_parquet(frame, args.output)
    log.info("read %d corrections from %s", len(frame), county["corrections"])


def _clean(args: argparse.Namespace) -> None:
    from pa_study.clean.run import run_clean
    from pa_study.clean.settings import CleaningOptions
    from pa_study.codebook import load_codebook
    from pa_study.design import design_options

    county = json.loads(args.county_config)
    tables = dict(item.split("=", 1) for item in args.table)
    reports = dict(item.split("=", 1) for item in args.report)
    summary = run_clean(
        tables=tables,
        reports=reports,
        codebook=load_codebook(args.codebook),
        options=CleaningOptions.from_config(json.loads(args.cleaning)),
        design=design_options(county["design"]),
        corrections=args.corrections,
        corrections_source=county["corrections"],
        outdir=args.outdir,
    )
    for name, counts in summary["tables"].items():
        log.info("%s: %s", name, json.dumps(counts, ensure_ascii=False, sort_keys=True))


def keep_freed_memory() -> None:
    """Let the C allocator keep the memory this process frees for its next allocations.

    glibc's ``malloc`` maps every block above a threshold (which grows with the blocks freed, up to
    32 MB) afresh and unmaps it when freed, and gives the free top of its heap back to the system,
    so each array of a million rows an estimate makes is faulted in anew, the kernel zeroing every
    page: at a census county of a million households the identification job spent 3.5-4 s of its
    11 s of CPU time in the kernel, about half of it this. With ``mallopt`` raising both thresholds
    freed blocks are reused; the peak resident memory does not grow (an estimate's arrays are the
    same sizes again and again). Elsewhere (macOS, Windows, musl) nothing changes.
    """
    import ctypes
    import platform

    # Only glibc: the option numbers below are its own (another C library's mallopt, such as musl's,
    # may read them otherwise), and on Windows ctypes cannot open the process's own symbols.
    if platform.libc_ver()[0] != "glibc":
        return
    mallopt = ctypes.CDLL(None).mallopt
    # <malloc.h>: M_TRIM_THRESHOLD -1, M_MMAP_THRESHOLD -3; the largest int means "never".
    for option in (-1, -3):
        mallopt(option, 2**31 - 1)


def _indicators(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.indicators import indicator_family
    from pa_study.indicators.run import run_indicators

    keep_freed_memory()
    document = run_indicators(
        family=args.family,
        settings=indicator_family(args.family).settings_from_json(json.loads(args.settings)),
        clean_dir=args.clean_dir,
        codebook=load_codebook(args.codebook),
        output=args.output,
        tables_dir=args.tables_dir,
    )
    log.info(
        "%s %s: %s, %d headline estimates",
        document["county"],
        args.family,
        document["status"],
        len(document["headline"]),
    )
    for note in document["notes"]:
        log.info("note: %s", note)


def _plan(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.plan import PlanSettings
    from pa_study.plan.run import run_plan

    if args.output is None:
        _print_plan(args)
        return
    for flag in ("settings", "clean_dir", "codebook"):
        if getattr(args, flag) is None:
            raise InputError(f"pa-study plan --output needs --{flag.replace('_', '-')}")
    indicators: dict[str, dict[str, str]] = {}
    for item in args.indicators:
        key, path = item.split("=", 1)
        county, family = key.split(":", 1)
        indicators.setdefault(county, {})[family] = path
    document = run_plan(
        settings=PlanSettings.parse(json.loads(args.settings), "--settings"),
        clean_dir=args.clean_dir,
        codebook=load_codebook(args.codebook),
        indicators=indicators,
        output=args.output,
    )
    log.info(
        "%s: planned %d criteria, %d effects", document["county"], len(document["criteria"]), len(document["effects"])
    )
    for note in document["notes"]:
        log.info("note: %s", note)


def _print_plan(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.config import load_schema, load_yaml, validated_config
    from pa_study.plan.table import study_plan_text

    config = validated_config(load_yaml(args.configfile), load_schema(args.schema), check_files=False)
    county = args.county or config["focal"]
    print(
        study_plan_text(
            config,
            county,
            load_codebook(args.codebook or config["codebook"]),
            target=args.target,
            true_rate=args.true_rate,
            mde=args.mde,
        )
    )


def _multiverse_specification(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.indicators import indicator_family
    from pa_study.multiverse.run import run_specification

    spec = json.loads(args.specification)
    document = run_specification(
        family=args.family,
        settings=indicator_family(args.family).settings_from_json(spec["settings"]),
        key=args.key,
        choices=spec["choices"],
        clean_dir=args.clean_dir,
        codebook=load_codebook(args.codebook),
        output=args.output,
    )
    log.info("%s %s %s: %s", document["county"], args.family, args.key, json.dumps(spec["choices"], sort_keys=True))
    for note in document["notes"]:
        log.info("note: %s", note)


def _multiverse_table(args: argparse.Namespace) -> None:
    from pa_study.multiverse.run import run_multiverse_table

    grid = json.loads(args.grid)
    shares = run_multiverse_table(
        family=args.family,
        baseline=args.baseline,
        specifications=args.specification,
        choices=grid["choices"],
        headlines=grid["headlines"],
        table_out=args.table,
        verdicts_out=args.verdicts,
        curves_dir=args.curves,
        languages=args.language,
    )
    for row in shares.itertuples():
        log.info(
            "%s: verdict '%s' holds in %d of %d specifications",
            row.headline,
            row.baseline_verdict,
            row.agreeing,
            row.specifications,
        )


def _figure(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.figures import draw
    from pa_study.results import study_results

    names = json.loads(args.names)
    arguments = dict(item.split("=", 1) for item in args.argument)
    codebook = load_codebook(args.codebook)
    for language, output in (item.split("=", 1) for item in args.output):
        if language not in names:
            raise InputError(f"--output {language}=…: no county names in that language in --names")
        results = study_results(args.indicators, dict(names[language]))
        draw(args.function, arguments, results, output, language, codebook)
        log.info("drew %s (%s) from %d indicator files", args.name, language, len(args.indicators))


def _report(args: argparse.Namespace) -> None:
    from pa_study.report import ReportInputs, ReportSettings, build_report, county_names
    from pa_study.results import study_results

    study = json.loads(args.study)
    settings = ReportSettings.parse(json.loads(args.settings), "the report settings")
    pages = build_report(
        ReportInputs(
            study=study,
            settings=settings,
            results=study_results(args.indicators, county_names(study, args.language)),
            summaries=dict(item.split("=", 1) for item in args.summary),
            figures=dict(item.split("=", 1) for item in args.figure),
            codebook=args.codebook,
            comparison=args.comparison,
            published=args.published,
            plan=args.plan,
            multiverse=dict(item.split("=", 1) for item in args.multiverse),
            provenance_files=args.provenance,
            config_sha256=args.config_sha256,
            git_commit=args.git_commit,
        ),
        args.output,
        args.language,
    )
    log.info("wrote %s (%s, %d pages)", args.output, args.language, pages)


def _compare_microdata(args: argparse.Namespace) -> None:
    from pa_study.compare import comparison_part
    from pa_study.compare.run import run_microdata

    _log_comparison(
        run_microdata(
            settings=comparison_part("microdata").settings_from_json(json.loads(args.settings)),
            indicators=args.indicators,
            output=args.output,
            tables_dir=args.tables_dir,
        )
    )


def _compare_pooled(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.compare import comparison_part
    from pa_study.compare.run import run_pooled

    _log_comparison(
        run_pooled(
            settings=comparison_part("pooled").settings_from_json(json.loads(args.settings)),
            indicators=args.indicators,
            clean_dirs=dict(item.split("=", 1) for item in args.clean_dir),
            codebook=load_codebook(args.codebook),
            output=args.output,
            tables_dir=args.tables_dir,
        )
    )


def _compare_published(args: argparse.Namespace) -> None:
    from pa_study.compare import comparison_part
    from pa_study.compare.run import run_published

    _log_comparison(
        run_published(
            settings=comparison_part("published").settings_from_json(json.loads(args.settings)),
            indicators=args.indicators,
            table=args.table,
            vocabulary=args.vocabulary,
            output=args.output,
            tables_dir=args.tables_dir,
        )
    )


def _log_comparison(document: dict[str, Any]) -> None:
    log.info(
        "%s (focal %s): %s, %d headline rows",
        document["family"],
        document["county"],
        document["status"],
        len(document["headline"]),
    )
    for note in document["notes"]:
        log.info("note: %s", note)


def _add_compare(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``pa-study compare microdata|pooled|published``."""
    parts = sub.add_parser("compare", help="compare the focal county with the benchmarks").add_subparsers(
        dest="part", required=True
    )
    helps = {
        "microdata": (_compare_microdata, "focal - benchmark differences of every headline indicator"),
        "pooled": (_compare_pooled, "pooled models across counties, focal county as reference"),
        "published": (_compare_published, "published county figures beside the survey estimates"),
    }
    for name, (func, help_text) in helps.items():
        p = parts.add_parser(name, help=help_text)
        p.set_defaults(func=func)
        p.add_argument("--log", help="log file")
        p.add_argument("--settings", required=True, help="the part's config as JSON (comparison_settings)")
        p.add_argument("--indicators", action="append", default=[], help="county:family=path of an indicator JSON")
        p.add_argument("--output", required=True, help="the part's JSON file")
        p.add_argument("--tables-dir", required=True, help="folder for the part's tables")
        if name == "pooled":
            p.add_argument("--clean-dir", action="append", default=[], help="county=folder of its cleaned tables")
            p.add_argument("--codebook", required=True)
        if name == "published":
            p.add_argument("--table", required=True, help="the published-benchmark CSV")
            p.add_argument("--vocabulary", required=True, help="its companion YAML")


def _check_config(args: argparse.Namespace) -> None:
    from pa_study.config import load_schema, load_yaml, validated_config
    from pa_study.multiverse import check_multiverse

    schema = load_schema(args.schema)
    checked = validated_config(load_yaml(args.configfile), schema)
    check_multiverse(checked, schema)
    if args.resolved:
        import yaml

        print(yaml.safe_dump(checked, allow_unicode=True, sort_keys=False), end="")
        return
    print(f"{args.configfile}: valid")


def _audit_personal_data(args: argparse.Namespace) -> None:
    import yaml

    from pa_study.audit import audit_folders, raw_personal_values
    from pa_study.codebook import load_codebook

    with open(args.configfile, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    root = Path(args.configfile).parent
    values = raw_personal_values(config, load_codebook(root / config["codebook"]), root)
    leaks = audit_folders(args.folders, values)
    for leak in leaks:
        print(f"{leak.path}, {leak.where}: holds what looks like a {leak.kind}")
    if leaks:
        raise InputError(
            f"personal data found in {len({leak.path for leak in leaks})} file(s) under {', '.join(args.folders)} "
            "(listed above, values not shown); do not share these folders",
        )
    print(f"no personal data found under {', '.join(args.folders)} ({len(values)} raw personal values looked for)")


def _check(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.ingest.check import check_file, format_check

    codebook = load_codebook(args.codebook)
    instrument = codebook[args.instrument]
    sheet = int(args.sheet) if args.sheet is not None and args.sheet.isdigit() else args.sheet
    report = check_file(
        args.file, instrument, codebook, encoding=args.encoding, sheet=sheet, header_row=args.header_row
    )
    print(format_check(report, instrument))
    if not report.ready:
        raise InputError("the file is not ready for ingest (see above)", path=args.file)


def _new_county(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.ingest.newcounty import format_new_county, new_county

    result = new_county(
        args.key,
        args.raw_dir,
        load_codebook(args.codebook),
        name=args.name,
        name_zh=args.name_zh,
        config_path=args.output,
        corrections_dir=args.corrections_dir,
        force=args.force,
    )
    print(format_new_county(result))


def _demo(args: argparse.Namespace) -> None:
    from pa_study import demo

    demo.main(args.rest)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``pa-study`` command."""
    parser = argparse.ArgumentParser(prog="pa-study", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, func: Callable[[argparse.Namespace], None], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=func)
        p.add_argument("--log", help="log file")
        return p

    p = command("ingest", _ingest, "read one raw file into a de-identified canonical table")
    p.add_argument("--instrument", required=True)
    p.add_argument("--county-config", required=True, help="the county's config block as JSON")
    p.add_argument("--pseudonym", required=True, help="the pseudonym config as JSON")
    p.add_argument("--codebook", required=True)
    p.add_argument("--output", required=True)
    p.add_argument("--report", required=True)

    p = command("ingest-corrections", _ingest_corrections, "read and pseudonymise a duplicates corrections file")
    p.add_argument("--county-config", required=True)
    p.add_argument("--pseudonym", required=True)
    p.add_argument("--codebook", required=True)
    p.add_argument("--output", required=True)

    p = command("clean", _clean, "clean one county's ingested tables")
    p.add_argument("--county-config", required=True)
    p.add_argument("--cleaning", required=True, help="the cleaning config as JSON")
    p.add_argument("--codebook", required=True)
    p.add_argument("--table", action="append", default=[], help="instrument=path of an ingested table")
    p.add_argument("--report", action="append", default=[], help="instrument=path of its ingest report")
    p.add_argument("--corrections", help="pseudonymised corrections (Parquet)")
    p.add_argument("--outdir", required=True)

    p = command("indicators", _indicators, "compute one indicator family for one county")
    p.add_argument("--family", required=True, help="identification, income, capability or formalism")
    p.add_argument("--settings", required=True, help="the family's config part as JSON (family_settings)")
    p.add_argument("--clean-dir", required=True, help="the county's cleaned tables (results/<county>/clean)")
    p.add_argument("--codebook", required=True)
    p.add_argument("--output", required=True, help="the family's JSON file")
    p.add_argument("--tables-dir", required=True, help="folder for the family's tables")

    p = command(
        "plan",
        _plan,
        "the sample a county's next survey needs: print a table, or write plan.json (--output; the plan rule)",
    )
    p.add_argument("--county", help="the county to plan for (default: the focal county)")
    p.add_argument("--target", help="a criterion (wrongful_exit_rate, missed_rate) or an effect (att_earned_pc)")
    p.add_argument("--true-rate", type=float, help="the true rate of --target to plan for (default: planning.criteria)")
    p.add_argument(
        "--mde", type=float, help="the minimum detectable effect of --target wanted (default: planning.effects)"
    )
    p.add_argument("--configfile", default="config.yaml", help="the study's config (its results/ must exist)")
    p.add_argument("--schema", default="config.schema.yaml")
    p.add_argument("--settings", help="the county's plan settings as JSON (PlanSettings; with --output)")
    p.add_argument("--clean-dir", help="the county's cleaned tables (with --output)")
    p.add_argument("--codebook", help="the codebook (default: the config's)")
    p.add_argument("--indicators", action="append", default=[], help="county:family=path of an indicator JSON")
    p.add_argument("--output", help="write the plan as JSON here instead of printing it")

    p = command("multiverse-specification", _multiverse_specification, "compute one specification of a family")
    p.add_argument("--family", required=True)
    p.add_argument("--key", required=True, help="the specification's name")
    p.add_argument("--specification", required=True, help="its settings and choices as JSON")
    p.add_argument("--clean-dir", required=True)
    p.add_argument("--codebook", required=True)
    p.add_argument("--output", required=True)

    p = command("multiverse-table", _multiverse_table, "stack a family's specifications, count verdicts, draw curves")
    p.add_argument("--family", required=True)
    p.add_argument("--grid", required=True, help="headlines and each specification's choices as JSON")
    p.add_argument("--baseline", required=True, help="the family's indicator file")
    p.add_argument("--specification", action="append", default=[], help="a specification's JSON")
    p.add_argument("--table", required=True)
    p.add_argument("--verdicts", required=True)
    p.add_argument("--curves", required=True, help="folder of the specification curves")
    p.add_argument("--language", action="append", default=[], help="a language to draw the curves in")

    p = command("figure", _figure, "draw one figure from the indicator results of the study's counties")
    p.add_argument("name", help="the figure (see pa_study.figures.FIGURES)")
    p.add_argument(
        "--function", required=True, help="the figure's function of pa_study.figures.plots (its FigureSpec.function)"
    )
    p.add_argument("--argument", action="append", default=[], help="key=value, a keyword argument of that function")
    p.add_argument(
        "--names", required=True, help="language -> [county key, display name] pairs as JSON, focal county first"
    )
    p.add_argument("--indicators", action="append", default=[], help="county:family=path of an indicator JSON")
    p.add_argument("--codebook", required=True, help="labels the category codes a figure shows")
    p.add_argument("--output", action="append", required=True, help="language=path of the SVG file (en or zh)")

    p = command("report", _report, "build the PDF report from the results files")
    p.add_argument("--study", required=True, help="study, focal, benchmarks and the counties' names as JSON")
    p.add_argument("--settings", required=True, help="the report config section as JSON")
    p.add_argument("--language", default="en", choices=["en", "zh"], help="the report's language")
    p.add_argument("--indicators", action="append", default=[], help="county:family=path of an indicator JSON")
    p.add_argument("--summary", action="append", default=[], help="county=path of a clean summary.json")
    p.add_argument("--figure", action="append", default=[], help="name=path of a figure")
    p.add_argument("--codebook", required=True)
    p.add_argument("--comparison", help="the comparison stage's headline contrasts (JSON)")
    p.add_argument("--published", help="the comparison stage's line-up of survey estimates and published figures (CSV)")
    p.add_argument("--plan", help="the focal county's plan for its next survey (plan.json)")
    p.add_argument("--multiverse", action="append", default=[], help="family=path of a multiverse verdict table")
    p.add_argument("--provenance", action="append", default=[], help="an input file or folder whose hash to list")
    p.add_argument("--config-sha256", required=True, help="hash of the merged config")
    p.add_argument("--git-commit", default="unknown", help="commit of the code")
    p.add_argument("--output", required=True, help="the PDF file")

    _add_compare(sub)

    p = command("check-config", _check_config, "validate a config file against the schema")
    p.add_argument("configfile")
    p.add_argument("--schema", default="config.schema.yaml")
    p.add_argument(
        "--resolved", action="store_true", help="print every value in effect (the schema's defaults filled in) as YAML"
    )

    p = command(
        "audit-personal-data",
        _audit_personal_data,
        "search output folders for the raw files' personal values and ID-card or phone numbers",
    )
    p.add_argument("folders", nargs="*", default=["results", "reports"], help="folders to search (results reports)")
    p.add_argument("--configfile", default="config.yaml", help="the study's config (names the raw files)")

    p = command("check", _check, "check one's own raw file against the codebook before the first run")
    p.add_argument("file")
    p.add_argument("--instrument", required=True, help="households, cadres, projects or villages")
    p.add_argument("--codebook", default="data/codebook/codebook.yaml")
    p.add_argument("--encoding", help="read a CSV in this encoding instead of the one found")
    p.add_argument("--sheet", help="read this Excel sheet (name or 0-based index) instead of the one found")
    p.add_argument("--header-row", type=int, help="read the headers from this 1-based row instead of the one found")

    p = command("new-county", _new_county, "write the config block and corrections file of a new county")
    p.add_argument("key", help="the county's key in the config, e.g. Fuping")
    p.add_argument("--raw-dir", required=True, help="the folder of its raw files, e.g. data/raw/Fuping")
    p.add_argument("--name", help="its English name (default: the key)")
    p.add_argument("--name-zh", help="its Chinese name, e.g. 阜平县")
    p.add_argument("--codebook", default="data/codebook/codebook.yaml")
    p.add_argument("--output", help="the config file to write (default: config.<key>.yaml)")
    p.add_argument("--corrections-dir", default="data/corrections")
    p.add_argument("--force", action="store_true", help="overwrite files that exist")

    p = command("demo", _demo, "regenerate the synthetic demo data (see python -m pa_study.demo --help)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def used_resources(started: float) -> str:
    """What this process used: its peak resident memory and its wall and CPU time since ``started``
    (a :func:`time.perf_counter` reading). The last line of every log, so that a job's request
    (``mem_mb``, ``runtime``) can be checked against its use (``benchmarks/bench_province.py``)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return (
        f"used: peak memory {usage.ru_maxrss / 1024:.0f} MB, wall {time.perf_counter() - started:.2f} s, "
        f"CPU {usage.ru_utime + usage.ru_stime:.2f} s"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pa-study`` command; return its exit status (1 for bad input)."""
    started = time.perf_counter()
    args = build_parser().parse_args(argv)
    _setup_logging(args.log)
    try:
        args.func(args)
    except InputError as exc:
        log.error("%s", exc)
        if args.log:
            print(f"pa-study: error: {mask_text(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:
        # A bug, not bad input: the traceback goes to the log (masked like every line), and the
        # console gets one masked line instead of a traceback that may quote raw values.
        log.exception("internal error in 'pa-study %s'", args.command)
        if args.log:
            print(
                f"pa-study: internal error in 'pa-study {args.command}' (a bug; please report it with the log "
                f"{args.log}): {type(exc).__name__}: {mask_text(str(exc))}",
                file=sys.stderr,
            )
        return 2
    log.info("%s", used_resources(started))
    return 0


if __name__ == "__main__":
    sys.exit(main())

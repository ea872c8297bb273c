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
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pa_study.errors import InputError

log = logging.getLogger("pa_study")


def _setup_logging(path: str | None) -> None:
    handlers: list[logging.Handler] = []
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", handlers=handlers or None, force=True)


def _ingest(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.deidentify import resolve_salt
    from pa_study.ingest import run_ingest

    county = json.loads(args.county_config)
    instrument = load_codebook(args.codebook)[args.instrument]
    salt = resolve_salt(**json.loads(args.pseudonym), synthetic=county.get("synthetic", False))
    report = run_ingest(
        raw_file=county["files"][args.instrument],
        instrument=instrument,
        salt=salt,
        table_out=args.output,
        report_out=args.report,
    )
    log.info("read %s (%s, %s rows)", report["file"], report["format"], report["rows_read"])
    for header in report["extra_columns_left_out"]:
        log.info("extra column left out of the clean data: %s", header)
    log.info("personal columns dropped: %s", ", ".join(report["personal_columns_dropped"]) or "none")


def _ingest_corrections(args: argparse.Namespace) -> None:
    from pa_study.codebook import load_codebook
    from pa_study.deidentify import resolve_salt
    from pa_study.files import write_parquet
    from pa_study.ingest import ingest_corrections

    county = json.loads(args.county_config)
    salt = resolve_salt(**json.loads(args.pseudonym), synthetic=county.get("synthetic", False))
    frame = ingest_corrections(county["corrections"], load_codebook(args.codebook)["households"], salt=salt)
    write_parquet(frame, args.output)
    log.info("read %d corrections from %s", len(frame), county["corrections"])


def _clean(args: argparse.Namespace) -> None:
    from pa_study.clean import CleaningOptions, run_clean
    from pa_study.codebook import load_codebook

    county = json.loads(args.county_config)
    tables = dict(item.split("=", 1) for item in args.table)
    reports = dict(item.split("=", 1) for item in args.report)
    summary = run_clean(
        tables=tables,
        reports=reports,
        codebook=load_codebook(args.codebook),
        options=CleaningOptions.from_config(json.loads(args.cleaning)),
        design=county["design"],
        corrections=args.corrections,
        corrections_source=county.get("corrections"),
        outdir=args.outdir,
    )
    for name, counts in summary["tables"].items():
        log.info("%s: %s", name, json.dumps(counts, ensure_ascii=False, sort_keys=True))


def _check_config(args: argparse.Namespace) -> None:
    import yaml

    from pa_study.config import load_schema, validated_config

    with open(args.configfile, encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    validated_config(config, load_schema(args.schema))
    print(f"{args.configfile}: valid")


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

    p = command("check-config", _check_config, "validate a config file against the schema")
    p.add_argument("configfile")
    p.add_argument("--schema", default="config.schema.yaml")

    p = command("demo", _demo, "regenerate the synthetic demo data (see python -m pa_study.demo --help)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pa-study`` command; return its exit status (1 for bad input)."""
    args = build_parser().parse_args(argv)
    _setup_logging(args.log)
    try:
        args.func(args)
    except InputError as exc:
        log.error("%s", exc)
        if args.log:
            print(f"pa-study: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

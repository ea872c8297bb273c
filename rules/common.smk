# Helpers shared by the rule files (the validated config and the per-county config parts that
# rules take as params, so that each job depends on its own part of the config only).
import sys
from pathlib import Path

from pa_study.config import canonical_json, instruments_of, load_schema, validated_config
from pa_study.errors import InputError

try:
    config.update(validated_config(config, load_schema(Path(workflow.basedir) / "config.schema.yaml")))
except InputError as exc:
    sys.exit(f"pa-study: error: {exc}")

COUNTIES = [config["focal"], *config["benchmarks"]]
INSTRUMENTS = ["households", "cadres", "projects", "villages"]
ENV = "envs/pa-study.yaml"


def county_instruments(county):
    """The instruments the county supplies files for."""
    return instruments_of(config["counties"][county])


def raw_file(wildcards):
    """The raw file of one county's instrument."""
    return config["counties"][wildcards.county]["files"][wildcards.instrument]["path"]


def ingest_params(wildcards):
    """The part of a county's config the ingest of one instrument depends on, as JSON."""
    block = config["counties"][wildcards.county]
    return canonical_json(
        {
            "files": {wildcards.instrument: block["files"][wildcards.instrument]},
            "synthetic": block.get("synthetic", False),
        }
    )


def corrections_params(wildcards):
    """The part of a county's config the corrections ingest depends on, as JSON."""
    block = config["counties"][wildcards.county]
    return canonical_json({"corrections": block["corrections"], "synthetic": block.get("synthetic", False)})


def clean_params(wildcards):
    """The part of a county's config the cleaning depends on, as JSON."""
    block = config["counties"][wildcards.county]
    return canonical_json({"design": block["design"], "corrections": block.get("corrections")})


def clean_inputs(wildcards):
    """Ingested tables and reports of the county's instruments, and its corrections if it has any."""
    county = wildcards.county
    inputs = {
        "codebook": config["codebook"],
        **{f"table_{i}": f"results/{county}/ingest/{i}.parquet" for i in county_instruments(county)},
        **{f"report_{i}": f"results/{county}/ingest/{i}_report.json" for i in county_instruments(county)},
    }
    if config["counties"][county].get("corrections"):
        inputs["corrections"] = f"results/{county}/ingest/corrections.parquet"
    return inputs


def clean_arguments(wildcards, input):
    """The --table/--report/--corrections arguments of `pa-study clean`."""
    parts = []
    for instrument in county_instruments(wildcards.county):
        parts.append(f"--table {instrument}={input[f'table_{instrument}']}")
        parts.append(f"--report {instrument}={input[f'report_{instrument}']}")
    if "corrections" in input.keys():
        parts.append(f"--corrections {input['corrections']}")
    return " ".join(parts)


def clean_outputs(county):
    """Every file the clean stage writes for one county."""
    folder = f"results/{county}/clean"
    return [
        *(f"{folder}/{i}.parquet" for i in INSTRUMENTS),
        *(f"{folder}/quarantine_{i}.csv" for i in INSTRUMENTS),
        f"{folder}/cleaning_log.csv",
        f"{folder}/duplicates_report.csv",
        f"{folder}/summary.json",
    ]


def study_targets():
    """What `snakemake` builds by default: every stage's outputs for the study's counties."""
    return [path for county in COUNTIES for path in clean_outputs(county)]

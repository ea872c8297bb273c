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
    per_county = [path for county in COUNTIES for path in (*clean_outputs(county), *indicator_outputs(county))]
    return [*per_county, *COMPARISON_OUTPUTS, REPORT_PDF]


# --- indicators (issue 4) ---------------------------------------------------------------------
from pa_study.indicators import FAMILIES, family_settings


def indicator_inputs(wildcards):
    """The codebook, the clean summary and the cleaned tables one indicator family reads."""
    folder = f"results/{wildcards.county}/clean"
    return {
        "codebook": config["codebook"],
        "summary": f"{folder}/summary.json",
        **{i: f"{folder}/{i}.parquet" for i in FAMILIES[wildcards.family].instruments},
    }


def indicator_params(wildcards):
    """The part of the config one family's job for one county depends on, as JSON."""
    return canonical_json(family_settings(config, wildcards.family, wildcards.county))


def indicator_outputs(county):
    """The JSON file of every indicator family of one county (its tables folder comes with it)."""
    return [f"results/{county}/indicators/{family}.json" for family in FAMILIES]


# --- figures and report (issue 6) ---------------------------------------------------------------
import hashlib
import subprocess

from pa_study.figures import FIGURES

REPORT_PDF = "reports/pa-study-report.pdf"


def figure_path(name):
    """The SVG file of one figure."""
    return f"results/figures/{name}.svg"


def indicator_files(families):
    """The indicator JSON of every county for each of ``families``, keyed county__family."""
    return {f"{c}__{f}": f"results/{c}/indicators/{f}.json" for c in COUNTIES for f in families}


def indicator_tables(families):
    """The tables folder of every county for each of ``families``, keyed county__family__tables: the
    figures and the report read tables through the JSON, so the folders are declared beside it."""
    return {f"{c}__{f}__tables": f"results/{c}/indicators/{f}" for c in COUNTIES for f in families}


def indicator_arguments(families):
    """The --indicators county:family=path arguments for the files of indicator_files."""
    return " ".join(f"--indicators {key.replace('__', ':')}={path}" for key, path in indicator_files(families).items())


def county_names():
    """County key -> display name as JSON, focal county first (the order of every figure)."""
    return canonical_json({c: config["counties"][c]["name"] for c in COUNTIES})


def report_study():
    """The config parts the report prints (study, focal, benchmarks, the counties' names), as JSON."""
    keys = ("name", "name_zh", "synthetic")
    return canonical_json({
        "study": config.get("study", {}),
        "focal": config["focal"],
        "benchmarks": config["benchmarks"],
        "counties": {c: {k: config["counties"][c][k] for k in keys if k in config["counties"][c]} for c in COUNTIES},
    })


def study_input_files():
    """The study's raw data and corrections files (hashed in the report's provenance)."""
    files = []
    for county in COUNTIES:
        block = config["counties"][county]
        files.extend(spec["path"] for spec in block["files"].values())
        if block.get("corrections"):
            files.append(block["corrections"])
    return files


def report_inputs(wildcards):
    """Everything the report reads: indicators, clean summaries, figures, codebook, raw files, and
    the comparison's contrasts and its line-up of survey estimates beside published figures."""
    return {
        "codebook": config["codebook"],
        "raw": study_input_files(),
        **indicator_files(FAMILIES),
        **indicator_tables(FAMILIES),
        **{f"summary__{c}": f"results/{c}/clean/summary.json" for c in COUNTIES},
        **{f"figure__{name}": figure_path(name) for name in FIGURES},
        "comparison": comparison_output("microdata", 0),
        "published": comparison_output("published", 2),
    }


def report_arguments(wildcards, input):
    """The --indicators/--summary/--figure/--provenance/--comparison arguments of `pa-study report`."""
    parts = [indicator_arguments(FAMILIES)]
    parts += [f"--summary {k.split('__')[1]}={v}" for k, v in input.items() if k.startswith("summary__")]
    parts += [f"--figure {k.split('__')[1]}={v}" for k, v in input.items() if k.startswith("figure__")]
    parts += [f"--provenance {path}" for path in input.raw]
    parts += [f"--comparison {input.comparison}", f"--published {input.published}"]
    return " ".join(parts)


def config_sha256():
    """SHA-256 of the merged, validated config (canonical JSON), printed in the report."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()


def git_commit():
    """The commit of the code (``unknown`` outside a git checkout), printed in the report."""
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=workflow.basedir, capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else "unknown"


# --- comparison (issue 5) ---------------------------------------------------------------------
# The comparison jobs take comparison_settings (focal, benchmarks, their names, the comparison
# section) and the counties' indicator files and cleaned tables; no per-county job takes any of
# these, so changing the focal county or the benchmarks re-runs the comparison only.
from pa_study.compare.settings import comparison_settings

COMPARISON_DIR = "results/comparison"
COMPARISON_FILES = {
    "microdata": ["contrasts.json", "contrasts.csv", "county_estimates.csv"],
    "pooled": ["pooled.json", "pooled_coefficients.csv", "pooled_income_effects.csv"],
    "published": ["published.json", "published.csv", "published_lineup.csv"],
}
COMPARISON_OUTPUTS = [f"{COMPARISON_DIR}/{name}" for files in COMPARISON_FILES.values() for name in files]


def comparison_output(part, index):
    """One output file of a comparison part (0 is its JSON; the rest are its tables)."""
    return f"{COMPARISON_DIR}/{COMPARISON_FILES[part][index]}"


def comparison_params(part):
    """The part of the config one comparison job depends on, as JSON."""
    return canonical_json(comparison_settings(config, part))


def comparison_indicator_inputs(wildcards):
    """The indicator JSON of every family of the focal and benchmark counties."""
    return indicator_files(FAMILIES)


def pooled_inputs(wildcards):
    """The indicator files, the codebook, and the cleaned households and cadres of every studied county."""
    return {
        **indicator_files(FAMILIES),
        "codebook": config["codebook"],
        **{f"clean__{c}__{name}": f"results/{c}/clean/{name}" for c in COUNTIES
           for name in ("summary.json", "households.parquet", "cadres.parquet")},
    }


def pooled_clean_arguments(wildcards, input):
    """The --clean-dir county=folder arguments of `pa-study compare pooled`."""
    return " ".join(f"--clean-dir {c}={Path(input[f'clean__{c}__summary.json']).parent.as_posix()}" for c in COUNTIES)


def published_inputs(wildcards):
    """The published-benchmark table, its vocabulary and the studied counties' indicator files."""
    return {**indicator_files(FAMILIES), **config["comparison"]["published"]}


# pa-study: county case study of targeted poverty alleviation, from raw survey files to results.
# The rules live in rules/*.smk and call the pa_study package; see README.md.
import sys
from pathlib import Path

from snakemake.utils import min_version

from pa_study.config import load_yaml
from pa_study.errors import InputError
from pa_study.resume import release_stale_locks

min_version("8.20")

# A run that was killed leaves Snakemake's locks behind; they are removed when no run is alive,
# so the next `snakemake` carries on (profiles/default re-runs the jobs that were cut short).
if workflow.is_main_process:
    for stale in release_stale_locks(".snakemake"):
        print(f"pa-study: removed {stale}, left by a run that was killed", file=sys.stderr)

# Snakemake reports a broken config.yaml as "not valid JSON or YAML", without saying where.
try:
    if Path("config.yaml").is_file():
        load_yaml("config.yaml")
except InputError as exc:
    sys.exit(f"pa-study: error: {exc}")


configfile: "config.yaml"


include: "rules/common.smk"


wildcard_constraints:
    county="|".join(sorted(config["counties"])),
    instrument="|".join(INSTRUMENTS),

include: "rules/ingest.smk"
include: "rules/clean.smk"
include: "rules/indicators.smk"
include: "rules/compare.smk"
include: "rules/figures.smk"
include: "rules/plan.smk"
include: "rules/multiverse.smk"
include: "rules/report.smk"


rule all:
    input:
        wf.study_targets(config),
    default_target: True

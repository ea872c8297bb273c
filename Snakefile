# pa-study: county case study of targeted poverty alleviation, from raw survey files to results.
# The rules live in rules/*.smk and call the pa_study package; see README.md.
from snakemake.utils import min_version

min_version("8.20")


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
include: "rules/report.smk"


rule all:
    input:
        wf.study_targets(config),
    default_target: True

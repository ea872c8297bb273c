# Indicators: the four families per county (identification, income, capability, formalism) with
# design-based inference; each job writes <family>.json and a folder of tidy tables beside it.


rule indicators:
    input:
        unpack(indicator_inputs),
    output:
        json="results/{county}/indicators/{family}.json",
        tables=directory("results/{county}/indicators/{family}"),
    params:
        settings=indicator_params,
        clean_dir=lambda w: f"results/{w.county}/clean",
    wildcard_constraints:
        family="|".join(FAMILIES),
    log:
        "results/{county}/logs/indicators_{family}.log",
    threads: 1
    resources:
        mem_mb=2048,
        runtime=10,
    conda:
        ENV
    shell:
        "pa-study indicators --family {wildcards.family} --settings {params.settings:q}"
        " --clean-dir {params.clean_dir:q} --codebook {input.codebook:q}"
        " --output {output.json:q} --tables-dir {output.tables:q} --log {log:q}"

# Indicators: the four families per county (identification, income, capability, formalism) with
# design-based inference; each job writes <family>.json and a folder of tidy tables beside it.


rule indicators:
    input:
        unpack(lambda w: wf.indicator_inputs(config, w.county, w.family)),
    output:
        json=wf.indicator_outputs("{county}", "{family}")["json"],
        tables=directory(wf.indicator_outputs("{county}", "{family}")["tables"]),
    params:
        settings=lambda w: canonical_json(family_settings(config, w.family, w.county).to_dict()),
        clean_dir=lambda w: wf.clean_dir(w.county),
    wildcard_constraints:
        family="|".join(FAMILIES),
    log:
        "results/{county}/logs/indicators_{family}.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("indicators"),
        runtime=wf.runtime("indicators"),
    conda:
        ENV
    shell:
        "pa-study indicators --family {wildcards.family} --settings {params.settings:q}"
        " --clean-dir {params.clean_dir:q} --codebook {input.codebook:q}"
        " --output {output.json:q} --tables-dir {output.tables:q} --log {log:q}"

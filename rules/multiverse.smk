# The specification multiverse (issue 14): each specification of a family (a combination of the
# choices config.yaml's `multiverse` section lists) is its own job, recomputed from the county's
# cleaned tables; a family's table stacks them with the baseline (the indicator file), counts the
# specifications in which each verdict holds and draws a specification curve per headline.


rule multiverse_specification:
    input:
        unpack(lambda w: wf.multiverse_specification_inputs(config, w.county, w.family)),
    output:
        wf.multiverse_specification_output("{county}", "{family}", "{key}"),
    params:
        specification=lambda w: canonical_json(wf.multiverse_specification(config, w.county, w.family, w.key)),
        clean_dir=lambda w: wf.clean_dir(w.county),
    wildcard_constraints:
        family="|".join(FAMILIES),
        key="s[0-9a-f]{10}",
    log:
        "results/{county}/logs/multiverse_{family}_{key}.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("multiverse_specification"),
        runtime=wf.runtime("multiverse_specification"),
    conda:
        ENV
    shell:
        "pa-study multiverse-specification --family {wildcards.family} --key {wildcards.key}"
        " --specification {params.specification:q} --clean-dir {params.clean_dir:q}"
        " --codebook {input.codebook:q} --output {output:q} --log {log:q}"


rule multiverse_table:
    input:
        unpack(lambda w: wf.multiverse_family_inputs(config, w.county, w.family)),
    output:
        table=wf.multiverse_outputs("{county}", "{family}")["table"],
        verdicts=wf.multiverse_outputs("{county}", "{family}")["verdicts"],
        curves=directory(wf.multiverse_outputs("{county}", "{family}")["curves"]),
    params:
        grid=lambda w: canonical_json(wf.multiverse_grid(config, w.county, w.family)),
        arguments=lambda w: wf.multiverse_table_arguments(config, w.county, w.family),
    wildcard_constraints:
        family="|".join(FAMILIES),
    log:
        "results/{county}/logs/multiverse_{family}.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("multiverse_table"),
        runtime=wf.runtime("multiverse_table"),
    conda:
        ENV
    shell:
        "pa-study multiverse-table --family {wildcards.family} --grid {params.grid:q} {params.arguments}"
        " --table {output.table:q} --verdicts {output.verdicts:q} --curves {output.curves:q} --log {log:q}"

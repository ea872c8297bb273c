# Comparison (issue 5): the focal county against the benchmarks, from two kinds of evidence kept
# apart: the counties' survey microdata (contrasts of their indicator files, pooled models on their
# cleaned tables) and published county figures with their sources. Outputs in results/comparison/.
# Each job takes comparison_settings (focal, benchmarks, their names, its part of the comparison
# section); no per-county job takes any of it, so changing the focal county or the benchmarks
# re-runs the comparison only.


rule compare_microdata:
    input:
        **wf.comparison_inputs(config, "microdata"),
    output:
        **wf.comparison_outputs("microdata"),
    params:
        settings=canonical_json(comparison_settings(config, "microdata").to_dict()),
        arguments=wf.comparison_arguments(config, "microdata"),
        tables_dir=lambda w, output: Path(output.json).parent.as_posix(),
    log:
        "results/logs/compare_microdata.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("compare_microdata"),
        runtime=wf.runtime("compare_microdata"),
    conda:
        ENV
    shell:
        "pa-study compare microdata --settings {params.settings:q} {params.arguments}"
        " --output {output.json:q} --tables-dir {params.tables_dir:q} --log {log:q}"


rule compare_pooled:
    input:
        **wf.comparison_inputs(config, "pooled"),
    output:
        **wf.comparison_outputs("pooled"),
    params:
        settings=canonical_json(comparison_settings(config, "pooled").to_dict()),
        arguments=wf.comparison_arguments(config, "pooled"),
        tables_dir=lambda w, output: Path(output.json).parent.as_posix(),
    log:
        "results/logs/compare_pooled.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("compare_pooled"),
        runtime=wf.runtime("compare_pooled"),
    conda:
        ENV
    shell:
        "pa-study compare pooled --settings {params.settings:q} {params.arguments}"
        " --codebook {input.codebook:q} --output {output.json:q} --tables-dir {params.tables_dir:q} --log {log:q}"


rule compare_published:
    input:
        **wf.comparison_inputs(config, "published"),
    output:
        **wf.comparison_outputs("published"),
    params:
        settings=canonical_json(comparison_settings(config, "published").to_dict()),
        arguments=wf.comparison_arguments(config, "published"),
        tables_dir=lambda w, output: Path(output.json).parent.as_posix(),
    log:
        "results/logs/compare_published.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("compare_published"),
        runtime=wf.runtime("compare_published"),
    conda:
        ENV
    shell:
        "pa-study compare published --settings {params.settings:q} {params.arguments}"
        " --table {input.table:q} --vocabulary {input.vocabulary:q}"
        " --output {output.json:q} --tables-dir {params.tables_dir:q} --log {log:q}"

# Comparison (issue 5): the focal county against the benchmarks, from two kinds of evidence kept
# apart: the counties' survey microdata (contrasts of their indicator files, pooled models on their
# cleaned tables) and published county figures with their sources. Outputs in results/comparison/.


rule compare_microdata:
    input:
        unpack(comparison_indicator_inputs),
    output:
        json=comparison_output("microdata", 0),
        tables=[comparison_output("microdata", i) for i in (1, 2)],
    params:
        settings=comparison_params("microdata"),
        arguments=indicator_arguments(FAMILIES),
        tables_dir=lambda w, output: Path(output.json).parent.as_posix(),
    log:
        "results/logs/compare_microdata.log",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=5,
    conda:
        ENV
    shell:
        "pa-study compare microdata --settings {params.settings:q} {params.arguments}"
        " --output {output.json:q} --tables-dir {params.tables_dir:q} --log {log:q}"


rule compare_pooled:
    input:
        unpack(pooled_inputs),
    output:
        json=comparison_output("pooled", 0),
        tables=[comparison_output("pooled", i) for i in (1, 2)],
    params:
        settings=comparison_params("pooled"),
        arguments=indicator_arguments(FAMILIES),
        clean=pooled_clean_arguments,
        tables_dir=lambda w, output: Path(output.json).parent.as_posix(),
    log:
        "results/logs/compare_pooled.log",
    threads: 1
    resources:
        mem_mb=4096,
        runtime=10,
    conda:
        ENV
    shell:
        "pa-study compare pooled --settings {params.settings:q} {params.arguments} {params.clean}"
        " --codebook {input.codebook:q} --output {output.json:q} --tables-dir {params.tables_dir:q} --log {log:q}"


rule compare_published:
    input:
        unpack(published_inputs),
    output:
        json=comparison_output("published", 0),
        tables=[comparison_output("published", i) for i in (1, 2)],
    params:
        settings=comparison_params("published"),
        arguments=indicator_arguments(FAMILIES),
        tables_dir=lambda w, output: Path(output.json).parent.as_posix(),
    log:
        "results/logs/compare_published.log",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=5,
    conda:
        ENV
    shell:
        "pa-study compare published --settings {params.settings:q} {params.arguments}"
        " --table {input.table:q} --vocabulary {input.vocabulary:q}"
        " --output {output.json:q} --tables-dir {params.tables_dir:q} --log {log:q}"

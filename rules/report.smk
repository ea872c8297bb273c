# Figures and the PDF report (issue 6): one rule per figure, each drawn from the indicator results
# of the study's counties, and the report built from results files only. Figures are registered
# for Snakemake's HTML report (snakemake --report report.html).

for figure in FIGURES:

    rule:
        name:
            f"figure_{figure}"
        input:
            **indicator_files(FIGURES[figure].families),
            **indicator_tables(FIGURES[figure].families),
        output:
            report(
                figure_path(figure),
                category="Figures",
                subcategory=", ".join(FIGURES[figure].families),
                labels={"figure": figure},
            ),
        params:
            figure=figure,
            names=county_names(),
            arguments=indicator_arguments(FIGURES[figure].families),
        log:
            f"results/logs/figure_{figure}.log",
        threads: 1
        resources:
            mem_mb=1024,
            runtime=5,
        conda:
            ENV
        shell:
            "pa-study figure {params.figure} --names {params.names:q} {params.arguments}"
            " --output {output:q} --log {log:q}"


rule report_pdf:
    input:
        unpack(report_inputs),
    output:
        REPORT_PDF,
    params:
        study=report_study(),
        settings=canonical_json(config["report"]),
        arguments=report_arguments,
        config_sha256=config_sha256(),
        commit=git_commit(),
    log:
        "results/logs/report.log",
    threads: 1
    resources:
        mem_mb=2048,
        runtime=10,
    conda:
        ENV
    shell:
        "pa-study report --study {params.study:q} --settings {params.settings:q} {params.arguments}"
        " --codebook {input.codebook:q} --config-sha256 {params.config_sha256} --git-commit {params.commit}"
        " --output {output:q} --log {log:q}"

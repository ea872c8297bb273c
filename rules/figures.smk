# Figures (issue 6): one rule per figure, each drawn from the indicator results of the study's
# counties. Figures are registered for Snakemake's HTML report (snakemake --report report.html).

for figure in FIGURES:

    rule:
        name:
            f"figure_{figure}"
        input:
            **wf.figure_inputs(config, figure),
        output:
            report(
                wf.figure_output(figure),
                category="Figures",
                subcategory=", ".join(FIGURES[figure].families),
                labels={"figure": figure},
            ),
        params:
            figure=figure,
            names=canonical_json(wf.county_names(config)),
            arguments=wf.figure_arguments(config, figure),
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

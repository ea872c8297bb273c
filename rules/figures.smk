# Figures (issue 6): one rule per figure, each drawn from the indicator results of the study's
# counties, in every language of the report (report.languages; one job draws them all). Figures are
# registered for Snakemake's HTML report (snakemake --report report.html) with their captions.

for figure in FIGURES:

    rule:
        name:
            f"figure_{figure}"
        input:
            **wf.figure_inputs(config, figure),
        output:
            **{
                language: report(
                    path,
                    caption="report/figure.rst",
                    category="Figures",
                    subcategory=", ".join(FIGURES[figure].families),
                    labels={"figure": figure, "language": language},
                )
                for language, path in wf.figure_outputs(config, figure).items()
            },
        params:
            figure=figure,
            names=canonical_json(wf.figure_names(config)),
            captions={language: FIGURES[figure].caption(language) for language in wf.report_languages(config)},
            arguments=wf.figure_arguments(config, figure),
        log:
            f"results/logs/figure_{figure}.log",
        threads: 1
        resources:
            mem_mb=wf.mem_mb(f"figure_{figure}"),
            runtime=wf.runtime(f"figure_{figure}"),
        conda:
            ENV
        shell:
            "pa-study figure {params.figure} --names {params.names:q} --codebook {input.codebook:q}"
            " {params.arguments} --log {log:q}"

# The PDF report (issue 6), one per language of report.languages (reports/pa-study-report.pdf in
# English, reports/pa-study-report.<language>.pdf in the others), built from results files only:
# indicators, clean summaries, the figures in its language and the comparison, with the hashes of
# the raw files, the config and the commit of the code.


rule report_pdf:
    input:
        unpack(lambda w: wf.report_inputs(config, wf.report_language(w.suffix))),
    output:
        report(
            "reports/pa-study-report{suffix}.pdf",
            caption="report/report.rst",
            category="Report",
            labels=lambda w: {"language": wf.report_language(w.suffix)},
        ),
    params:
        # A function, so that Snakemake does not read "{focal}" in the study title as a wildcard.
        study=lambda w: canonical_json(wf.report_study(config)),
        settings=canonical_json(wf.report_settings(config)),
        arguments=lambda w: wf.report_arguments(config, wf.report_language(w.suffix)),
        config_sha256=wf.config_sha256(config),
        commit=wf.git_commit(workflow.basedir),
    wildcard_constraints:
        suffix="|".join(wf.report_suffix(language) for language in wf.LANGUAGES).replace(".", r"\."),
    log:
        "results/logs/report{suffix}.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("report_pdf"),
        runtime=wf.runtime("report_pdf"),
    conda:
        ENV
    shell:
        "pa-study report --study {params.study:q} --settings {params.settings:q} {params.arguments}"
        " --codebook {input.codebook:q} --config-sha256 {params.config_sha256} --git-commit {params.commit}"
        " --output {output:q} --log {log:q}"

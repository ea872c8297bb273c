# The PDF report (issue 6), built from results files only: indicators, clean summaries, figures
# and the comparison, with the hashes of the raw files, the config and the commit of the code.


rule report_pdf:
    input:
        **wf.report_inputs(config),
    output:
        wf.REPORT_PDF,
    params:
        study=canonical_json(wf.report_study(config)),
        settings=canonical_json(config["report"]),
        arguments=wf.report_arguments(config),
        config_sha256=wf.config_sha256(config),
        commit=wf.git_commit(workflow.basedir),
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

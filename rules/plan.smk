# Planning the next survey (issue 14): the sample a county's next survey needs for each exit
# criterion's verdict, and the minimum detectable effects, from its current design
# (results/<county>/plan.json; the focal county's by default).


rule plan:
    input:
        unpack(lambda w: wf.plan_inputs(config, w.county)),
    output:
        wf.plan_output("{county}"),
    params:
        settings=lambda w: canonical_json(PlanSettings.from_config(config, w.county).to_dict()),
        clean_dir=lambda w: wf.clean_dir(w.county),
        indicators=lambda w: wf.plan_arguments(config, w.county),
    log:
        "results/{county}/logs/plan.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("plan"),
        runtime=wf.runtime("plan"),
    conda:
        ENV
    shell:
        "pa-study plan --settings {params.settings:q} --clean-dir {params.clean_dir:q}"
        " --codebook {input.codebook:q} {params.indicators} --output {output:q} --log {log:q}"

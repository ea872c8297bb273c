# Clean: typed, checked, de-identified tables with the survey design, plus the cleaning log,
# quarantine, duplicates report and reconciled counts.


rule clean:
    input:
        unpack(lambda w: wf.clean_inputs(config, w.county)),
    output:
        **wf.clean_outputs("{county}"),
    params:
        county=lambda w: canonical_json(clean_settings(config, w.county)),
        cleaning=canonical_json(config["cleaning"]),
        arguments=lambda w: wf.clean_arguments(config, w.county),
        outdir=lambda w: wf.clean_dir(w.county),
    log:
        "results/{county}/logs/clean.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("clean"),
        runtime=wf.runtime("clean"),
    conda:
        ENV
    shell:
        "pa-study clean --county-config {params.county:q} --cleaning {params.cleaning:q}"
        " --codebook {input.codebook:q} {params.arguments} --outdir {params.outdir:q} --log {log:q}"

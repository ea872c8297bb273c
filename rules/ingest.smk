# Ingest: raw file (any format) -> de-identified canonical text table. Personal data stop here.


rule ingest:
    input:
        raw=lambda w: wf.raw_file(config, w.county, w.instrument),
        codebook=config["codebook"],
    output:
        **wf.ingest_outputs("{county}", "{instrument}"),
    params:
        county=lambda w: canonical_json(ingest_settings(config, w.county, w.instrument)),
        pseudonym=canonical_json(config["pseudonym"]),
    log:
        "results/{county}/logs/ingest_{instrument}.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("ingest"),
        runtime=wf.runtime("ingest"),
    conda:
        ENV
    shell:
        "pa-study ingest --instrument {wildcards.instrument} --county-config {params.county:q}"
        " --pseudonym {params.pseudonym:q} --codebook {input.codebook:q}"
        " --output {output.table:q} --report {output.report:q} --log {log:q}"


rule ingest_corrections:
    input:
        corrections=lambda w: config["counties"][w.county]["corrections"],
        codebook=config["codebook"],
    output:
        wf.corrections_output("{county}"),
    params:
        county=lambda w: canonical_json(corrections_settings(config, w.county)),
        pseudonym=canonical_json(config["pseudonym"]),
    log:
        "results/{county}/logs/ingest_corrections.log",
    threads: 1
    resources:
        mem_mb=wf.mem_mb("ingest_corrections"),
        runtime=wf.runtime("ingest_corrections"),
    conda:
        ENV
    shell:
        "pa-study ingest-corrections --county-config {params.county:q} --pseudonym {params.pseudonym:q}"
        " --codebook {input.codebook:q} --output {output:q} --log {log:q}"

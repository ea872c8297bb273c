# Ingest: raw file (any format) -> de-identified canonical text table. Personal data stop here.


rule ingest:
    input:
        raw=raw_file,
        codebook=config["codebook"],
    output:
        table="results/{county}/ingest/{instrument}.parquet",
        report="results/{county}/ingest/{instrument}_report.json",
    params:
        county=ingest_params,
        pseudonym=canonical_json(config["pseudonym"]),
    log:
        "results/{county}/logs/ingest_{instrument}.log",
    threads: 1
    resources:
        mem_mb=2048,
        runtime=15,
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
        "results/{county}/ingest/corrections.parquet",
    params:
        county=corrections_params,
        pseudonym=canonical_json(config["pseudonym"]),
    log:
        "results/{county}/logs/ingest_corrections.log",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=5,
    conda:
        ENV
    shell:
        "pa-study ingest-corrections --county-config {params.county:q} --pseudonym {params.pseudonym:q}"
        " --codebook {input.codebook:q} --output {output:q} --log {log:q}"

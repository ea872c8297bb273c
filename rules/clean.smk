# Clean: typed, checked, de-identified tables with the survey design, plus the cleaning log,
# quarantine, duplicates report and reconciled counts.


rule clean:
    input:
        unpack(clean_inputs),
    output:
        households="results/{county}/clean/households.parquet",
        cadres="results/{county}/clean/cadres.parquet",
        projects="results/{county}/clean/projects.parquet",
        villages="results/{county}/clean/villages.parquet",
        quarantine=expand("results/{{county}}/clean/quarantine_{instrument}.csv", instrument=INSTRUMENTS),
        log_table="results/{county}/clean/cleaning_log.csv",
        duplicates="results/{county}/clean/duplicates_report.csv",
        summary="results/{county}/clean/summary.json",
    params:
        county=clean_params,
        cleaning=canonical_json(config["cleaning"]),
        arguments=clean_arguments,
        outdir=lambda w: f"results/{w.county}/clean",
    log:
        "results/{county}/logs/clean.log",
    threads: 1
    resources:
        mem_mb=4096,
        runtime=30,
    conda:
        ENV
    shell:
        "pa-study clean --county-config {params.county:q} --cleaning {params.cleaning:q}"
        " --codebook {input.codebook:q} {params.arguments} --outdir {params.outdir:q} --log {log:q}"

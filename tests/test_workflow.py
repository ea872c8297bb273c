"""The workflow's paths and arguments (pa_study.workflow), without Snakemake."""

from __future__ import annotations

import copy
import json
import shlex
import subprocess
import sys

import pytest
import yaml

from pa_study import workflow as wf
from pa_study.compare import PARTS
from pa_study.config import INSTRUMENTS, canonical_json
from pa_study.figures import FIGURES
from pa_study.indicators import FAMILIES
from tests.helpers import project


@pytest.fixture(scope="module")
def config() -> dict:
    return project.config()


def values(arguments: str, flag: str) -> list[str]:
    """The values given to ``flag`` in a rule's arguments string."""
    words = shlex.split(arguments)
    return [words[i + 1] for i, word in enumerate(words) if word == flag]


def paths_of(values_: list[str]) -> list[str]:
    """The paths of ``key=path`` values."""
    return [value.split("=", 1)[1] for value in values_]


def test_the_study_counties_are_the_focal_county_then_the_benchmarks(config):
    assert wf.study_counties(config) == ["H", "Yishui", "Boxing", "Lankao"]


def filled(outputs: dict, **wildcards: str) -> dict:
    """``outputs`` with the wildcards filled in, as Snakemake fills a rule's output patterns."""
    return {
        key: [p.format(**wildcards) for p in value] if isinstance(value, list) else value.format(**wildcards)
        for key, value in outputs.items()
    }


def test_called_with_wildcards_a_path_function_gives_the_rule_pattern():
    ingest = wf.ingest_outputs("{county}", "{instrument}")
    assert filled(ingest, county="H", instrument="households") == wf.ingest_outputs("H", "households")
    assert filled(wf.clean_outputs("{county}"), county="H") == wf.clean_outputs("H")
    indicators = wf.indicator_outputs("{county}", "{family}")
    assert filled(indicators, county="H", family="income") == wf.indicator_outputs("H", "income")


def test_clean_reads_what_ingest_writes_and_passes_exactly_that(config):
    inputs = wf.clean_inputs(config, "H")
    written = [path for i in INSTRUMENTS for path in wf.ingest_outputs("H", i).values()]
    assert set(inputs["tables"]) | set(inputs["reports"]) <= set(written)
    assert inputs["corrections"] == wf.corrections_output("H")
    arguments = wf.clean_arguments(config, "H")
    assert paths_of(values(arguments, "--table")) == inputs["tables"]
    assert paths_of(values(arguments, "--report")) == inputs["reports"]
    assert [v.split("=")[0] for v in values(arguments, "--table")] == list(INSTRUMENTS)
    assert values(arguments, "--corrections") == [inputs["corrections"]]


def test_a_county_without_corrections_or_cadres_gets_neither(config):
    edited = copy.deepcopy(config)
    del edited["counties"]["Yishui"]["corrections"]
    del edited["counties"]["Yishui"]["files"]["cadres"]
    inputs = wf.clean_inputs(edited, "Yishui")
    assert "corrections" not in inputs
    assert not any("cadres" in path for path in inputs["tables"] + inputs["reports"])
    arguments = wf.clean_arguments(edited, "Yishui")
    assert "--corrections" not in arguments and "cadres=" not in arguments


def test_indicators_read_what_clean_writes(config):
    written = wf.output_paths(wf.clean_outputs("Boxing"))
    for family in FAMILIES:
        inputs = wf.indicator_inputs(config, "Boxing", family)
        assert inputs["codebook"] == config["codebook"]
        assert {k: v for k, v in inputs.items() if k != "codebook"}.keys() == {"summary", *FAMILIES[family].instruments}
        assert set(inputs.values()) - {config["codebook"]} <= set(written)


def test_every_indicator_argument_is_a_declared_input_of_the_same_county_and_family(config):
    arguments = values(wf.indicator_arguments(config, ["income"]), "--indicators")
    assert arguments == [f"{c}:income={wf.indicator_outputs(c, 'income')['json']}" for c in wf.study_counties(config)]
    assert paths_of(arguments) == wf.indicator_files(config, ["income"])


def test_each_figure_reads_and_passes_the_files_of_its_families(config):
    for name, spec in FIGURES.items():
        inputs = wf.figure_inputs(config, name)
        assert len(inputs["indicators"]) == len(spec.families) * len(wf.study_counties(config))
        arguments = wf.figure_arguments(config, name)
        assert paths_of(values(arguments, "--indicators")) == inputs["indicators"]
        assert inputs["tables"] == [path.removesuffix(".json") for path in inputs["indicators"]]
        assert inputs["codebook"] == config["codebook"]
        assert values(arguments, "--output") == [f"en={wf.figure_output(name)}", f"zh={wf.figure_output(name, 'zh')}"]
        assert values(arguments, "--function") == [spec.function]
        assert values(arguments, "--argument") == [f"{key}={value}" for key, value in spec.arguments.items()]


def test_each_language_has_its_figures_and_report_and_english_keeps_the_plain_names(config):
    assert wf.report_languages(config) == ["en", "zh"]
    assert wf.figure_output("cadre_time") == "results/figures/cadre_time.svg"
    assert wf.figure_output("cadre_time", "zh") == "results/figures/zh/cadre_time.svg"
    assert [wf.report_pdf(language) for language in ("en", "zh")] == [
        "reports/pa-study-report.pdf",
        "reports/pa-study-report.zh.pdf",
    ]
    for language in ("en", "zh"):
        assert wf.report_language(wf.report_suffix(language)) == language
        assert wf.report_pdf(language) == f"reports/pa-study-report{wf.report_suffix(language)}.pdf"
    assert wf.county_names(config, "zh")["Lankao"] == "兰考县"
    names = json.loads(canonical_json(wf.figure_names(config)))  # as the figure job receives them
    assert names["zh"] == [["H", "H县"], ["Yishui", "沂水县"], ["Boxing", "博兴县"], ["Lankao", "兰考县"]]
    assert "languages" not in wf.report_settings(config)


def test_the_comparison_passes_only_declared_inputs(config):
    for part in PARTS:
        inputs = wf.comparison_inputs(config, part)
        arguments = wf.comparison_arguments(config, part)
        assert paths_of(values(arguments, "--indicators")) == inputs["indicators"] == wf.indicator_files(config)
        for folder in paths_of(values(arguments, "--clean-dir")):
            assert f"{folder}/summary.json" in inputs["clean"]
    assert len(values(wf.comparison_arguments(config, "pooled"), "--clean-dir")) == 4
    assert {"table", "vocabulary"} <= wf.comparison_inputs(config, "published").keys()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_report_passes_only_declared_inputs(config, language):
    inputs = wf.report_inputs(config, language)
    arguments = wf.report_arguments(config, language)
    assert values(arguments, "--language") == [language]
    assert paths_of(values(arguments, "--indicators")) == inputs["indicators"]
    assert paths_of(values(arguments, "--summary")) == inputs["summaries"]
    assert [v.split("=")[0] for v in values(arguments, "--summary")] == wf.study_counties(config)
    figures = [wf.figure_output(n, language) for n in FIGURES]
    assert paths_of(values(arguments, "--figure"))[: len(FIGURES)] == inputs["figures"] == figures
    # The specification curves are files in the curve folders the report declares.
    curves = paths_of(values(arguments, "--figure"))[len(FIGURES) :]
    assert len(curves) == 4
    assert all(any(path.startswith(f"{folder}/") for folder in inputs["multiverse"]) for path in curves)
    verdicts = paths_of(values(arguments, "--multiverse"))
    assert verdicts == [wf.multiverse_outputs("H", f)["verdicts"] for f in ("identification", "income", "capability")]
    assert set(verdicts) <= set(inputs["multiverse"])
    assert values(arguments, "--provenance") == inputs["raw"]
    assert values(arguments, "--comparison") == [inputs["comparison"]] == [wf.comparison_outputs("microdata")["json"]]
    assert values(arguments, "--published") == [inputs["published"]]
    assert values(arguments, "--plan") == [inputs["plan"]] == [wf.plan_output("H")]
    assert inputs["published"] in wf.comparison_outputs("published")["tables"]
    # four files and a corrections file per county, and the cadre rosters of H and Yishui
    assert len(inputs["raw"]) == 4 * 4 + 4 + 2


def test_the_report_study_holds_only_what_the_report_prints(config):
    study = wf.report_study(config)
    assert list(study["counties"]) == wf.study_counties(config)
    assert all(set(block) <= {"name", "name_zh", "synthetic"} for block in study["counties"].values())
    assert list(wf.county_names(config)) == wf.study_counties(config)


def test_the_default_targets_are_every_stage_output_once(config):
    targets = wf.study_targets(config)
    assert len(targets) == len(set(targets))
    assert targets[-2:] == [wf.REPORT_PDF, wf.report_pdf("zh")]
    for county in wf.study_counties(config):
        assert set(wf.output_paths(wf.clean_outputs(county))) <= set(targets)
        assert {wf.indicator_outputs(county, f)["json"] for f in FAMILIES} <= set(targets)
    for part in PARTS:
        assert set(wf.output_paths(wf.comparison_outputs(part))) <= set(targets)


def test_the_plan_passes_only_declared_inputs_and_the_focal_county_is_planned_by_default(config):
    for county, others in (("H", ["Yishui", "Boxing", "Lankao"]), ("Lankao", ["H"])):
        inputs = wf.plan_inputs(config, county)
        arguments = values(wf.plan_arguments(config, county), "--indicators")
        expected = [wf.indicator_outputs(c, f)["json"] for c in [county, *others] for f in FAMILIES]
        assert paths_of(arguments) == inputs["indicators"] == expected
        assert inputs["households"] == wf.clean_outputs(county)["households"]
    assert [t for t in wf.study_targets(config) if t.endswith("plan.json")] == [wf.plan_output("H")]


def test_the_multiverse_jobs_read_declared_inputs_and_are_default_targets(config):
    targets = wf.study_targets(config)
    for family in ("identification", "income", "capability"):
        specs = wf.multiverse_specifications(config, "H", family)
        inputs = wf.multiverse_family_inputs(config, "H", family)
        assert inputs["baseline"] == wf.indicator_outputs("H", family)["json"]
        assert inputs["specifications"] == [
            wf.multiverse_specification_output("H", family, s.key) for s in specs if not s.baseline
        ]
        arguments = wf.multiverse_table_arguments(config, "H", family)
        assert values(arguments, "--specification") == inputs["specifications"]
        assert values(arguments, "--baseline") == [inputs["baseline"]]
        grid = wf.multiverse_grid(config, "H", family)
        assert list(grid["choices"]) == [s.key for s in specs]
        job = wf.multiverse_specification(config, "H", family, specs[1].key)
        assert job == {"settings": specs[1].settings.to_dict(), "choices": specs[1].choices}
        assert set(wf.multiverse_outputs("H", family).values()) <= set(targets)
    assert not any("/Lankao/multiverse/" in t for t in targets)  # the focal county only, by default
    with pytest.raises(KeyError, match="no specification"):
        wf.multiverse_specification(config, "H", "income", "s0000000000")


def test_config_hash_is_stable_and_follows_the_config(config):
    assert wf.config_sha256(config) == wf.config_sha256(dict(reversed(list(config.items()))))
    edited = copy.deepcopy(config)
    edited["cleaning"]["outlier_iqr_multiplier"] = 2.5
    assert wf.config_sha256(edited) != wf.config_sha256(config)


def test_git_commit_outside_a_checkout_is_unknown(tmp_path):
    assert wf.git_commit(tmp_path) == "unknown"
    assert len(wf.git_commit(project.ROOT)) in (40, len("unknown"))


def test_every_rule_has_a_footprint_and_every_readable_format_too(config):
    from pa_study.ingest.readers import FORMATS

    assert {wf.footprint_kind("ingest", f"x{suffix}") for suffix in FORMATS} <= set(wf.FOOTPRINTS)
    rules = ["ingest_corrections", "clean", "indicators", "plan", "report_pdf", *(f"compare_{p}" for p in PARTS)]
    rules += ["multiverse_specification", "multiverse_table"]
    rules += [f"figure_{name}" for name in FIGURES]
    assert {wf.footprint_kind(rule) for rule in rules} <= set(wf.FOOTPRINTS)
    assert set(wf.SIZED_INPUTS) == {"ingest", "figure", *(r for r in rules if not r.startswith("figure_"))}


def test_requests_grow_with_the_input_and_the_attempt():
    small, census = wf.memory_request_mb("clean", 1.0), wf.memory_request_mb("clean", 200.0)
    assert wf.FOOTPRINTS["clean"].memory_mb < small < census
    assert wf.memory_request_mb("clean", 200.0, attempt=2) == pytest.approx(2 * census, abs=1)
    assert wf.runtime_request_minutes("clean", 1.0) == wf.MIN_RUNTIME_MINUTES
    assert wf.runtime_request_minutes("clean", 5000.0) > wf.MIN_RUNTIME_MINUTES
    # an .xlsx packs more cells into each MB than a CSV
    assert wf.memory_request_mb("ingest:xlsx", 50.0) > wf.memory_request_mb("ingest:csv", 50.0)


def test_a_rule_resource_sizes_the_job_by_its_inputs_and_waits_for_missing_ones(tmp_path):
    table = tmp_path / "households.parquet"
    table.write_bytes(b"x" * 3_000_000)
    summary = tmp_path / "summary.json"
    summary.write_text("{}")
    inputs = {"codebook": str(summary), "summary": str(summary), "households": str(table)}
    assert wf.job_size("indicators", inputs) == ("indicators", pytest.approx(3.0))
    assert wf.mem_mb("indicators")(None, inputs, 1) == wf.memory_request_mb("indicators", 3.0)
    assert wf.runtime("indicators")(None, inputs, 2) == wf.runtime_request_minutes("indicators", 3.0, 2)
    raw = {"raw": str(tmp_path / "households.xlsx"), "codebook": str(summary)}
    # Snakemake re-evaluates a request whose input is not written yet when it sees this error.
    with pytest.raises(FileNotFoundError) as missing:
        wf.mem_mb("ingest")(None, raw, 1)
    assert missing.value.filename == raw["raw"]
    (tmp_path / "households.xlsx").write_bytes(b"x" * 1_000_000)
    assert wf.job_size("ingest", raw) == ("ingest:xlsx", pytest.approx(1.0))


def test_every_rule_runs_in_a_slurm_group_and_the_groups_name_only_rules_of_the_workflow():
    """Each Slurm job starts Snakemake on its node, which takes longer than most steps: a rule left out of
    the profile's groups would be one Slurm job per step again, and a misspelt rule name is ignored."""
    listed = subprocess.run(
        [sys.executable, "-m", "snakemake", "--list-rules"], cwd=project.ROOT, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr[-2000:]
    rules = set(listed.stdout.split()) - {"all"}
    profile = yaml.safe_load((project.ROOT / "profiles" / "slurm" / "config.yaml").read_text(encoding="utf-8"))
    grouped = set(profile["groups"])
    assert rules - grouped == set(), "rules without a Slurm group"
    assert grouped - rules == set(), "groups naming no rule of the workflow"
    assert set(profile["group-components"]) <= set(profile["groups"].values())

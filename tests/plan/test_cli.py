"""``pa-study plan``: the table it prints from the study's results, and its clear refusals."""

from __future__ import annotations

import shutil

import pytest
import yaml

from pa_study.cli import main
from pa_study.indicators.output import write_result
from pa_study.indicators.registry import FAMILIES
from tests.helpers.demo_data import demo_clean_dir, demo_result
from tests.helpers.project import ROOT, config


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A study folder holding the demo config (two counties, few simulations) and the results the
    plan reads: H's cleaned tables and the indicator files of H and Lankao."""
    folder = tmp_path_factory.mktemp("study")
    settings = config()
    settings.update(benchmarks=["Lankao"])
    settings["planning"] = {**settings["planning"], "simulations": 20}
    settings["codebook"] = str(ROOT / settings["codebook"])
    (folder / "config.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    shutil.copytree(demo_clean_dir("H"), folder / "results/H/clean")
    for county in ("H", "Lankao"):
        for family in FAMILIES:
            out = folder / "results" / county / "indicators"
            write_result(demo_result(family, county), out / f"{family}.json", out / family)
    return folder


def plan(study, *arguments):
    return main(
        ["plan", "--configfile", str(study / "config.yaml"), "--schema", str(ROOT / "config.schema.yaml"), *arguments]
    )


def test_plan_prints_the_sample_a_criterion_needs(study, monkeypatch, capsys):
    monkeypatch.chdir(study)
    assert plan(study, "--county", "H", "--target", "wrongful_exit_rate", "--true-rate", "0.01") == 0
    out = capsys.readouterr().out
    assert "H: wrongful_exit_rate < 0.02" in out
    assert "true rate 1.0%: certify it met" in out
    assert "same households per village" in out
    assert "the current sample does not suffice" in out or "the current sample suffices" in out


def test_plan_prints_an_effect_and_the_whole_plan(study, monkeypatch, capsys):
    monkeypatch.chdir(study)
    assert plan(study, "--target", "att_earned_pc", "--mde", "250") == 0
    assert "minimum detectable effect" in capsys.readouterr().out
    assert plan(study) == 0
    out = capsys.readouterr().out
    assert "missed_rate" in out and "against each other county" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--county", "Nowhere"], "not a studied county"),
        (["--target", "wrongful_exit_rate", "--true-rate", "1.5"], "expected a rate between 0 and 1"),
        (["--target", "att_earned_pc", "--true-rate", "0.01"], "is an effect"),
        (["--target", "no_such_rate", "--true-rate", "0.01"], "cannot be planned"),
        (["--mde", "100"], "need --target"),
    ],
)
def test_plan_refuses_what_it_cannot_plan_with_one_message(study, monkeypatch, capsys, arguments, message):
    monkeypatch.chdir(study)
    assert plan(study, *arguments) == 1
    assert message in capsys.readouterr().err


def test_plan_without_results_says_to_run_the_workflow_first(study, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert plan(study, "--log", str(tmp_path / "plan.log")) == 1
    assert "run `snakemake --cores 2` first" in capsys.readouterr().err

"""Running the multiverse (pa_study.multiverse.run): a specification recomputes the family as the
config would with that choice; the table stacks every specification; the verdict shares count
them; the specification curves are drawn the same on every run."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from pa_study.files import read_json, write_json
from pa_study.indicators import FAMILIES
from pa_study.indicators.output import json_ready
from pa_study.multiverse import family_specifications
from pa_study.multiverse.run import multiverse_table, run_multiverse_table, run_specification, verdict_shares
from tests.helpers.demo_data import demo_clean_dir
from tests.helpers.project import codebook, config


def test_a_specification_is_the_family_computed_under_that_choice(tmp_path):
    spec = next(
        s for s in family_specifications(config(), "identification", "H") if s.choices["eligibility"] == "income"
    )
    document = run_specification(
        family="identification",
        settings=spec.settings,
        key=spec.key,
        choices=spec.choices,
        clean_dir=demo_clean_dir("H"),
        codebook=codebook(),
        output=tmp_path / "spec.json",
    )
    # The same estimates as the indicators stage gives a config that sets the choice itself.
    changed = copy.deepcopy(config())
    changed["indicators"]["identification"]["eligibility"] = "income"
    changed["indicators"]["identification"]["missing_item"] = spec.choices["missing_item"]
    from pa_study.indicators import CleanedTables
    from pa_study.indicators.run import cleaned_tables, family_result

    tables = CleanedTables(cleaned_tables(demo_clean_dir("H"), ("households",)), codebook())
    expected = family_result(
        FAMILIES["identification"], tables, FAMILIES["identification"].settings_from_config(changed, "H")
    )
    rows = {r["name"]: r for r in expected.headline}
    for row in document["headline"]:
        if row.get("estimate") is not None:
            assert row["estimate"] == pytest.approx(rows[row["name"]]["estimate"], rel=1e-9)
    assert read_json(tmp_path / "spec.json")["choices"] == spec.choices
    assert document["settings"]["identification"]["eligibility"] == "income"


def rate(estimate, low, high):
    return {
        "name": "wrongful_exit_rate",
        "label": "错退率 wrongful-exit rate",
        "estimate": estimate,
        "se": 0.01,
        "ci_low": low,
        "ci_high": high,
        "n": 400,
        "threshold": 0.02,
        "threshold_operator": "<",
    }


def effect(estimate, low, high):
    return {
        "name": "att_earned_pc",
        "label": "效应 effect",
        "estimate": estimate,
        "se": 100.0,
        "ci_low": low,
        "ci_high": high,
        "n": 800,
    }


@pytest.fixture
def documents(tmp_path):
    """A baseline that fails (interval above 2%) and three specifications: one failing, one
    inconclusive, one without an estimate."""
    write_json({"headline": [rate(0.05, 0.03, 0.07), effect(300.0, 100.0, 500.0)]}, tmp_path / "baseline.json")
    specs = {
        "s1": [rate(0.045, 0.025, 0.065), effect(250.0, 50.0, 450.0)],
        "s2": [rate(0.03, 0.01, 0.05), effect(90.0, -110.0, 290.0)],
        "s3": [{"name": "wrongful_exit_rate", "label": "错退率 wrongful-exit rate", "estimate": None}],
    }
    paths = []
    for key, headline in specs.items():
        write_json(
            json_ready({"family": "identification", "specification": key, "headline": headline}),
            tmp_path / f"{key}.json",
        )
        paths.append(tmp_path / f"{key}.json")
    choices = {
        "baseline": {"eligibility": "income_or_items", "missing_item": "not_failed"},
        "s1": {"eligibility": "income", "missing_item": "not_failed"},
        "s2": {"eligibility": "items", "missing_item": "not_failed"},
        "s3": {"eligibility": "items", "missing_item": "unknown"},
    }
    return tmp_path / "baseline.json", paths, choices


def test_the_table_holds_every_specification_and_the_shares_count_the_verdicts(documents):
    baseline, paths, choices = documents
    table = multiverse_table("identification", baseline, paths, choices, ["wrongful_exit_rate"])
    assert list(table["specification"]) == ["baseline", "s1", "s2", "s3"]
    assert list(table["verdict"].fillna("none")) == ["fail", "fail", "inconclusive", "none"]
    assert list(table.columns[:4]) == ["specification", "baseline", "eligibility", "missing_item"]
    shares = verdict_shares(table).set_index("headline")
    row = shares.loc["wrongful_exit_rate"]
    assert (row["baseline_verdict"], row["specifications"], row["agreeing"]) == ("fail", 3, 2)
    assert row["share"] == pytest.approx(2 / 3)
    assert (row["estimate_min"], row["estimate_max"]) == (0.03, 0.05)


def test_a_headline_the_family_does_not_report_is_refused(documents):
    from pa_study.errors import InputError

    baseline, paths, choices = documents
    with pytest.raises(InputError, match="does not report"):
        multiverse_table("identification", baseline, paths, choices, ["no_such_rate"])


def test_the_curves_are_drawn_in_each_language_and_the_same_on_a_rerun(documents, tmp_path):
    baseline, paths, choices = documents
    outputs = []
    for run in ("a", "b"):
        shares = run_multiverse_table(
            family="identification",
            baseline=baseline,
            specifications=paths,
            choices=choices,
            headlines=["wrongful_exit_rate"],
            table_out=tmp_path / run / "table.csv",
            verdicts_out=tmp_path / run / "verdicts.csv",
            curves_dir=tmp_path / run / "curves",
            languages=["en", "zh"],
        )
        outputs.append({p.relative_to(tmp_path / run): p.read_bytes() for p in sorted((tmp_path / run).rglob("*.*"))})
    assert outputs[0] == outputs[1]
    assert {str(p) for p in outputs[0]} == {
        "table.csv",
        "verdicts.csv",
        "curves/wrongful_exit_rate.svg",
        "curves/zh/wrongful_exit_rate.svg",
    }
    assert list(shares["agreeing"]) == [2]
    assert pd.read_csv(tmp_path / "a" / "table.csv", encoding="utf-8-sig").shape[0] == 4


def test_the_table_command_writes_its_outputs_and_refuses_an_unknown_headline(documents, tmp_path, capsys):
    import json

    from pa_study.cli import main

    baseline, paths, choices = documents

    def table_command(headlines, out):
        grid = json.dumps({"headlines": headlines, "choices": choices})
        specs = [a for path in paths for a in ("--specification", str(path))]
        return main(
            ["multiverse-table", "--family", "identification", "--grid", grid, "--baseline", str(baseline), *specs]
            + ["--table", str(out / "t.csv"), "--verdicts", str(out / "v.csv"), "--curves", str(out / "c")]
            + ["--language", "en", "--log", str(out / "log.txt")]
        )

    assert table_command(["wrongful_exit_rate"], tmp_path / "ok") == 0
    assert (tmp_path / "ok" / "c" / "wrongful_exit_rate.svg").is_file()
    assert "holds in 2 of 3 specifications" in (tmp_path / "ok" / "log.txt").read_text(encoding="utf-8")
    assert table_command(["no_such_rate"], tmp_path / "bad") == 1
    assert "which the identification family does not report" in capsys.readouterr().err
    assert not (tmp_path / "bad" / "t.csv").exists()

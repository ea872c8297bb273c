"""Settings, the output contract, the CLI and a county without a cadre survey."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pa_study.cli import main
from pa_study.config import canonical_json
from pa_study.errors import InputError
from pa_study.files import write_json, write_parquet
from pa_study.indicators import FAMILIES, family_settings
from pa_study.indicators.family import CleanedTables
from pa_study.indicators.output import (
    ZERO_VARIANCE_DEFF,
    FamilyResult,
    estimate_from_row,
    estimate_table,
    headline_row,
    json_ready,
    write_result,
)
from pa_study.indicators.run import CENSUS_NOTE, cleaned_tables, family_result, run_indicators
from pa_study.indicators.settings import county_entries
from pa_study.stats import Estimate
from tests.helpers.demo_data import demo_clean_dir, demo_result
from tests.helpers.indicator_data import households, settings, village_frame
from tests.helpers.project import codebook, config

ROOT_CODEBOOK = "data/codebook/codebook.yaml"


def test_a_family_depends_on_its_own_config_part_only() -> None:
    cfg = config()
    before = canonical_json(family_settings(cfg, "capability", "H").to_dict())
    cfg["indicators"]["income"]["log_floor"] = 1
    cfg["indicators"]["formalism"]["baselines"] = {"Yishui": {"hours_meetings": 9.0}}
    assert canonical_json(family_settings(cfg, "capability", "H").to_dict()) == before
    assert family_settings(cfg, "formalism", "H").formalism.baselines == {}
    assert family_settings(cfg, "formalism", "Yishui").formalism.baselines == {"hours_meetings": 9.0}
    assert "identification" in family_settings(cfg, "formalism", "H").to_dict()  # it needs the eligibility rule
    with pytest.raises(InputError, match="unknown indicator family"):
        family_settings(cfg, "wellbeing", "H")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_settings_are_written_back_as_exactly_the_json_they_were_read_from(family: str) -> None:
    for county in ("H", "Yishui"):
        typed = family_settings(config(), family, county)
        part = FAMILIES[family].settings.config_part(config(), family, county)
        assert canonical_json(typed.to_dict()) == canonical_json(part)
        assert FAMILIES[family].settings_from_json(typed.to_dict()) == typed


def test_typed_settings_keep_numbers_as_written_and_leave_absent_keys_out() -> None:
    line = family_settings(config(), "identification", "H").to_dict()["poverty_lines"][0]
    assert line["value"] == 2536 and isinstance(line["value"], int)
    target = family_settings(config(), "formalism", "H").formalism.targets[1]
    assert target.reduction_max is None and "reduction_max" not in target.to_dict()
    education = family_settings(config(), "capability", "H").capability.dimensions["education"]
    assert education[0].to_dict() == {"column": "head_schooling"} and education[0].per_member is False


def test_indicator_files_record_the_lines_they_used(tmp_path) -> None:
    yishui = settings("identification", "Yishui")
    assert [(e["year"], e["value"]) for e in yishui.lines_used([2020, 2015, 2015])] == [(2015, 3372), (2020, 4000)]
    assert "Shandong" in yishui.lines_used([2015])[0]["source"]
    with pytest.raises(InputError, match="no line for 2031"):
        yishui.lines_used([2031])
    result = FamilyResult("identification", "Yishui", yishui, poverty_lines=yishui.lines_used([2015]))
    document = write_result(result, tmp_path / "identification.json", tmp_path / "identification")
    assert document["poverty_lines_used"][0]["value"] == 3372
    assert (
        write_result(FamilyResult("income", "H", settings("income")), tmp_path / "i.json", tmp_path)[
            "poverty_lines_used"
        ]
        == []
    )


def test_settings_with_an_unknown_key_are_refused_naming_it() -> None:
    data = settings("income").to_dict()
    data["income"]["bandwidth"] = 3
    with pytest.raises(InputError, match="key 'income.bandwidth'"):
        FAMILIES["income"].settings_from_json(data)


def test_regional_poverty_lines_replace_the_national_line_of_their_year() -> None:
    lines = [
        {"year": 2015, "value": 2855, "source": "national"},
        {"year": 2015, "value": 3372, "source": "Shandong", "counties": ["Yishui"]},
    ]
    assert county_entries(lines, "Yishui") == [{"year": 2015, "value": 3372, "source": "Shandong"}]
    assert county_entries(lines, "H") == [{"year": 2015, "value": 2855, "source": "national"}]
    assert settings("identification").poverty_line(2020) == 4000
    with pytest.raises(InputError, match="no line for 2031"):
        settings("identification").poverty_line(2031)


def test_json_is_valid_and_stable() -> None:
    document = json_ready(
        {"a": np.float64(0.1234567890123), "b": float("nan"), "c": np.int64(3), "d": [np.bool_(True), pd.NA]}
    )
    assert document == {"a": 0.123456789, "b": None, "c": 3, "d": [True, None]}


def test_headline_rows_carry_threshold_verdicts_in_both_directions() -> None:
    estimate = Estimate(name="x", estimate=0.03, se=0.005, ci_low=0.021, ci_high=0.039, n=400)
    below = headline_row("rate", "rate", estimate, "def", threshold=0.02)
    assert (below["passes"], below["passes_ci"], below["reliable"]) == (False, "fail", True)
    reach = headline_row("cut", "cut", estimate, "def", threshold=0.025, operator=">=", min_n=500)
    assert (reach["passes"], reach["passes_ci"], reach["reliable"]) == (True, "inconclusive", False)


def test_estimate_tables_keep_design_effects_for_the_headline_read_back_from_them(tmp_path) -> None:
    with_deff = Estimate("p", 0.2, 0.02, 0.16, 0.24, n=400, extra={"deff": 1.6, "n_effective": 250.0})
    at_zero = Estimate("q", 0.0, 0.0, 0.0, 0.01, n=300, extra={"deff": float("nan")})
    without = Estimate("r", 0.5, 0.05, 0.4, 0.6, n=3)
    table = estimate_table([({"group": "a"}, with_deff), ({"group": "b"}, at_zero), ({"group": "c"}, without)])
    assert table.columns.tolist() == ["group", "estimate", "se", "ci_low", "ci_high", "n", "deff", "n_effective"]
    assert table["deff"].iloc[0] == 1.6 and table["n_effective"].iloc[0] == 250.0
    assert table[["deff", "n_effective"]].iloc[1:].isna().all().all()
    # A table of estimates without design effects keeps its columns.
    assert "deff" not in estimate_table([({"group": "c"}, without)]).columns
    rows = [headline_row(g, g, estimate_from_row(table.iloc[i], g), "def") for i, g in enumerate("abc")]
    assert (rows[0]["deff"], rows[0]["n_effective"]) == (1.6, 250.0) and "deff_note" not in rows[0]
    # Requested but undefined at 0: none, saying why.
    assert rows[1]["deff"] is None and rows[1]["n_effective"] is None and rows[1]["deff_note"] == ZERO_VARIANCE_DEFF
    result = FamilyResult("identification", "H", settings("identification"), tables={"t": table}, headline=rows)
    document = write_result(result, tmp_path / "identification.json", tmp_path / "identification")
    written = pd.read_csv(tmp_path / "identification" / "t.csv", encoding="utf-8-sig")
    # The cell of 3 respondents is suppressed with its design effect (which with n gives p(1 - p) back).
    assert written["flag"].tolist() == [np.nan, np.nan, "x"]
    assert written[["deff", "n_effective"]].iloc[2].isna().all() and written["deff"].iloc[0] == 1.6
    suppressed = document["headline"][2]
    assert suppressed["flag"] == "x" and suppressed["deff"] is None and suppressed["n_effective"] is None


def test_write_result_lists_its_tables_relative_to_the_json(tmp_path) -> None:
    result = FamilyResult(
        "income", "H", settings("income"), tables={"b": pd.DataFrame({"v": [1 / 3]}), "a": pd.DataFrame({"v": [1]})}
    )
    document = write_result(result, tmp_path / "income.json", tmp_path / "income")
    assert document["tables"] == {"a": "income/a.csv", "b": "income/b.csv"}
    first = (tmp_path / "income.json").read_bytes() + (tmp_path / "income" / "b.csv").read_bytes()
    write_result(result, tmp_path / "income.json", tmp_path / "income")
    assert (tmp_path / "income.json").read_bytes() + (tmp_path / "income" / "b.csv").read_bytes() == first


def _clean_dir_without_cadres(folder, n: int = 120, *, census: bool = False):
    """A cleaned county folder whose summary says the cadre survey was not collected (with ``census``,
    every household of its 2 x 2 villages enumerated)."""
    rows = [
        {
            "registered": i % 2 == 0,
            "exited": i % 6 == 0,
            "inc_total": 8000.0 if i % 5 == 0 else 30000.0,
            "head_schooling": i % 12,
            "head_age": 30 + i % 40,
            "hh_size": 2 + i % 4,
            "labour_count": 1 + i % 2,
            "n_chronic": i % 7 == 0,
            "has_skill": i % 3 == 0,
            "migrant_work": i % 4 == 0,
            "training_sessions": i % 3,
            "microcredit": i % 9 == 0,
            "child_out_of_school": i % 31 == 0,
            "n_disabled": i % 13 == 0,
            "motiv_aspire_1": 1 + i % 5,
            "motiv_wait": 5 - i % 5,
            **({"fpc_villages": 2} if census else {}),
        }
        for i in range(n)
    ]
    table = households(rows)
    if census:  # every household of every village's groups enumerated
        table["fpc_households"] = table.groupby(["psu", "design_group"])["psu"].transform("size").astype("Int64")
    write_parquet(table, folder / "households.parquet")
    write_parquet(village_frame(4), folder / "villages.parquet")
    write_json(
        {
            **({"design": {"census": True, "weights": "census"}} if census else {}),
            "tables": {
                "households": {"collected": True},
                "cadres": {"collected": False},
                "projects": {"collected": False},
                "villages": {"collected": True},
            },
        },
        folder / "summary.json",
    )
    return folder


def test_a_county_without_a_cadre_survey_still_runs_every_family(tmp_path) -> None:
    clean = _clean_dir_without_cadres(tmp_path / "clean")
    for family in FAMILIES:
        options = settings(family)
        document = run_indicators(
            family=family,
            settings=options,
            clean_dir=clean,
            codebook=codebook(),
            output=tmp_path / f"{family}.json",
            tables_dir=tmp_path / family,
        )
        # Only a family that cannot do without the project ledger is skipped, and says so.
        expected = ("skipped",) if "projects" in FAMILIES[family].required else ("ok", "partial")
        assert document["status"] in expected, (family, document["notes"])
    projects = json.loads((tmp_path / "projects.json").read_text(encoding="utf-8"))
    assert "no projects table" in projects["notes"][0]
    formalism = json.loads((tmp_path / "formalism.json").read_text(encoding="utf-8"))
    assert formalism["status"] == "partial" and "no cadre survey" in formalism["notes"][0]
    # The income family reads no ledger (the projects family owns it): nothing is missing for it.
    assert json.loads((tmp_path / "income.json").read_text(encoding="utf-8"))["status"] == "ok"


def test_a_census_county_has_no_sampling_error_and_says_so(tmp_path) -> None:
    for census in (True, False):
        folder = tmp_path / str(census)
        document = run_indicators(
            family="identification",
            settings=settings("identification"),
            clean_dir=_clean_dir_without_cadres(folder / "clean", census=census),
            codebook=codebook(),
            output=folder / "identification.json",
            tables_dir=folder / "identification",
        )
        # an estimate on its bound (nobody multidimensionally poor here) has no sampling error in any design
        rates = [r for r in document["headline"] if r["estimate"] not in (None, 0.0, 1.0) and r["name"] != "kappa"]
        assert rates and all((r["se"] == 0.0) == census for r in rates), rates
        assert (CENSUS_NOTE in document["notes"]) == census
        if census:
            assert all(r["ci_low"] == r["ci_high"] == r["estimate"] for r in rates)


def test_cli_writes_the_contract_and_reports_bad_input(tmp_path, capsys) -> None:
    clean = _clean_dir_without_cadres(tmp_path / "clean")
    arguments = [
        "indicators",
        "--family",
        "identification",
        "--settings",
        canonical_json(settings("identification").to_dict()),
        "--clean-dir",
        str(clean),
        "--codebook",
        ROOT_CODEBOOK,
        "--output",
        str(tmp_path / "id.json"),
        "--tables-dir",
        str(tmp_path / "id"),
        "--log",
        str(tmp_path / "id.log"),
    ]
    assert main(arguments) == 0
    document = json.loads((tmp_path / "id.json").read_text(encoding="utf-8"))
    assert {"headline", "definitions", "settings", "tables", "status", "notes", "sample"} <= set(document)
    for row in document["headline"]:
        assert {"name", "label", "estimate", "se", "ci_low", "ci_high", "n", "definition"} <= set(row)
    assert (tmp_path / "id" / "rates.csv").is_file()
    arguments[arguments.index("--clean-dir") + 1] = str(tmp_path / "nowhere")
    assert main(arguments) == 1
    assert "run the clean stage first" in capsys.readouterr().err
    arguments[arguments.index("--family") + 1] = "income"
    assert main(arguments) == 1
    assert "settings are those of family 'identification'" in capsys.readouterr().err


def test_bad_input_met_inside_a_family_is_named_with_family_and_county() -> None:
    from types import SimpleNamespace

    from pa_study.indicators.run import family_result
    from pa_study.indicators.survey import household_design

    one = households([{}], townships=1, villages=1)
    family = SimpleNamespace(
        name="formalism",
        required=("households",),
        compute=lambda t, s: household_design(t["households"], lonely_psu="adjust"),
    )
    with pytest.raises(InputError) as caught:
        family_result(family, {"households": one}, settings("identification", county="Yishui"))
    assert str(caught.value).startswith(
        "formalism indicators of Yishui: cannot build the household survey design from 1 usable "
        "household(s) in 1 village(s) of 1 township(s): the design has no degrees of freedom"
    )


@pytest.mark.parametrize("family", [name for name, spec in FAMILIES.items() if spec.columns is not None])
def test_a_family_reading_only_the_columns_it_declares_writes_what_it_writes_from_every_column(
    family: str, tmp_path
) -> None:
    spec = FAMILIES[family]
    county = "H"
    chosen = settings(family, county)
    read = cleaned_tables(demo_clean_dir(county), spec.instruments, columns=spec.columns(chosen))
    assert len(read["households"].columns) < len(pd.read_parquet(demo_clean_dir(county) / "households.parquet").columns)
    written = {}
    for name, result in (
        ("all", demo_result(family, county)),
        ("declared", family_result(spec, CleanedTables(read, codebook()), chosen)),
    ):
        write_result(result, tmp_path / name / f"{family}.json", tmp_path / name / family, spec.protection)
        written[name] = sorted(p.relative_to(tmp_path / name) for p in (tmp_path / name).rglob("*") if p.is_file())
    assert written["declared"] == written["all"]
    for path in written["all"]:
        assert (tmp_path / "declared" / path).read_bytes() == (tmp_path / "all" / path).read_bytes(), path

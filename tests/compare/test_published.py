"""The published-benchmark table: the seeded figures keep their sources, bad rows are rejected with a
message naming the file and row, and the line-up keeps published figures and survey estimates apart."""

from __future__ import annotations

import pandas as pd
import pytest

from pa_study.cli import main
from pa_study.compare.published import (
    PART,
    PUBLISHED,
    SURVEY,
    load_published,
    load_vocabulary,
    published_result,
)
from pa_study.compare.run import run_published
from pa_study.config import canonical_json
from pa_study.errors import InputError
from tests.helpers.compare_data import demo_items, demo_study, settings
from tests.helpers.project import ROOT

TABLE = ROOT / "data" / "benchmarks" / "published.csv"
VOCABULARY = ROOT / "data" / "benchmarks" / "published.yaml"
GOOD = "Lankao,poverty_incidence,2014,=,0.118,share,county,Lankao County,english.www.gov.cn (2017-03-28),high,"


@pytest.fixture(scope="module")
def vocabulary():
    return load_vocabulary(VOCABULARY)


def test_the_seeded_table_loads_with_a_source_for_every_figure(vocabulary):
    table = load_published(TABLE, vocabulary)
    assert table["source"].str.len().gt(0).all()
    lankao = table[table["county"] == "Lankao"].set_index(["indicator", "year"])
    assert lankao.loc[("poverty_incidence", 2014), "value"] == pytest.approx(0.118)
    assert lankao.loc[("poverty_incidence", 2016), "value"] == pytest.approx(0.0127)
    assert lankao.loc[("registered_poor_people", 2014), "value"] == 77350
    assert lankao.loc[("rural_income_per_capita", 2016), "value"] == 9943
    assert lankao.loc[("exit_year", 2017), "note"].startswith("exit (摘帽) announced 27 March 2017")
    others = table[table["county"].isin(["Yishui", "Boxing"])]
    assert set(others["scope"]) == {"city-wide", "town-level", "village-level"}
    assert {"Linyi city", "Zhuge town", "Binzhou city", "Wantou town"} <= set(others["area"])


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Lankao,poverty_incidence,2014,=,0.118,share,county,Lankao County,,high,",
            "row 3, column 'source': the figure has no source",
        ),
        (
            "Atlantis,poverty_incidence,2014,=,0.118,share,county,,a source,high,",
            "row 3, column 'county': unknown county 'Atlantis'",
        ),
        (
            "Lankao,happiness,2014,=,0.9,share,county,,a source,high,",
            "row 3, column 'indicator': unknown indicator 'happiness'",
        ),
        (
            "Lankao,poverty_incidence,2014,=,11.8%,share,county,,a source,high,",
            "row 3, column 'value': value '11.8%' is not a number",
        ),
        (
            "Lankao,poverty_incidence,2014,=,,share,county,,a source,high,",
            "row 3, column 'value': value '' is not a number",
        ),
        (
            "Lankao,poverty_incidence,2014,=,11.8,percent,county,,a source,high,",
            "row 3, column 'unit': unit 'percent' is not",
        ),
        (
            "Yishui,poverty_incidence,2015,=,0.0485,share,city-wide,,a source,high,",
            "row 3, column 'area': a city-wide figure",
        ),
        (
            "Lankao,poverty_incidence,2014,about,0.1,share,county,,a source,high,",
            "row 3, column 'relation': unknown relation",
        ),
        (
            "Lankao,poverty_incidence,end 2014,=,0.1,share,county,,a source,high,",
            "row 3, column 'year': year 'end 2014'",
        ),
    ],
)
def test_a_bad_row_is_rejected_naming_the_file_and_row(tmp_path, vocabulary, line, message):
    path = tmp_path / "published.csv"
    header = TABLE.read_text(encoding="utf-8").splitlines()[0]
    path.write_text(f"{header}\n{GOOD}\n{line}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_published(path, vocabulary)
    assert str(caught.value).startswith(f"{path}, {message}"), str(caught.value)


def test_a_table_without_a_required_column_is_rejected(tmp_path, vocabulary):
    path = tmp_path / "published.csv"
    path.write_text("county,indicator,year,value,unit\nLankao,exit_year,2017,2017,year\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks the column.s. scope, source"):
        load_published(path, vocabulary)


def test_survey_estimates_are_lined_up_beside_published_figures_and_labelled(vocabulary):
    result = published_result(
        load_published(TABLE, vocabulary), vocabulary, demo_study(), settings("published"), table_path="published.csv"
    )
    assert set(result.tables) == set(PART.tables)
    lineup = result.tables["published_lineup"]
    assert set(lineup["kind"]) == {PUBLISHED, SURVEY}
    wrongful = lineup[lineup["indicator"] == "wrongful_exit_rate"]
    assert wrongful[["county", "kind"]].values.tolist() == [
        ["H", SURVEY],
        ["Yishui", SURVEY],
        ["Boxing", SURVEY],
        ["Lankao", SURVEY],
        ["Lankao", PUBLISHED],
    ]
    survey = wrongful[wrongful["kind"] == SURVEY]
    assert survey["value"].notna().all() and survey["se"].notna().all() and survey["year"].eq(2020).all()
    assert survey["source"].str.contains("SYNTHETIC").all()
    published = wrongful[wrongful["kind"] == PUBLISHED].iloc[0]
    assert (published["relation"], published["value"], published["year"]) == ("<", 0.02, 2017)
    assert pd.isna(published["se"]) and "gov.cn" in published["source"]
    assert lineup.loc[lineup["indicator"] == "poverty_incidence", "county"].iloc[0] == "H"
    assert set(result.tables["published"]["kind"]) == {PUBLISHED}
    assert result.notes == ["H county (focal) has no published figure in published.csv"]


def test_a_county_with_published_figures_only_still_appears(tmp_path):
    study = [i for i in demo_items() if i.split(":", 1)[0] in ("Lankao", "H")]
    document = run_published(
        settings=settings("published", "Lankao", ("H",), published_only=["Juancheng"]),
        indicators=study,
        table=TABLE,
        vocabulary=VOCABULARY,
        output=tmp_path / "published.json",
        tables_dir=tmp_path,
    )
    lineup = pd.read_csv(tmp_path / document["tables"]["published_lineup"], encoding="utf-8-sig")
    juancheng = lineup[lineup["county"] == "Juancheng"]
    assert juancheng[["role", "kind", "value"]].values.tolist() == [["published_only", PUBLISHED, 536]]
    assert lineup.loc[lineup["county"] == "Lankao", "role"].eq("focal").all()
    assert "Yishui" not in set(lineup["county"])


def test_an_unknown_published_only_county_stops_with_a_message(tmp_path):
    with pytest.raises(InputError, match="published_only names Atlantis"):
        run_published(
            settings=settings("published", published_only=["Atlantis"]),
            indicators=list(demo_items()[:4]),
            table=TABLE,
            vocabulary=VOCABULARY,
            output=tmp_path / "p.json",
            tables_dir=tmp_path,
        )


def test_the_command_line_names_the_bad_row_and_exits_with_status_1(tmp_path, capsys):
    path = tmp_path / "published.csv"
    path.write_text(
        TABLE.read_text(encoding="utf-8").splitlines()[0] + "\nLankao,exit_year,2017,=,2017,year,county,,,,\n",
        encoding="utf-8",
    )
    status = main(
        [
            "compare",
            "published",
            "--settings",
            canonical_json(settings("published").to_dict()),
            "--table",
            str(path),
            "--vocabulary",
            str(VOCABULARY),
            "--output",
            str(tmp_path / "p.json"),
            "--tables-dir",
            str(tmp_path),
            "--log",
            str(tmp_path / "log"),
        ]
    )
    assert status == 1
    assert f"{path}, row 2, column 'source': the figure has no source" in capsys.readouterr().err

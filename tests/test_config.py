"""config.yaml against its schema: defaults, cross-references and clear messages."""

from __future__ import annotations

import copy

import pytest
import yaml

from pa_study.cli import main
from pa_study.config import instruments_of, load_schema, load_yaml, validated_config
from pa_study.errors import InputError
from tests.helpers.project import ROOT


@pytest.fixture()
def config():
    with open(ROOT / "config.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def schema():
    return load_schema(ROOT / "config.schema.yaml")


def test_repository_config_is_valid_and_defaults_are_filled(config, schema):
    checked = validated_config(config, schema, check_files=False)
    assert checked["focal"] == "H"
    assert checked["counties"]["H"]["files"]["households"]["encoding"] == "auto"
    assert checked["counties"]["H"]["files"]["households"]["header_row"] == 1
    assert checked["cleaning"]["unparseable_numbers"] == "error"
    assert instruments_of(checked["counties"]["H"]) == ["households", "cadres", "projects", "villages"]


def test_unknown_focal_county_is_named(config, schema):
    config["focal"] = "Nowhere"
    with pytest.raises(
        InputError,
        match=(
            "config: focal names county 'Nowhere', which is not under "
            "'counties'; expected one of: Boxing, H, Lankao, Yishui"
        ),
    ):
        validated_config(config, schema, check_files=False)


def test_unknown_benchmark_county_is_named(config, schema):
    config["benchmarks"] = ["Yishui", "Atlantis"]
    with pytest.raises(InputError, match="benchmarks names county 'Atlantis'"):
        validated_config(config, schema, check_files=False)


def test_bad_value_is_reported_with_its_key(config, schema):
    config["counties"]["H"]["design"]["weights"] = "frames"
    with pytest.raises(
        InputError, match=r"key 'counties.H.design.weights': 'frames' is not one of \['frame', 'column'\]"
    ):
        validated_config(config, schema, check_files=False)


def test_unknown_key_is_reported(config, schema):
    config["cleaning"]["tolerance"] = 3
    with pytest.raises(InputError, match="key 'cleaning' has an unknown entry.*tolerance"):
        validated_config(config, schema, check_files=False)


def test_poverty_line_naming_an_unknown_county_is_refused(config, schema):
    config["indicators"]["poverty_lines"].append(
        {"year": 2016, "value": 3000, "counties": ["Yishui", "Juancheng"], "source": "x"}
    )
    with pytest.raises(InputError, match=r"poverty_lines\[\d+\] \(year 2016\) names county 'Juancheng'"):
        validated_config(config, schema, check_files=False)


@pytest.mark.parametrize(
    ("extra", "whose"),
    [
        ({"year": 2020, "value": 4100, "source": "x"}, "the national line"),
        ({"year": 2015, "value": 3400, "counties": ["Boxing"], "source": "x"}, "county 'Boxing'"),
    ],
)
def test_two_lines_for_one_county_and_year_are_refused(config, schema, extra, whose):
    config["indicators"]["poverty_lines"].append(extra)
    with pytest.raises(InputError, match=f"gives {whose} a second line for {extra['year']}"):
        validated_config(config, schema, check_files=False)


def test_a_regional_line_replaces_the_national_one(config, schema):
    checked = validated_config(config, schema, check_files=False)
    lines = {(e["year"], tuple(e.get("counties", ()))): e["value"] for e in checked["indicators"]["poverty_lines"]}
    assert lines[2015, ()] == 2855 and lines[2015, ("Yishui", "Boxing")] == 3372
    assert [lines[year, ()] for year in (2011, 2012, 2013)] == [2536, 2625, 2736]


def test_missing_file_is_named(config, schema, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    broken = copy.deepcopy(config)
    with pytest.raises(
        InputError,
        match="data/raw/H/households.xlsx: counties.H.files.households.path names a file that does not exist",
    ):
        validated_config(broken, schema)


def test_a_yaml_syntax_error_names_file_line_and_column(tmp_path, capsys):
    path = tmp_path / "other.yaml"
    path.write_text("focal: Lankao\nbenchmarks: [H, Yishui\ncounties: {}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_yaml(path)
    assert str(caught.value) == (
        f"{path}: not valid YAML: line 3, column 9: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence at line 2, column 13)"
    )
    assert main(["check-config", str(path), "--schema", str(ROOT / "config.schema.yaml")]) == 1
    assert "other.yaml: not valid YAML: line 3, column 9" in capsys.readouterr().err

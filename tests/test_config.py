"""config.yaml against its schema: defaults, cross-references and clear messages."""

from __future__ import annotations

import copy
import importlib
import pkgutil

import pytest
import yaml

import pa_study
from pa_study.cli import main
from pa_study.compare.settings import ComparisonSettings
from pa_study.config import (
    ConfigPart,
    DisclosureSettings,
    instruments_of,
    load_schema,
    load_yaml,
    repeated_defaults,
    validated_config,
)
from pa_study.errors import InputError
from pa_study.indicators.capability import CapabilityItem
from pa_study.indicators.settings import FamilySettings
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
    assert instruments_of(checked["counties"]["H"]) == ["households", "cadres", "cadre_roster", "projects", "villages"]


def test_defaults_are_filled_inside_the_form_a_value_takes(config, schema):
    config["counties"]["H"]["design"] = {"weights": "column"}
    config["counties"]["Lankao"]["design"] = "census"
    checked = validated_config(config, schema, check_files=False)
    assert checked["counties"]["H"]["design"] == {
        "weights": "column",
        "weight_column": "weight",
        "oversample_registered": True,
    }
    assert checked["counties"]["Lankao"]["design"] == "census"


def test_config_yaml_holds_only_what_the_study_sets(config, schema):
    # Every other value is the schema's default, stated once, there.
    assert repeated_defaults(config, schema) == []


def test_the_national_poverty_lines_config_yaml_restates_are_the_schemas(config, schema):
    # A list replaces its default, so adding Shandong's line means restating the national ones.
    national = [line for line in config["indicators"]["poverty_lines"] if "counties" not in line]
    assert national == schema["properties"]["indicators"]["properties"]["poverty_lines"]["default"]


def test_a_value_repeating_its_schema_default_is_found(schema):
    config = {
        "indicators": {"level": 0.95, "min_sample": {"households": 100, "group": 25}},
        "cleaning": {"income_tolerance_absolute": 100.0},
        "counties": {"X": {"synthetic": True, "design": {"weights": "frame", "oversample_registered": True}}},
    }
    assert repeated_defaults(config, schema) == [
        "indicators.level",
        "indicators.min_sample.households",
        "cleaning.income_tolerance_absolute",
        "counties.X.design.oversample_registered",
    ]


def _config_parts() -> set[type[ConfigPart]]:
    """Every typed config part the package defines."""
    for module in pkgutil.walk_packages(pa_study.__path__, "pa_study."):
        importlib.import_module(module.name)
    found, todo = set(), [ConfigPart]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def _code_defaults() -> dict[tuple[type, str], object]:
    """(class declaring the field, field) -> default, for every field of a typed config part whose
    default is not None (None marks an optional key that may be absent)."""
    found = {}
    for part in _config_parts():
        for name, field in part.model_fields.items():
            if not field.is_required() and field.default is not None:
                owner = next(c for c in part.__mro__ if name in c.__dict__.get("__annotations__", {}))
                found[(owner, name)] = field.default
    return found


def test_a_default_in_code_is_the_schema_default(schema):
    # Validation fills every default, so a typed part needs one only where a value can arrive
    # without it: items of arrays (validation does not fill inside them) and the disclosure settings
    # (settings written before disclosure control existed). Each must be the schema's.
    item = schema["$defs"]["capability_item"]["properties"]
    disclosure = schema["properties"]["disclosure"]
    mirrored = {
        (CapabilityItem, "per_member"): item["per_member"]["default"],
        (CapabilityItem, "negative"): item["negative"]["default"],
        (DisclosureSettings, "min_cell"): disclosure["properties"]["min_cell"]["default"],
        (FamilySettings, "disclosure"): disclosure["default"],
        (ComparisonSettings, "disclosure"): disclosure["default"],
    }
    found = _code_defaults()
    assert set(found) == set(mirrored), "a default in code that the schema does not mirror"
    for key, default in found.items():
        assert (default.to_dict() if isinstance(default, ConfigPart) else default) == mirrored[key], key


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
    config["cleaning"] = {"tolerance": 3}
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


def test_register_counts_for_calibration_are_checked(config, schema):
    counts = {"source": "扶贫开发信息系统 2020-12", "townships": {"城关镇": {"registered": 300, "exited": 250}}}
    config["counties"]["H"]["design"]["calibration"] = counts
    checked = validated_config(config, schema, check_files=False)
    assert checked["counties"]["H"]["design"]["calibration"]["townships"]["城关镇"]["exited"] == 250
    del counts["townships"]["城关镇"]["exited"]
    with pytest.raises(InputError, match="calibration.*exited"):
        validated_config(config, schema, check_files=False)

"""config.yaml against its schema: defaults, cross-references and clear messages."""

from __future__ import annotations

import copy

import pytest
import yaml

from pa_study.config import instruments_of, load_schema, validated_config
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


def test_missing_file_is_named(config, schema, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    broken = copy.deepcopy(config)
    with pytest.raises(
        InputError,
        match="data/raw/H/households.xlsx: counties.H.files.households.path names a file that does not exist",
    ):
        validated_config(broken, schema)

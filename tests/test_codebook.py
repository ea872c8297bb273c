import pytest

from pa_study.codebook import cleaned_schema, load_codebook, normalise_label
from pa_study.errors import InputError


def test_every_instrument_has_its_key_and_required_variables(codebook):
    assert set(codebook.instruments) == {"households", "cadres", "cadre_roster", "projects", "villages"}
    assert codebook["households"].key == ("household_id",)
    assert codebook["villages"].key == ("township", "village")
    assert {"county", "township", "village", "household_id", "registered", "hh_size"} <= set(
        codebook["households"].required
    )


def test_personal_fields_are_marked(codebook):
    assert set(codebook["households"].personal) == {"head_name", "id_number", "phone"}
    assert set(codebook["cadres"].personal) == {"cadre_name", "phone"}
    assert "household_id" in codebook["households"].pseudonymised


def test_headers_resolve_through_chinese_aliases_and_full_width_forms(codebook):
    lookup = codebook["households"].header_lookup
    assert lookup[normalise_label("家庭人口数")] == ("hh_size", 1.0)
    assert lookup[normalise_label("HHSize")] == ("hh_size", 1.0)
    assert codebook["projects"].header_lookup[normalise_label("财政投资（万元）")] == ("fiscal_investment", 10000.0)


def test_category_spellings_map_to_codes(codebook):
    cause = codebook["households"]["poverty_cause"]
    assert cause.category_lookup[normalise_label("因病")] == "illness"
    assert cause.category_lookup["1"] == "illness"
    assert cause.category_lookup["lackoflabour"] == "lack_labour"


def test_every_variable_documents_itself(codebook):
    for instrument in codebook.instruments.values():
        for var in instrument.variables:
            assert var.label_zh and var.description, var.name


def test_ambiguous_alias_is_refused(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(
        "instruments:\n  t:\n    key: a\n    variables:\n"
        "      - {name: a, label_zh: 甲, description: x, type: string, aliases: [同]}\n"
        "      - {name: b, label_zh: 乙, description: y, type: string, aliases: [同]}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="names both 'a' and 'b'"):
        load_codebook(path)


def test_schema_rejects_values_outside_the_codebook(codebook):
    import pandas as pd
    import pandera.errors

    schema = cleaned_schema(codebook["households"])
    bad = pd.DataFrame({"hh_size": pd.array([3, 99], dtype="Int64")})
    with pytest.raises(pandera.errors.SchemaError):
        schema.validate(bad)

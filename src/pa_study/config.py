"""Reading and checking ``config.yaml``: schema validation, defaults and cross-references, and the
base of the typed config parts the stages take."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import pydantic
import yaml

from pa_study.errors import InputError

if TYPE_CHECKING:
    import jsonschema

#: A config number as written: kept an ``int`` or a ``float``, so a part written back out is the
#: JSON it was read from (``2800`` stays ``2800``, not ``2800.0``).
Number = int | float

#: The schema that sits beside config.yaml at the top of the repository.
SCHEMA_FILE = "config.schema.yaml"
INSTRUMENTS = ("households", "cadres", "cadre_roster", "projects", "villages")


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file (the config, a config overlay, the codebook), saying where it is broken.

    Raises
    ------
    InputError
        The file is missing, or is not valid YAML: naming the line and column of the problem and
        what the parser expected, instead of a bare "not valid YAML".
    """
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise InputError("file not found", path=str(path)) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError(_yaml_problem(exc), path=str(path)) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=str(path)) from None


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """``line L, column C: <problem> (<context> at line L', column C')`` from a YAML parser error."""
    where = f"line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1}: " if exc.problem_mark else ""
    context = ""
    if exc.context and exc.context_mark is not None:
        context = f" ({exc.context} at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1})"
    elif exc.context:
        context = f" ({exc.context})"
    return f"not valid YAML: {where}{exc.problem}{context}"


def load_schema(path: str | Path) -> dict[str, Any]:
    """Return the config JSON schema stored as YAML at ``path``."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def validated_config(config: dict[str, Any], schema: dict[str, Any], *, check_files: bool = True) -> dict[str, Any]:
    """Validate a config against its schema, fill defaults and check cross-references.

    Parameters
    ----------
    config : dict
        The config as Snakemake (or ``yaml.safe_load``) gives it.
    schema : dict
        The JSON schema (``config.schema.yaml``).
    check_files : bool
        Also check that every data file the config names exists.

    Returns
    -------
    dict
        A copy of the config with schema defaults filled in.

    Raises
    ------
    InputError
        Naming the key path and the expected value: the first schema violation, an unknown county in
        ``focal``, ``benchmarks`` or a poverty line's ``counties``, two poverty lines for one county
        and year, or a data file that does not exist.
    """
    config = copy.deepcopy(config)
    # Imported here: every job reads its settings through this module, only the workflow validates.
    import jsonschema

    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(config), key=_error_order)
    if errors:
        raise InputError(_describe_schema_error(errors[0]), path="config")
    _fill_defaults(config, schema, schema)
    _check_counties_named(config)
    _check_poverty_lines(config)
    if check_files:
        _check_files_exist(config)
    return config


def _error_order(error: jsonschema.ValidationError) -> tuple[int, str]:
    return (len(error.absolute_path), ".".join(map(str, error.absolute_path)))


def _describe_schema_error(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.instance, dict) and error.context:
        # A mapping where a value may also be a word (`design`): the mapping form's own error says more.
        from jsonschema.exceptions import best_match

        error = best_match(e for e in error.context if e.validator != "const")
    elif error.validator == "oneOf":
        forms = " or ".join(
            repr(n["const"]) if "const" in n else "a mapping" if n.get("type") == "object" else f"a {n.get('type')}"
            for n in error.validator_value
        )
        where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        return f"key '{where}': {error.instance!r} is not valid; expected {forms}"
    where = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        return f"key '{where}' has an unknown entry: {error.message}"
    return f"key '{where}': {error.message}"


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref is None:
        return node
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return target


def repeated_defaults(config: Any, schema: dict[str, Any]) -> list[str]:
    """Return the key paths at which ``config`` states a value its schema gives as the default.

    Such a value is a second copy of the default: the config then shows what the study did not
    choose, and the two copies can drift apart.

    Parameters
    ----------
    config : dict
        A config as read from YAML (before validation fills the defaults).
    schema : dict
        The JSON schema (``config.schema.yaml``).
    """
    found: list[str] = []
    _collect_repeated(config, schema, schema, "", found)
    return found


def _collect_repeated(value: Any, node: dict[str, Any], root: dict[str, Any], path: str, found: list[str]) -> None:
    node = _object_form(_resolve(node, root), value, root)
    if path and "default" in node and node["default"] == value:
        found.append(path)
    if isinstance(value, dict):
        properties, extra = node.get("properties", {}), node.get("additionalProperties")
        for key, sub in value.items():
            child = properties.get(key, extra if isinstance(extra, dict) else None)
            if child is not None:
                _collect_repeated(sub, child, root, f"{path}.{key}" if path else str(key), found)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _collect_repeated(item, node["items"], root, f"{path}[{i}]", found)


def _object_form(node: dict[str, Any], value: Any, root: dict[str, Any]) -> dict[str, Any]:
    """For a mapping whose schema allows several forms (a county's `design`: `census` or a mapping),
    the mapping form; else the node itself."""
    if not isinstance(value, dict):
        return node
    return next((_resolve(n, root) for n in node.get("oneOf", []) if _resolve(n, root).get("type") == "object"), node)


def _fill_defaults(value: Any, node: dict[str, Any], root: dict[str, Any]) -> None:
    node = _resolve(node, root)
    if not isinstance(value, dict):
        return
    # A value that may take several forms gets the defaults of its mapping form.
    node = _object_form(node, value, root)
    for key, sub in node.get("properties", {}).items():
        sub = _resolve(sub, root)
        if key not in value and "default" in sub:
            value[key] = copy.deepcopy(sub["default"])
        if key in value:
            _fill_defaults(value[key], sub, root)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        for key in set(value) - set(node.get("properties", {})):
            _fill_defaults(value[key], extra, root)


def _check_counties_named(config: dict[str, Any]) -> None:
    known = sorted(config["counties"])
    for role, keys in (("focal", [config["focal"]]), ("benchmarks", config["benchmarks"])):
        for key in keys:
            if key not in config["counties"]:
                raise InputError(
                    f"{role} names county '{key}', which is not under 'counties'; expected one of: {', '.join(known)}",
                    path="config",
                )
    if config["focal"] in config["benchmarks"]:
        raise InputError(f"county '{config['focal']}' is both focal and a benchmark", path="config")


def _check_poverty_lines(config: dict[str, Any]) -> None:
    """Every county a regional line names is configured, and no county has two lines for a year
    (two national lines, or two regional lines naming it; a regional line replaces the national one)."""
    known = sorted(config["counties"])
    claimed: dict[tuple[int, str], int] = {}
    for position, entry in enumerate(config.get("indicators", {}).get("poverty_lines", [])):
        where = f"indicators.poverty_lines[{position}]"
        for county in entry.get("counties", []):
            if county not in config["counties"]:
                raise InputError(
                    f"{where} (year {entry['year']}) names county '{county}', which is not under 'counties'; "
                    f"expected one of: {', '.join(known)}",
                    path="config",
                )
        scopes = entry["counties"] if "counties" in entry else ["(national)"]
        for scope in scopes:
            earlier = claimed.setdefault((entry["year"], scope), position)
            if earlier != position:
                whose = "the national line" if scope == "(national)" else f"county '{scope}'"
                raise InputError(
                    f"{where} gives {whose} a second line for {entry['year']} (the first is "
                    f"indicators.poverty_lines[{earlier}]); keep one",
                    path="config",
                )


def _check_files_exist(config: dict[str, Any]) -> None:
    for county, block in config["counties"].items():
        for instrument, spec in block["files"].items():
            if not Path(spec["path"]).is_file():
                raise InputError(
                    f"counties.{county}.files.{instrument}.path names a file that does not exist",
                    path=spec["path"],
                )
        corrections = block.get("corrections")
        if corrections and not Path(corrections).is_file():
            raise InputError(f"counties.{county}.corrections names a file that does not exist", path=corrections)


def county_block(config: dict[str, Any], county: str) -> dict[str, Any]:
    """Return the config block of one county (raises :class:`InputError` for an unknown county)."""
    try:
        return config["counties"][county]
    except KeyError:
        raise InputError(f"unknown county '{county}'", path="config") from None


def instruments_of(block: dict[str, Any]) -> list[str]:
    """Return the instruments a county's config block supplies files for, in pipeline order."""
    return [name for name in INSTRUMENTS if name in block["files"]]


def canonical_json(value: Any) -> str:
    """Return ``value`` as compact, key-sorted JSON: a stable fingerprint of a config part."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class ConfigPart(pydantic.BaseModel):
    """A typed, immutable part of the config, parsed once where it enters a stage.

    The schema (``config.schema.yaml``) stays the judge of which keys and values are allowed and
    supplies the defaults; a part only gives them types. Unknown keys are refused. :meth:`to_dict`
    gives back exactly the JSON the part was parsed from (keys that were absent stay absent), which
    is what the stages write into their outputs and what the workflow hashes as a job's parameter.
    """

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def parse(cls, data: Mapping[str, Any], what: str) -> Self:
        """Return ``data`` as this part.

        Raises
        ------
        InputError
            Naming ``what`` was parsed, the key path and the expected value.
        """
        try:
            return cls.model_validate(data)
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise InputError(f"{what}: key '{where}': {first['msg']}") from None

    def to_dict(self) -> dict[str, Any]:
        """The part as the JSON dict it was parsed from (tuples as lists, absent keys left out)."""
        return self.model_dump(mode="json", exclude_unset=True)


class DisclosureSettings(ConfigPart):
    """Statistical disclosure control of what leaves the pipeline (``disclosure``; see
    :mod:`pa_study.disclosure`): the fewest respondents a published cell or estimate may describe."""

    min_cell: int = 5

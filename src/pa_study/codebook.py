"""The codebook: the single machine-readable definition of every instrument and variable.

Everything that needs to know what a variable is — the readers (header aliases), cleaning (types,
ranges, categories, missing codes), de-identification (personal and pseudonymised fields), the
cleaned-table schemas and the report's appendix — asks this module.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pa_study.errors import InputError

if TYPE_CHECKING:
    import pandera.pandas as pa

TYPES = ("string", "integer", "number", "boolean", "category", "date")
OUT_OF_RANGE_ACTIONS = ("missing", "quarantine")

#: Columns the ingest step adds to every table: where the row came from.
SOURCE_ROW = "source_row"
#: Excel's error values (a formula that failed). Ingest keeps them as text; cleaning sets them to
#: missing with a log line of their own, so a broken formula is never silently an empty answer.
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)

#: Totals that must equal the sum of their components (households): total -> components. The
#: cleaning stage checks them; the indicator families build incomes from the components.
INCOME_TOTALS = {
    "inc_total": ["inc_wage", "inc_business", "inc_property", "inc_transfer"],
    "inc_total_base": ["inc_wage_base", "inc_business_base", "inc_property_base", "inc_transfer_base"],
}


def normalise_label(text: Any) -> str:
    """Return ``text`` in the form used to compare headers and labels.

    NFKC folds full-width letters, digits and punctuation to half-width (``（万元）`` → ``(万元)``),
    then white space is removed and Latin letters lower-cased, so ``"Hh Size"`` and ``"hhsize"``
    compare equal and so do ``"家庭 人口"`` and ``"家庭人口"``.
    """
    folded = unicodedata.normalize("NFKC", str(text))
    return "".join(folded.split()).lower()


@dataclass(frozen=True)
class Category:
    """One allowed value of a categorical variable."""

    code: str
    label_zh: str
    label_en: str
    numeric_code: int | None
    aliases: tuple[str, ...]

    def spellings(self) -> tuple[str, ...]:
        """Every spelling that means this category in raw data."""
        numeric = () if self.numeric_code is None else (str(self.numeric_code),)
        return (self.code, self.label_zh, self.label_en, *numeric, *self.aliases)


@dataclass(frozen=True)
class Alias:
    """A header spelling and the factor that converts its unit to the codebook's unit."""

    text: str
    scale: float = 1.0


@dataclass(frozen=True)
class Variable:
    """One variable of an instrument, as the codebook defines it."""

    name: str
    label_zh: str
    description: str
    type: str
    unit: str | None = None
    range: tuple[Any, Any] | None = None
    on_out_of_range: str = "missing"
    categories: tuple[Category, ...] = ()
    missing_codes: tuple[str, ...] = ()
    personal: bool = False
    pseudonymise: bool = False
    required: bool = False
    outlier: bool = False
    reverse: bool = False
    aliases: tuple[Alias, ...] = ()

    def header_spellings(self) -> tuple[Alias, ...]:
        """Every header that names this variable: its name, Chinese label and aliases."""
        return (Alias(self.name), Alias(self.label_zh), *self.aliases)

    @cached_property
    def category_lookup(self) -> dict[str, str]:
        """Map every normalised spelling of a category to its canonical code."""
        return {normalise_label(s): c.code for c in self.categories for s in c.spellings()}

    @property
    def category_codes(self) -> list[str]:
        """The canonical codes, in codebook order."""
        return [c.code for c in self.categories]


@dataclass(frozen=True)
class Instrument:
    """One questionnaire or register (households, cadres, projects, villages)."""

    name: str
    label_zh: str
    description: str
    key: tuple[str, ...]
    variables: tuple[Variable, ...]
    #: Normalised words the codebook gives a meaning to (missing codes, yes/no words, category and
    #: header spellings): never personal data, even when a personal column holds one ("无").
    vocabulary: frozenset[str] = frozenset()

    def __getitem__(self, name: str) -> Variable:
        return self.by_name[name]

    @cached_property
    def by_name(self) -> dict[str, Variable]:
        """Variables by canonical name."""
        return {v.name: v for v in self.variables}

    @cached_property
    def header_lookup(self) -> dict[str, tuple[str, float]]:
        """Map each normalised header spelling to ``(canonical name, unit scale)``."""
        lookup: dict[str, tuple[str, float]] = {}
        for var in self.variables:
            for alias in var.header_spellings():
                lookup[normalise_label(alias.text)] = (var.name, alias.scale)
        return lookup

    @property
    def required(self) -> list[str]:
        """Canonical names of the variables every row must have."""
        return [v.name for v in self.variables if v.required]

    @property
    def personal(self) -> list[str]:
        """Canonical names of the personal-data variables (never leave ingest)."""
        return [v.name for v in self.variables if v.personal]

    @property
    def pseudonymised(self) -> list[str]:
        """Canonical names of the identifiers replaced by pseudonyms at ingest."""
        return [v.name for v in self.variables if v.pseudonymise]

    @property
    def kept(self) -> list[Variable]:
        """Variables that may appear in cleaned tables (everything except personal data)."""
        return [v for v in self.variables if not v.personal]


@dataclass(frozen=True)
class Codebook:
    """The whole codebook: instruments plus the global missing codes and boolean vocabulary."""

    path: str
    instruments: dict[str, Instrument]
    missing_codes: tuple[str, ...]
    true_values: frozenset[str]
    false_values: frozenset[str]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    def __getitem__(self, name: str) -> Instrument:
        try:
            return self.instruments[name]
        except KeyError:
            known = ", ".join(self.instruments)
            raise InputError(f"unknown instrument '{name}'; the codebook defines {known}", path=self.path) from None

    def missing_codes_for(self, var: Variable) -> frozenset[str]:
        """Normalised codes that mean "missing" for ``var`` (global codes plus its own)."""
        return frozenset(normalise_label(c) for c in (*self.missing_codes, *var.missing_codes))


def load_codebook(path: str | Path) -> Codebook:
    """Read and check the codebook YAML.

    Parameters
    ----------
    path : str or Path
        The codebook file (``data/codebook/codebook.yaml``).

    Returns
    -------
    Codebook
        The parsed codebook. Header aliases are checked to be unambiguous within each instrument.

    Raises
    ------
    InputError
        If the file is missing, not YAML, or defines a variable inconsistently.
    """
    from pa_study.config import load_yaml

    path = str(path)
    raw = load_yaml(path)
    boolean = raw.get("boolean", {})
    shared = [*raw.get("missing_codes", []), *boolean.get("true", []), *boolean.get("false", [])]
    instruments = {
        name: _parse_instrument(name, spec, path, shared) for name, spec in raw.get("instruments", {}).items()
    }
    return Codebook(
        path=path,
        instruments=instruments,
        missing_codes=tuple(str(c) for c in raw.get("missing_codes", [])),
        true_values=frozenset(normalise_label(v) for v in boolean.get("true", [])),
        false_values=frozenset(normalise_label(v) for v in boolean.get("false", [])),
        raw=raw,
    )


def _parse_instrument(name: str, spec: dict[str, Any], path: str, shared_words: list[Any]) -> Instrument:
    variables = tuple(_parse_variable(v, f"{name}.{v.get('name', '?')}", path) for v in spec["variables"])
    words = [
        *shared_words,
        *(s for v in variables for c in v.categories for s in c.spellings()),
        *(s for v in variables for s in v.missing_codes),
        *(a.text for v in variables for a in v.header_spellings()),
    ]
    instrument = Instrument(
        name=name,
        label_zh=spec.get("label_zh", name),
        description=spec.get("description", ""),
        key=tuple(spec["key"]) if isinstance(spec["key"], list) else (spec["key"],),
        variables=variables,
        vocabulary=frozenset(normalise_label(w) for w in words),
    )
    _check_unique_headers(instrument, path)
    unknown = [k for k in instrument.key if k not in instrument.by_name]
    if unknown:
        raise InputError(f"instrument '{name}' has key {unknown}, which is not among its variables", path=path)
    return instrument


def _parse_variable(spec: dict[str, Any], where: str, path: str) -> Variable:
    vtype = spec.get("type")
    if vtype not in TYPES:
        raise InputError(f"variable {where} has type {vtype!r}; expected one of {', '.join(TYPES)}", path=path)
    action = spec.get("on_out_of_range", "missing")
    if action not in OUT_OF_RANGE_ACTIONS:
        raise InputError(f"variable {where} has on_out_of_range {action!r}; expected missing or quarantine", path=path)
    categories = tuple(
        Category(
            code=str(code),
            label_zh=str(c.get("label_zh", code)),
            label_en=str(c.get("label_en", code)),
            numeric_code=c.get("code"),
            aliases=tuple(str(a) for a in c.get("aliases", [])),
        )
        for code, c in (spec.get("categories") or {}).items()
    )
    if (vtype == "category") != bool(categories):
        raise InputError(f"variable {where}: categories are required for, and only for, type category", path=path)
    rng = spec.get("range")
    return Variable(
        name=spec["name"],
        label_zh=str(spec.get("label_zh", spec["name"])),
        description=str(spec.get("description", "")),
        type=vtype,
        unit=spec.get("unit"),
        range=tuple(rng) if rng is not None else None,
        on_out_of_range=action,
        categories=categories,
        missing_codes=tuple(str(c) for c in spec.get("missing_codes", [])),
        personal=bool(spec.get("personal", False)),
        pseudonymise=bool(spec.get("pseudonymise", False)),
        required=bool(spec.get("required", False)),
        outlier=bool(spec.get("outlier", False)),
        reverse=bool(spec.get("reverse", False)),
        aliases=tuple(_parse_alias(a) for a in spec.get("aliases", [])),
    )


def _parse_alias(alias: str | dict[str, Any]) -> Alias:
    if isinstance(alias, dict):
        return Alias(str(alias["alias"]), float(alias.get("scale", 1.0)))
    return Alias(str(alias))


def _check_unique_headers(instrument: Instrument, path: str) -> None:
    owner: dict[str, str] = {}
    for var in instrument.variables:
        for alias in var.header_spellings():
            key = normalise_label(alias.text)
            if owner.setdefault(key, var.name) != var.name:
                raise InputError(
                    f"header alias '{alias.text}' of {instrument.name} names both "
                    f"'{owner[key]}' and '{var.name}'; each alias must name one variable",
                    path=path,
                )


#: The nullable pandas dtype of each codebook type in cleaned tables.
CLEANED_DTYPES = {
    "string": "string",
    "integer": "Int64",
    "number": "Float64",
    "boolean": "boolean",
    "category": "string",
    "date": "datetime64[ns]",
}


def cleaned_schema(instrument: Instrument) -> pa.DataFrameSchema:
    """Return the pandera schema every cleaned table of ``instrument`` must satisfy.

    The schema is derived from the codebook, so it is declared once: canonical columns with their
    nullable dtypes, category values restricted to canonical codes, ranges as checks, required
    variables non-null. Personal-data columns are not in the schema; the cleaning stage refuses them.

    Parameters
    ----------
    instrument : Instrument
        The codebook instrument.

    Returns
    -------
    pandera.DataFrameSchema
        Validates a cleaned table (extra design/flag columns are allowed).
    """
    # Imported here: pandera takes a third of a second to import and only the cleaning stage
    # validates tables, while every job reads the codebook.
    import pandera.pandas as pa

    columns = {}
    for var in instrument.kept:
        checks = []
        if var.type == "category":
            checks.append(pa.Check.isin(var.category_codes))
        if var.range is not None and var.type in ("integer", "number"):
            checks.append(pa.Check.in_range(var.range[0], var.range[1]))
        columns[var.name] = pa.Column(
            CLEANED_DTYPES[var.type], checks=checks, nullable=not var.required, required=False
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False)

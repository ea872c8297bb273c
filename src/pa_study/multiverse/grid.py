"""The specifications of the multiverse: every combination of the choices the config lists.

``multiverse.families.<family>.choices`` lists, for choices the family declares
(:attr:`~pa_study.indicators.family.IndicatorFamily.choices`), the values to try. A specification
is one value of each listed choice, written into a copy of the config's ``indicators`` section
(:meth:`~pa_study.indicators.family.Choice.apply`) before the family's settings are parsed: an
override of those settings, judged by the schema as the config is. The configured value of every
choice is always among those tried, so the specification the config describes, the
**baseline**, is one of them; its estimates are the indicator files' own. Specifications whose
settings come out the same (the national line for a county without a provincial one) are one.

Only light modules are imported here: the workflow builds the specifications whenever it builds
the jobs.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pa_study.config import ConfigPart, canonical_json, validated_config
from pa_study.errors import InputError
from pa_study.indicators import FAMILIES
from pa_study.indicators.family import Choice, ChoiceValue
from pa_study.indicators.settings import FamilySettings

#: ``multiverse.counties``: the focal county only, or every studied county.
COUNTY_SCOPES = ("focal", "all")


class FamilyGrid(ConfigPart):
    """One family's part of ``multiverse.families``: the headlines drawn as specification curves and
    the values of each choice to try."""

    headlines: tuple[str, ...]
    choices: dict[str, tuple[ChoiceValue, ...]]


class MultiverseSettings(ConfigPart):
    """The config's ``multiverse`` section."""

    counties: str
    families: dict[str, FamilyGrid]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MultiverseSettings:
        """The section of the validated config (the schema's defaults fill it: no family, the focal county)."""
        return cls.parse(config["multiverse"], "multiverse")


@dataclass(frozen=True)
class Specification:
    """One specification of a family for one county.

    Attributes
    ----------
    family, county : str
        What and where.
    key : str
        Stable name of the specification (the file ``results/<county>/multiverse/<family>/<key>.json``):
        ``baseline`` for the configured one, otherwise a hash of its choices.
    choices : dict
        Choice name -> value, in the order the config lists the choices.
    settings : FamilySettings
        The family's settings under those choices.
    """

    family: str
    county: str
    key: str
    choices: dict[str, ChoiceValue]
    settings: FamilySettings

    @property
    def baseline(self) -> bool:
        """Whether this is the specification the config describes."""
        return self.key == BASELINE


#: Key of the specification the config describes.
BASELINE = "baseline"


def multiverse_settings(config: Mapping[str, Any]) -> MultiverseSettings:
    """Return the validated config's ``multiverse`` section, typed."""
    return MultiverseSettings.from_config(config)


def multiverse_counties(config: Mapping[str, Any]) -> list[str]:
    """Return the counties whose specifications are run: the focal county, or every studied county."""
    studied = [config["focal"], *config["benchmarks"]]
    return studied if multiverse_settings(config).counties == "all" else studied[:1]


def multiverse_families(config: Mapping[str, Any]) -> list[str]:
    """Return the families the multiverse varies, in registry order."""
    listed = multiverse_settings(config).families
    return [name for name in FAMILIES if name in listed]


def family_choices(family: str) -> Mapping[str, Choice]:
    """Return the choices ``family`` declares."""
    return FAMILIES[family].choices


def specification_key(choices: Mapping[str, ChoiceValue]) -> str:
    """Return the stable name of a specification that is not the baseline: ``s`` and 10 hex digits
    of the SHA-256 of its choices (canonical JSON)."""
    return "s" + hashlib.sha256(canonical_json(dict(choices)).encode("utf-8")).hexdigest()[:10]


def specification_settings(
    config: Mapping[str, Any], family: str, county: str, choices: Mapping[str, ChoiceValue]
) -> FamilySettings:
    """Return the settings of ``family`` for ``county`` with ``choices`` written over the config."""
    varied = dict(config)
    indicators = copy.deepcopy(config["indicators"])
    declared = family_choices(family)
    for name, value in choices.items():
        declared[name].apply(indicators, value, county)
    varied["indicators"] = indicators
    return FAMILIES[family].settings_from_config(varied, county)


def configured_value(choice: Choice, listed: tuple[ChoiceValue, ...], config: Mapping[str, Any], county: str) -> Any:
    """Return the value of ``choice`` the config itself takes: the first listed value whose setting
    is the configured one, else the configured setting as it is."""
    indicators = config["indicators"]
    configured = choice.configured(indicators)
    for value in listed:
        trial = copy.deepcopy(dict(indicators))
        choice.apply(trial, value, county)
        if canonical_json(choice.configured(trial)) == canonical_json(configured):
            return value
    return configured


def family_specifications(config: Mapping[str, Any], family: str, county: str) -> list[Specification]:
    """Return every specification of ``family`` for ``county``, the baseline first.

    The grid is the product of the listed values of each choice (in the config's order), with each
    choice's configured value added where the list lacks it; specifications with the same settings
    as an earlier one are left out.
    """
    grid = multiverse_settings(config).families.get(family)
    if grid is None:
        return []
    declared = family_choices(family)
    names = list(grid.choices)
    values = []
    for name in names:
        listed = tuple(grid.choices[name])
        configured = configured_value(declared[name], listed, config, county)
        values.append(listed if any(_same(configured, v) for v in listed) else (configured, *listed))
    baseline_settings = canonical_json(FAMILIES[family].settings_from_config(config, county).to_dict())
    seen: dict[str, Specification] = {}
    for combination in itertools.product(*values):
        choices = dict(zip(names, combination, strict=True))
        settings = specification_settings(config, family, county, choices)
        fingerprint = canonical_json(settings.to_dict())
        if fingerprint in seen:
            continue
        key = BASELINE if fingerprint == baseline_settings else specification_key(choices)
        seen[fingerprint] = Specification(family, county, key, choices, settings)
    specs = list(seen.values())
    return sorted(specs, key=lambda spec: not spec.baseline)


def _same(a: Any, b: Any) -> bool:
    return canonical_json(a) == canonical_json(b)


def check_multiverse(config: Mapping[str, Any], schema: Mapping[str, Any]) -> None:
    """Check the ``multiverse`` section against the families' declarations.

    Every family named is registered, every choice one the family declares, every word a value
    the choice knows, and every value, written into the config, passes the schema.

    Raises
    ------
    InputError
        Naming the key (``multiverse.families.income.choices.winsorise``) and what was expected.
    """
    settings = multiverse_settings(config)
    for family, grid in settings.families.items():
        where = f"multiverse.families.{family}"
        if family not in FAMILIES:
            raise InputError(
                f"{where}: no indicator family is called '{family}'; expected one of {', '.join(FAMILIES)}"
            )
        declared = family_choices(family)
        for name, listed in grid.choices.items():
            if name not in declared:
                known = ", ".join(declared) or "none"
                raise InputError(
                    f"{where}.choices names '{name}', which the {family} family does not declare ({known})"
                )
            choice = declared[name]
            for value in listed:
                _check_value(config, schema, family, name, choice, value)


def _check_value(
    config: Mapping[str, Any], schema: Mapping[str, Any], family: str, name: str, choice: Choice, value: ChoiceValue
) -> None:
    where = f"multiverse.families.{family}.choices.{name}"
    if choice.values and isinstance(value, str) and value not in choice.values:
        raise InputError(f"{where}: '{value}' is not one of {', '.join(choice.values)}", path="config")
    trial = copy.deepcopy(dict(config))
    try:
        choice.apply(trial["indicators"], value, config["focal"])
        validated_config(trial, dict(schema), check_files=False)
    except InputError as exc:
        raise InputError(f"{where}: the value {value!r} does not fit the config: {exc.detail}", path="config") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: the value {value!r} cannot be applied ({exc})", path="config") from None

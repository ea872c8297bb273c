"""The slice of the codebook the demo generator needs: variable order, labels, codes and aliases.

The generator reads ``data/codebook/codebook.yaml`` itself (rather than through the pipeline's
codebook module) so that it depends only on the contract file, never on the code it feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Variable:
    """One codebook variable, reduced to what the generator writes.

    Attributes
    ----------
    name : str
        Canonical name.
    label_zh : str
        Chinese label (the default header and the Stata/SPSS variable label).
    type : str
        Codebook type (``string``, ``integer``, ``number``, ``boolean``, ``category``, ``date``).
    aliases : tuple of str
        Header spellings without a scale.
    scaled_aliases : dict
        Header spellings that carry a scale (alias -> factor).
    categories : dict
        Canonical category code -> ``{"label_zh": ..., "code": int}``.
    """

    name: str
    label_zh: str
    type: str
    aliases: tuple[str, ...]
    scaled_aliases: dict[str, float]
    categories: dict[str, dict[str, Any]]

    def label_of(self, category: str) -> str:
        """Return the Chinese label of a canonical category code."""
        return str(self.categories[category]["label_zh"])

    def code_of(self, category: str) -> int:
        """Return the numeric (Stata/SPSS) code of a canonical category code."""
        return int(self.categories[category]["code"])


@dataclass(frozen=True)
class Codebook:
    """Instruments of the codebook.

    Attributes
    ----------
    variables : dict
        Instrument name (``households``, ``cadres``, ``projects``, ``villages``) -> its variables in
        codebook order.
    labels : dict
        Instrument name -> Chinese name (e.g. 农户问卷).
    """

    variables: dict[str, list[Variable]]
    labels: dict[str, str]

    def __getitem__(self, instrument: str) -> list[Variable]:
        return self.variables[instrument]


def load_codebook(path: str | Path) -> Codebook:
    """Read the codebook and return its instruments.

    Parameters
    ----------
    path : str or Path
        Location of ``codebook.yaml``.
    """
    with open(path, encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    instruments = document["instruments"]
    return Codebook(
        variables={name: [_variable_from(entry) for entry in spec["variables"]] for name, spec in instruments.items()},
        labels={name: str(spec["label_zh"]) for name, spec in instruments.items()},
    )


def _variable_from(entry: dict[str, Any]) -> Variable:
    plain = tuple(a for a in entry.get("aliases", []) if isinstance(a, str))
    scaled = {a["alias"]: float(a["scale"]) for a in entry.get("aliases", []) if isinstance(a, dict)}
    categories = {
        str(key): {"label_zh": value["label_zh"], "code": int(value["code"])}
        for key, value in (entry.get("categories") or {}).items()
    }
    return Variable(
        name=entry["name"],
        label_zh=entry["label_zh"],
        type=entry["type"],
        aliases=plain,
        scaled_aliases=scaled,
        categories=categories,
    )


def variables_by_name(codebook: Codebook, instrument: str) -> dict[str, Variable]:
    """Return an instrument's variables keyed by canonical name."""
    return {variable.name: variable for variable in codebook[instrument]}

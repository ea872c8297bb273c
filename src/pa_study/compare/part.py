"""What a part of the comparison is: the one object each comparison module exposes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pa_study.errors import InputError

if TYPE_CHECKING:
    from pa_study.compare.settings import ComparisonSettings

S = TypeVar("S", bound="ComparisonSettings")


@dataclass(frozen=True)
class ComparisonPart(Generic[S]):
    """One part of the comparison (``pa-study compare <name>``) and the files it writes.

    Attributes
    ----------
    name : str
        Stable machine name (``microdata``).
    settings : type
        The part's settings type (a :class:`~pa_study.compare.settings.ComparisonSettings`).
    document : str
        The file name of its JSON document in ``results/comparison/``.
    tables : tuple of str
        The tables written beside the document, each as ``<name>.csv``.
    """

    name: str
    settings: type[S]
    document: str
    tables: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        """The file names the part writes: its document first, then its tables."""
        return (self.document, *(f"{table}.csv" for table in self.tables))

    def settings_from_json(self, data: Mapping[str, Any]) -> S:
        """The part's settings from a job's JSON parameter.

        Raises
        ------
        InputError
            When the settings are another part's, or do not fit the part's settings type.
        """
        if data.get("part") != self.name:
            raise InputError(f"the settings are those of comparison part '{data.get('part')}', not '{self.name}'")
        return self.settings.parse(data, f"settings of the {self.name} comparison")

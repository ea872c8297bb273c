"""What a part of the comparison is: the one object each comparison module exposes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ComparisonPart:
    """One part of the comparison (``pa-study compare <name>``) and the files it writes.

    Attributes
    ----------
    name : str
        Stable machine name (``microdata``).
    document : str
        The file name of its JSON document in ``results/comparison/``.
    tables : tuple of str
        The tables written beside the document, each as ``<name>.csv``.
    """

    name: str
    document: str
    tables: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        """The file names the part writes: its document first, then its tables."""
        return (self.document, *(f"{table}.csv" for table in self.tables))

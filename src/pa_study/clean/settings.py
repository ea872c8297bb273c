"""The cleaning choices of ``config.yaml`` (``cleaning:``), parsed once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CleaningOptions:
    """The cleaning choices read from ``config.yaml`` (``cleaning:``)."""

    income_tolerance_relative: float = 0.05
    income_tolerance_absolute: float = 100.0
    unparseable_numbers: str = "error"
    outlier_iqr_multiplier: float = 3.0

    @classmethod
    def from_config(cls, section: dict[str, Any] | None) -> CleaningOptions:
        """Build the options from the config's ``cleaning`` section (missing keys keep defaults)."""
        return cls(**(section or {}))

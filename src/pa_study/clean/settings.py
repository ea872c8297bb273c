"""The cleaning choices of ``config.yaml`` (``cleaning:``), parsed once, and the part of a county's
config its clean job depends on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pa_study.config import county_block


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


def clean_settings(config: dict[str, Any], county: str) -> dict[str, Any]:
    """Return the part of a county's config its clean job depends on: the survey ``design`` and the
    ``corrections`` file the researcher edits (named in messages), or ``None``.

    The ``cleaning`` section is a parameter of its own (:class:`CleaningOptions`), shared by every county.
    """
    block = county_block(config, county)
    return {"design": block["design"], "corrections": block.get("corrections")}

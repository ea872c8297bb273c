"""The cleaning choices of ``config.yaml`` (``cleaning:``), parsed once, and the part of a county's
config its clean job depends on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pa_study.config import ConfigPart, Number, county_block


class CleaningOptions(ConfigPart):
    """The cleaning choices of the validated config (``cleaning:``; their defaults are the schema's)."""

    income_tolerance_relative: Number
    income_tolerance_absolute: Number
    unparseable_numbers: str
    outlier_iqr_multiplier: Number

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> CleaningOptions:
        """Build the options from the validated config's ``cleaning`` section (a job's JSON parameter)."""
        return cls.parse(section, "the cleaning settings")


def clean_settings(config: dict[str, Any], county: str) -> dict[str, Any]:
    """Return the part of a county's config its clean job depends on: the survey ``design`` and the
    ``corrections`` file the researcher edits (named in messages), or ``None``.

    The ``cleaning`` section is a parameter of its own (:class:`CleaningOptions`), shared by every county.
    """
    block = county_block(config, county)
    return {"design": block["design"], "corrections": block["corrections"]}

"""What an indicator family is: the one object each family module exposes, and what it computes from.

An :class:`IndicatorFamily` names the family, the cleaned tables it reads, the function computing
it, the figures drawn from its results and its section of the report. The registry
(:mod:`pa_study.indicators.registry`) lists the families; the indicator stage, the comparison, the
figures and the report all read it, so a new family is one module plus one registry line.

This module is kept free of the statistics stack and of the registry, so that family modules,
figures and report can all import it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pa_study.disclosure import PLAIN, Protection
from pa_study.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from pa_study.codebook import Codebook
    from pa_study.indicators.output import FamilyResult
    from pa_study.indicators.settings import FamilySettings

S = TypeVar("S", bound="FamilySettings")


@dataclass(frozen=True)
class CleanedTables(Mapping[str, "pd.DataFrame | None"]):
    """One county's cleaned tables by instrument (``None`` for one it did not collect), with the
    codebook that defines them (reverse-worded items, categories)."""

    tables: Mapping[str, pd.DataFrame | None]
    codebook: Codebook

    def __getitem__(self, instrument: str) -> pd.DataFrame | None:
        return self.tables[instrument]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


@dataclass(frozen=True)
class FigureSpec:
    """A figure: the families it reads, its captions, and the function drawing it.

    Attributes
    ----------
    families : tuple of str
        The indicator families whose results files the figure reads.
    caption_en, caption_zh : str
        Its caption in the report.
    function : str
        The function of :mod:`pa_study.figures.plots` that draws it from a
        :class:`~pa_study.results.StudyResults` (named, so that declaring a figure loads no
        plotting library).
    arguments : dict
        Keyword arguments of that function.
    """

    families: tuple[str, ...]
    caption_en: str
    caption_zh: str
    function: str
    arguments: Mapping[str, str] = field(default_factory=dict)

    def caption(self, language: str) -> str:
        """The caption in ``language`` (``en`` or ``zh``)."""
        return self.caption_zh if language == "zh" else self.caption_en


#: A choice's value as the multiverse config lists it: a word naming an option, a number, a list, or
#: null (a setting switched off).
ChoiceValue = Any


@dataclass(frozen=True)
class Choice:
    """An analysis choice behind a family's estimates, which the specification multiverse may vary.

    A specification writes a value of each varied choice into the config's ``indicators`` section
    at :attr:`path` before the family's settings are parsed, so a specification is an override of
    the family's settings and the schema judges its values as it judges the config's.

    Attributes
    ----------
    path : str
        Where the choice sits in the ``indicators`` section, dotted (``identification.eligibility``).
    label_en, label_zh : str
        The choice's name in figures and the report.
    values : dict
        Labels (English, Chinese) of the words the choice takes (``income_or_items``); numbers are
        printed as numbers. Empty for a choice whose values are numbers only.
    setting : callable, optional
        ``setting(value, indicators, county)``: the setting written at :attr:`path` for a value
        that stands for a longer one (a quantile for both winsorising limits, a covariate set by
        name, the national line), given the configured ``indicators`` section; the value itself
        when not given.
    """

    path: str
    label_en: str
    label_zh: str
    values: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    setting: Callable[[ChoiceValue, Mapping[str, Any], str], Any] | None = None

    def label(self, language: str) -> str:
        """The choice's name in ``language`` (``en`` or ``zh``)."""
        return self.label_zh if language == "zh" else self.label_en

    def value_label(self, value: ChoiceValue, language: str) -> str:
        """A value's label in ``language``: its declared label, a number as written, a list joined,
        ``none`` for null."""
        if isinstance(value, str) and value in self.values:
            english, chinese = self.values[value]
            return chinese if language == "zh" else english
        if value is None:
            return "无" if language == "zh" else "none"
        if isinstance(value, list):
            return "、".join(map(str, value)) if language == "zh" else ", ".join(map(str, value))
        return str(value)

    def configured(self, indicators: Mapping[str, Any]) -> Any:
        """The setting at :attr:`path` in the configured ``indicators`` section."""
        node: Any = indicators
        for key in self.path.split("."):
            node = node[key]
        return node

    def apply(self, indicators: dict[str, Any], value: ChoiceValue, county: str) -> None:
        """Write the setting of ``value`` at :attr:`path` of ``indicators`` (a copy the caller owns)."""
        setting = value if self.setting is None else self.setting(value, indicators, county)
        *parents, last = self.path.split(".")
        node = indicators
        for key in parents:
            node = node[key]
        node[last] = setting


@dataclass(frozen=True)
class IndicatorFamily(Generic[S]):
    """One indicator family: everything the stages after it need to know.

    Attributes
    ----------
    name : str
        Stable machine name (``identification``); the file ``results/<county>/indicators/<name>.json``.
    title_en, title_zh : str
        The family's name in the report (section headings, tables).
    settings : type
        The family's settings type (a :class:`~pa_study.indicators.settings.FamilySettings`): the
        config part its job depends on, parsed from the config or from the job's JSON parameter.
    instruments : tuple of str
        The cleaned tables the family reads, in the order the workflow declares them.
    required : tuple of str
        Those it cannot do without: when one was not collected, the family is ``skipped`` with a
        note instead of computed.
    compute : callable
        ``compute(tables, settings) -> FamilyResult`` with :class:`CleanedTables` and the family's
        settings (an instance of ``settings``).
    contrasts : tuple of str
        Prefixes of the headline names that are effects, gaps or associations: the report reads
        their intervals against zero (the others against their threshold, if any).
    figures : dict
        Figure name -> :class:`FigureSpec` of the figures drawn from this family, in report order;
        they are shown in the family's section of the report.
    question_en, question_zh : str
        The study question the family answers, as the report's first page and findings put it
        (the title when empty).
    key_headlines : tuple of str
        The headline names the report's first page shows in its key-findings table, in order
        (empty: those with a threshold, else the first contrast).
    choices : dict
        Name -> :class:`Choice`: the analysis choices the specification multiverse may vary
        (``multiverse.families.<family>.choices`` in the config names them).
    threshold_units : callable, optional
        ``threshold_units(tables, settings)`` for a family whose threshold rates a next survey can
        be planned for (:mod:`pa_study.plan`): rate name -> one row per sampled unit of the rate's
        denominator, with the design columns (``stratum``, ``psu``, and ``weight`` counting the
        rate's unit, persons or households) and ``below`` (1 when the unit is in the numerator).
    protection : Protection
        How its results are protected when written (:mod:`pa_study.disclosure`): the margins of
        the tables whose cells add up to a published total, and the tables and headline rows that
        describe the project ledger rather than respondents.
    columns : callable, optional
        ``columns(settings)``: instrument -> the columns of its cleaned table the family reads, so
        that a job reads only those (a census county's household table holds a million rows of some
        seventy columns); every column of an instrument it does not name, or when not given.
    """

    name: str
    title_en: str
    title_zh: str
    settings: type[S]
    instruments: tuple[str, ...]
    required: tuple[str, ...]
    compute: Callable[[CleanedTables, S], FamilyResult]
    contrasts: tuple[str, ...] = ()
    figures: Mapping[str, FigureSpec] = field(default_factory=dict)
    question_en: str = ""
    question_zh: str = ""
    key_headlines: tuple[str, ...] = ()
    choices: Mapping[str, Choice] = field(default_factory=dict)
    threshold_units: Callable[[CleanedTables, S], Mapping[str, pd.DataFrame]] | None = None
    protection: Protection = PLAIN
    columns: Callable[[S], Mapping[str, Sequence[str]]] | None = None

    def title(self, language: str) -> str:
        """The family's name in ``language`` (``en`` or ``zh``)."""
        return self.title_zh if language == "zh" else self.title_en

    def question(self, language: str) -> str:
        """The study question the family answers, in ``language`` (its title when none is given)."""
        return (self.question_zh if language == "zh" else self.question_en) or self.title(language)

    def settings_from_config(self, config: Mapping[str, Any], county: str) -> S:
        """The family's settings for ``county`` from the validated config (schema defaults filled in)."""
        return self.settings.from_config(config, self.name, county)

    def settings_from_json(self, data: Mapping[str, Any]) -> S:
        """The family's settings from a job's JSON parameter (as :meth:`settings_from_config` wrote it).

        Raises
        ------
        InputError
            When the settings are another family's, or do not fit the family's settings type.
        """
        if data.get("family") != self.name:
            raise InputError(
                f"the settings are those of family '{data.get('family')}', not '{self.name}'; pass "
                "family_settings(config, family, county)"
            )
        return self.settings.parse(data, f"settings of the {self.name} indicators")

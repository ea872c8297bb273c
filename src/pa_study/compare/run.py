"""Running the comparison's three parts from files: what ``pa-study compare <part>`` calls.

Each part reads the counties' indicator files (``county:family=path`` items, the form
:func:`pa_study.results.study_results` takes) and writes a JSON document in the indicator files'
format with its tables in a folder beside it (:func:`pa_study.indicators.output.write_result`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pa_study.codebook import Codebook
from pa_study.compare.microdata import MicrodataSettings, microdata_result
from pa_study.compare.pooled import PooledSettings, pooled_columns, pooled_result
from pa_study.compare.published import PublishedSettings, load_published, load_vocabulary, published_result
from pa_study.compare.settings import ComparisonSettings
from pa_study.errors import InputError
from pa_study.indicators.output import write_result
from pa_study.indicators.run import cleaned_tables
from pa_study.results import StudyResults, study_results

#: Cleaned tables the pooled models read.
POOLED_INSTRUMENTS = ("households", "cadres")


def study_of(indicators: list[str], settings: ComparisonSettings) -> StudyResults:
    """Return the indicator files of the focal and benchmark counties, focal first.

    Raises
    ------
    InputError
        An item that is not ``county:family=path`` of a studied county, or a missing file.
    """
    names = {county: settings.counties[county].name for county in settings.studied}
    return study_results(indicators, names)


def run_microdata(
    *, settings: MicrodataSettings, indicators: list[str], output: str | Path, tables_dir: str | Path
) -> dict[str, Any]:
    """Write the focal − benchmark contrasts (:func:`pa_study.compare.microdata.microdata_result`)."""
    return write_result(microdata_result(study_of(indicators, settings), settings), output, tables_dir)


def run_pooled(
    *,
    settings: PooledSettings,
    indicators: list[str],
    clean_dirs: dict[str, str],
    codebook: Codebook,
    output: str | Path,
    tables_dir: str | Path,
) -> dict[str, Any]:
    """Write the pooled models (:func:`pa_study.compare.pooled.pooled_result`).

    Parameters
    ----------
    clean_dirs : dict
        County -> its ``results/<county>/clean`` folder, for every studied county.

    Raises
    ------
    InputError
        A studied county without a cleaned-tables folder, or a missing cleaned table.
    """
    absent = [county for county in settings.studied if county not in clean_dirs]
    if absent:
        raise InputError(f"no cleaned tables given for {', '.join(absent)} (--clean-dir county=folder)")
    results = study_of(indicators, settings)
    columns = pooled_columns(results, settings) if settings.benchmarks else {}
    tables = {
        county: cleaned_tables(clean_dirs[county], POOLED_INSTRUMENTS, columns=columns) for county in settings.studied
    }
    result = pooled_result(results, tables, settings, codebook)
    return write_result(result, output, tables_dir)


def run_published(
    *,
    settings: PublishedSettings,
    indicators: list[str],
    table: str | Path,
    vocabulary: str | Path,
    output: str | Path,
    tables_dir: str | Path,
) -> dict[str, Any]:
    """Check the published-benchmark table and write it with its line-up beside the survey estimates
    (:func:`pa_study.compare.published.published_result`).

    Raises
    ------
    InputError
        A bad row of the table (naming the file and row), or a ``published_only`` county the
        vocabulary does not know.
    """
    words = load_vocabulary(vocabulary)
    unknown = [c for c in settings.published_only if c not in words["counties"]]
    if unknown:
        raise InputError(
            f"comparison.published_only names {', '.join(unknown)}, which the vocabulary of the "
            f"published table does not list under 'counties'",
            path=str(vocabulary),
        )
    published = load_published(table, words)
    result = published_result(published, words, study_of(indicators, settings), settings, table_path=str(table))
    return write_result(result, output, tables_dir)

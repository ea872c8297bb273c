"""Cleaning stage: from the de-identified text tables of the ingest stage to typed, checked tables.

Each step is a small pure function of a table that returns the new table and what it did: rows of
the cleaning log (step, table, source_row, column, old value, new value, rule) and the rows it
sends to quarantine with their reasons. :func:`.run.clean_table` runs the steps in order and
:func:`.reconcile.finish_table` reconciles the counts: rows in = rows out + exact duplicates removed
+ rows dropped by corrections + rows quarantined, for every table.

* :mod:`.cells`: survey-sheet spellings of text, numbers and dates read into values;
* :mod:`.duplicates`: exact and conflicting duplicates, the corrections file, the duplicates report;
* :mod:`.steps`: normalisation, missing codes, types, ranges, consistency, required answers, outliers;
* :mod:`.log`: the cleaning log and quarantine records; :mod:`.reconcile`: the counts that must add up;
* :mod:`.settings`: the ``cleaning`` config; :mod:`.run`: a county's tables and the entry point
  ``pa-study clean`` calls.
"""

from pa_study.clean.reconcile import CleanResult
from pa_study.clean.run import clean_county, clean_table, empty_table, run_clean
from pa_study.clean.settings import CleaningOptions
from pa_study.clean.steps import Source

__all__ = ["CleanResult", "CleaningOptions", "Source", "clean_county", "clean_table", "empty_table", "run_clean"]

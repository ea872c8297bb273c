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
* :mod:`.settings`: the ``cleaning`` config and a clean job's config part;
* :mod:`.run`: a county's tables and the entry point ``pa-study clean`` calls.

Only the light config helpers are imported here, so that the workflow (which needs them to build
its jobs) does not load pandas.
"""

from pa_study.clean.settings import CleaningOptions, clean_settings

__all__ = ["CleaningOptions", "clean_settings"]

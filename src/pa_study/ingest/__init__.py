"""Ingest stage: read a raw file of any supported format, map its headers to the codebook, and
de-identify it.

The output of this stage is a table of *text* values under canonical column names, with a
``source_row`` column saying where each record stands in the raw file, personal data removed and
linkage ids replaced by pseudonyms. Parsing the text into typed values is the cleaning stage's job,
so that every change made to a value is recorded there.

* :mod:`.readers`: one reader per format (CSV in UTF-8, GBK or GB18030, Excel ``.xlsx``, Stata
  ``.dta``, SPSS ``.sav``), each returning the file as text;
* :mod:`.headers`: the raw headers matched to canonical names through the codebook's aliases;
* :mod:`.deidentify`: the de-identification hook and the salted pseudonyms;
* :mod:`.corrections`: the researcher's duplicates corrections file;
* :mod:`.settings`: a raw file's reading options and an ingest job's config part;
* :mod:`.run`: :func:`.run.ingest` and the entry point ``pa-study ingest`` calls;
* :mod:`.detect`: a file's real format, encoding, sheet and header row (used by the readers'
  and header messages and by the two commands below);
* :mod:`.check` and :mod:`.newcounty`: ``pa-study check`` and ``pa-study new-county``, for the
  first hour with one's own data.

Only the light config helpers are imported here, so that the workflow (which needs them to build
its jobs) does not load pandas.
"""

from pa_study.ingest.settings import RawFile, corrections_settings, ingest_settings

__all__ = ["RawFile", "corrections_settings", "ingest_settings"]

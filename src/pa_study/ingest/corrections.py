"""The ingest of a duplicates corrections file (the researcher's resolution of conflicting ids)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pa_study.codebook import Instrument
from pa_study.errors import InputError
from pa_study.ingest.deidentify import pseudonymise_column
from pa_study.ingest.readers import read_raw


def ingest_corrections(path: str | Path, instrument: Instrument, *, salt: str) -> pd.DataFrame:
    """Read a duplicates corrections file and pseudonymise its ids like the data's.

    The file (UTF-8 or GBK CSV) has one row per row of a conflicting-duplicate group:
    ``source_row`` (the raw file's row), the key column with the raw id, ``action`` (``keep``,
    ``drop`` or ``new_id``) and ``new_id`` (for ``new_id``), plus an optional ``note``.

    Raises
    ------
    InputError
        Missing columns, a non-integer ``source_row``, an unknown action, or ``new_id`` missing where
        the action needs it — naming the file row.
    """
    path = str(path)
    key = instrument.key[0]
    raw = read_raw(path, require_rows=False)
    headers = [h.strip() for h in raw.headers]
    needed = ["source_row", key, "action", "new_id"]
    missing = [c for c in needed if c not in headers]
    if missing:
        raise InputError(
            f"corrections file lacks column(s) {', '.join(missing)}; expected {', '.join(needed)}", path=path
        )
    records = []
    for row_number, row in zip(raw.source_rows, raw.rows, strict=True):
        cells = dict(zip(headers, row, strict=False))
        action = (cells["action"] or "").strip().lower()
        if action not in ("keep", "drop", "new_id"):
            raise InputError(
                f"action {cells['action']!r} is not keep, drop or new_id", path=path, row=row_number, column="action"
            )
        if not (cells["source_row"] or "").strip().isdigit():
            raise InputError(
                f"source_row {cells['source_row']!r} is not a row number",
                path=path,
                row=row_number,
                column="source_row",
            )
        if action == "new_id" and not (cells["new_id"] or "").strip():
            raise InputError("action new_id needs a value in new_id", path=path, row=row_number, column="new_id")
        records.append(
            {
                "source_row": int(cells["source_row"]),
                key: cells[key],
                "action": action,
                "new_id": cells["new_id"] if action == "new_id" else None,
            }
        )
    frame = pd.DataFrame(records, columns=["source_row", key, "action", "new_id"])
    frame[key] = pseudonymise_column(frame[key].astype("string"), salt)
    frame["new_id"] = pseudonymise_column(frame["new_id"].astype("string"), salt)
    return frame

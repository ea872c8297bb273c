"""De-identification: the hook that removes personal data from an ingested table, and the
salted-hash pseudonyms that replace its linkage ids.

Personal data (names, ID-card numbers, phone numbers) never leave the ingest stage: the codebook
marks them ``personal`` and :func:`deidentified` drops them before anything is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from pa_study.codebook import SOURCE_ROW, normalise_label
from pa_study.errors import InputError
from pa_study.privacy import clear_personal_values, personal_cells, refusal, register_personal_values

if TYPE_CHECKING:
    from pa_study.codebook import Instrument
    from pa_study.ingest.headers import HeaderMap
    from pa_study.ingest.readers import RawTable

#: The salt used for the bundled synthetic demo data only. It is public, so pseudonyms made with it
#: protect nothing: real data must use a secret salt (environment variable or salt file).
DEMO_SALT = "pa-study-demo-salt-v1 (synthetic data only)"

#: Hex digits kept from the SHA-256 digest: 64 bits, so collisions are negligible in any survey.
PSEUDONYM_LENGTH = 16


def pseudonym(value: str, salt: str) -> str:
    """Return the pseudonym of one identifier: the first 16 hex digits of SHA-256(salt, id).

    The id is normalised first (full-width to half-width, white space removed, case folded) so the
    same household written ``HH0012`` and ``ＨＨ００１２`` gets the same pseudonym.

    Parameters
    ----------
    value : str
        The raw identifier.
    salt : str
        The secret salt; without it the pseudonym cannot be reversed by hashing candidate ids.

    Returns
    -------
    str
    """
    digest = hashlib.sha256(f"{salt}\x1f{normalise_label(value)}".encode()).hexdigest()
    return digest[:PSEUDONYM_LENGTH]


def pseudonymise_column(values: pd.Series, salt: str) -> pd.Series:
    """Return ``values`` with every non-missing identifier replaced by its pseudonym."""
    return values.map(lambda v: pseudonym(v, salt) if isinstance(v, str) else v).astype("string")


def register_personal_data(chunks: Iterable[RawTable], instrument: Instrument, headers: HeaderMap) -> None:
    """Register the values of a file's personal columns (:mod:`pa_study.privacy`), forgetting any
    registered before, so that a name in a kept column is found as well as ID-card and mobile
    numbers, and so that this process's writes and log lines are screened for them too.

    Parameters
    ----------
    chunks : iterable of RawTable
        The whole file as read (in chunks, for a file read as a stream: a value must be registered
        before any chunk is screened, as a shifted cell may come before the row it belongs to).
    instrument : Instrument
        Its codebook instrument.
    headers : HeaderMap
        How its headers map to the codebook.
    """
    clear_personal_values()
    personal = [p for p, name in headers.columns.items() if instrument[name].personal]
    if not personal:
        return
    for raw in chunks:
        register_personal_values((row[p] for row in raw.rows for p in personal), vocabulary=instrument.vocabulary)


def refuse_personal_data(raw: RawTable, instrument: Instrument, headers: HeaderMap, kept: pd.DataFrame) -> None:
    """Refuse a file whose kept columns hold personal data (cells shifted, a phone number in the
    wrong field), naming the raw file's rows and headers but never the value. The file's own
    personal values must be registered first (:func:`register_personal_data`). Pseudonymised ids
    are not screened: they are hashed before anything is written.

    Parameters
    ----------
    raw : RawTable
        The raw file as read, or the chunk of it that ``kept`` holds.
    instrument : Instrument
        Its codebook instrument.
    headers : HeaderMap
        How its headers map to the codebook.
    kept : pandas.DataFrame
        The canonical table without the personal columns, before pseudonymisation.

    Raises
    ------
    pa_study.privacy.PersonalDataError
    """
    findings = personal_cells(kept, skip=[SOURCE_ROW, *instrument.pseudonymised])
    if findings:
        names = {name: raw.headers[p] for p, name in headers.columns.items()}
        raise refusal(findings, raw.path, rows="source", headers=names)


def deidentified(table: pd.DataFrame, instrument: Instrument, salt: str) -> pd.DataFrame:
    """Return ``table`` without the instrument's personal columns and with its linkage ids pseudonymised.

    Parameters
    ----------
    table : DataFrame
        A canonical table of the instrument (:func:`pa_study.ingest.headers.canonical_table`).
    instrument : Instrument
        Its codebook instrument, which marks the ``personal`` and ``pseudonymise`` variables.
    salt : str
        The pseudonym salt (:func:`resolve_salt`).

    Returns
    -------
    DataFrame
    """
    table = table.drop(columns=instrument.personal)
    for name in instrument.pseudonymised:
        table[name] = pseudonymise_column(table[name], salt)
    return table


def resolve_salt(*, salt_env: str, salt_file: str | None, synthetic: bool) -> str:
    """Return the pseudonym salt: from the environment, else the salt file, else the demo default.

    Parameters
    ----------
    salt_env : str
        Name of the environment variable that may hold the salt.
    salt_file : str or None
        A file holding the salt (first line); keep it outside ``results/`` and out of git.
    synthetic : bool
        The county's data are the bundled synthetic demo data; only then is :data:`DEMO_SALT` used.

    Returns
    -------
    str

    Raises
    ------
    InputError
        Real data and no salt configured, or an empty/unreadable salt file.
    """
    from_env = os.environ.get(salt_env, "").strip()
    if from_env:
        return from_env
    if salt_file:
        path = Path(salt_file).expanduser()
        if not path.is_file():
            raise InputError("the pseudonym salt file does not exist", path=str(path))
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise InputError("the pseudonym salt file is empty; expected a secret string", path=str(path))
        return text.splitlines()[0]
    if synthetic:
        return DEMO_SALT
    raise InputError(
        f"no pseudonym salt for real data: set the environment variable {salt_env} to a secret string, "
        f"or name a salt file under pseudonym.salt_file in config.yaml",
        path="config",
    )

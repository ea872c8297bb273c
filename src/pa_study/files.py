"""Writing results deterministically: same inputs, same bytes."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _atomic_write(path: str | Path, write: Any) -> None:
    """Write through a temporary file in the same folder, so a failed run leaves no partial file
    that looks complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        # mkstemp makes the file private (0600); results are ordinary files, readable as the umask allows.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_parquet(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` to Parquet without its index, uncompressed-metadata-stable (no timestamps)."""
    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd"))


def write_bytes(data: bytes, path: str | Path) -> None:
    """Write ``data`` to ``path`` (figures, the PDF report) through a temporary file."""
    _atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as UTF-8 CSV with a BOM, so Excel shows Chinese text correctly."""
    _atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n"))


def write_json(value: Any, path: str | Path) -> None:
    """Write ``value`` as indented, key-sorted UTF-8 JSON (Chinese kept readable).

    NumPy scalars become Python numbers and timestamps ISO text; anything else that JSON cannot
    hold is an error rather than silently written as its ``str``.
    """
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=_json_scalar) + "\n"
    _atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _json_scalar(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


def read_json(path: str | Path) -> Any:
    """Read a JSON file written by :func:`write_json`."""
    return json.loads(Path(path).read_text(encoding="utf-8"))

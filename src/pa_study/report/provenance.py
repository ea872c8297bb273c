"""Provenance of the report: hashes of its inputs and of the config, package versions, commit.

Nothing here reads the clock, so the appendix is the same on every rebuild from the same inputs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

#: Packages whose versions decide the numbers and the layout.
PACKAGES = (
    "pa-study",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pyarrow",
    "matplotlib",
    "snakemake",
    "typst",
    "pylopdf-fonts-zh-cn",
)


def file_sha256(path: str | Path) -> str:
    """The SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def input_hashes(paths: Iterable[str | Path]) -> list[tuple[str, str]]:
    """``(path, sha256)`` of every file under ``paths`` (folders are walked, hidden files left out),
    sorted by path."""
    files: set[Path] = set()
    for path in map(Path, paths):
        if path.is_dir():
            # Hidden files are bookkeeping (Snakemake's directory timestamps), not results.
            files.update(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.add(path)
    return [(p.as_posix(), file_sha256(p)) for p in sorted(files, key=lambda p: p.as_posix())]


def package_versions() -> list[tuple[str, str]]:
    """``(package, version)`` of :data:`PACKAGES` (``not installed`` when absent)."""
    versions = []
    for name in PACKAGES:
        try:
            versions.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            versions.append((name, "not installed"))
    return versions

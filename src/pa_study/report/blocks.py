"""The report's building blocks: plain dicts the Typst template renders (``report.typ``).

A block is ``{"kind": ..., ...}``: ``heading`` (level, text), ``par`` (text), ``bullets`` (items),
``note`` (text), ``table`` (columns, rows, align, mono, caption) or ``figure`` (path, caption). Text is
inserted as text, never evaluated as Typst markup.
"""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]


def heading(text: str, level: int = 1) -> Block:
    """A section heading."""
    return {"kind": "heading", "level": level, "text": text}


def par(text: str) -> Block:
    """A paragraph."""
    return {"kind": "par", "text": text}


def bullets(items: list[str]) -> Block:
    """A bulleted list."""
    return {"kind": "bullets", "items": list(items)}


def note(text: str) -> Block:
    """A shaded note (pending inputs, caveats)."""
    return {"kind": "note", "text": text}


def table(
    columns: list[str],
    rows: list[list[Any]],
    caption: str,
    align: list[str] | None = None,
    mono: list[int] | None = None,
) -> Block:
    """A table; cells are printed as given (format numbers before), columns ``mono`` in a small
    monospaced font (hashes)."""
    return {
        "kind": "table",
        "columns": list(columns),
        "rows": [[str(cell) for cell in row] for row in rows],
        "align": align or ["left"] + ["right"] * (len(columns) - 1),
        "caption": caption,
        "mono": list(mono or []),
    }


def figure(path: str, caption: str) -> Block:
    """A figure file (relative to the build folder) with its caption."""
    return {"kind": "figure", "path": path, "caption": caption}

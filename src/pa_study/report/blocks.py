"""The report's building blocks: plain dicts the Typst template renders (``report.typ``).

A block is ``{"kind": ..., ...}``: ``heading`` (level, text), ``par`` (parts), ``bullets`` (items),
``note`` (text), ``table`` (columns, rows, align, mono, caption, label) or ``figure`` (path,
caption, label). Text is inserted as text, never evaluated as Typst markup. Tables and figures are
numbered by the template; a paragraph cites one by its label, written ``[[label]]`` in the text
(:func:`ref`), which the template prints as "Table 3" or "Figure 2" (表3, 图2 in Chinese).
"""

from __future__ import annotations

import re
from typing import Any

Block = dict[str, Any]

_REF = re.compile(r"\[\[([a-z0-9:_-]+)\]\]")


def heading(text: str, level: int = 1) -> Block:
    """A section heading."""
    return {"kind": "heading", "level": level, "text": text}


def ref(label: str) -> str:
    """The citation of the table or figure labelled ``label``, to put in a paragraph's text."""
    return f"[[{label}]]"


def par(text: str) -> Block:
    """A paragraph; ``[[label]]`` in ``text`` cites a table or figure (see :func:`ref`)."""
    parts: list[list[str]] = []
    position = 0
    for match in _REF.finditer(text):
        if match.start() > position:
            parts.append(["text", text[position : match.start()]])
        parts.append(["ref", match.group(1)])
        position = match.end()
    if position < len(text):
        parts.append(["text", text[position:]])
    return {"kind": "par", "parts": parts}


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
    label: str | None = None,
) -> Block:
    """A numbered table; cells are printed as given (format numbers before), columns ``mono`` in a
    small monospaced font (hashes); ``label`` lets a paragraph cite it."""
    return {
        "kind": "table",
        "columns": list(columns),
        "rows": [[str(cell) for cell in row] for row in rows],
        "align": align or ["left"] + ["right"] * (len(columns) - 1),
        "caption": caption,
        "mono": list(mono or []),
        "label": label,
    }


def figure(path: str, caption: str, label: str | None = None, width: int = 100) -> Block:
    """A numbered figure file (relative to the build folder) with its caption, ``width`` percent of the
    text width; ``label`` lets a paragraph cite it."""
    return {"kind": "figure", "path": path, "caption": caption, "label": label, "width": width}


def plain_text(block: Block) -> str:
    """A paragraph's text with its citations as ``[[label]]`` (for tests and screening)."""
    return "".join(value if kind == "text" else ref(value) for kind, value in block["parts"])

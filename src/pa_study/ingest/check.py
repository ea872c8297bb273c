"""Checking one's own raw file before the first run: ``pa-study check FILE --instrument households``.

:func:`check_file` reads a file the way the ingest stage would, after finding its layout
(:mod:`.detect`), and reports how each header maps to the codebook (with the alias used, or the
nearest aliases for a header not recognised), the required columns missing, a preview of the
values the cleaning stage would not accept (run through the cleaning steps themselves, so the
preview and the run agree), and the config entry to paste. Nothing is written.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from pa_study.codebook import SOURCE_ROW, Codebook, Instrument, normalise_label
from pa_study.errors import InputError
from pa_study.ingest.detect import Layout, detect_layout
from pa_study.ingest.readers import FORMATS, RawTable, column_letter, read_raw

#: Rows listed per value problem in the preview.
PREVIEW_ROWS = 5


@dataclass(frozen=True)
class HeaderCheck:
    """One header of the file and what it maps to.

    Attributes
    ----------
    column : str
        The spreadsheet column letter (or the variable's position for Stata/SPSS).
    header : str
        The header as written.
    variable : str or None
        The codebook variable it names, or ``None`` when not recognised.
    alias : str or None
        The codebook spelling it matched (the variable's name, Chinese label or an alias), or the
        variable label through which a Stata/SPSS column was recognised.
    nearest : tuple of str
        For a header not recognised: the closest spellings the codebook knows, with their variables.
    personal : bool
        Whether the variable is personal data (dropped at ingest).
    """

    column: str
    header: str
    variable: str | None
    alias: str | None = None
    nearest: tuple[str, ...] = ()
    personal: bool = False


@dataclass(frozen=True)
class ValueProblem:
    """Values of one column that the cleaning stage would not accept as they are.

    Attributes
    ----------
    variable : str
        The codebook variable.
    kind : str
        ``unparseable_number``, ``unknown_category``, ``unparseable_date`` or ``out_of_range``.
    count : int
        Cells affected.
    rows : tuple of int
        The first few source rows (spreadsheet rows, or case numbers for Stata/SPSS).
    values : tuple of str
        Their values as written (distinct, in row order).
    consequence : str
        What the run does with them.
    """

    variable: str
    kind: str
    count: int
    rows: tuple[int, ...]
    values: tuple[str, ...]
    consequence: str


@dataclass
class CheckReport:
    """Everything ``pa-study check`` found about one raw file (see :func:`check_file`)."""

    path: str
    instrument: str
    layout: Layout
    rows: int = 0
    headers: list[HeaderCheck] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    problems: list[ValueProblem] = field(default_factory=list)
    config_entry: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        """Whether the file would be read by the ingest stage with the config entry given."""
        return not self.errors and not self.missing_required


_CONSEQUENCE = {
    "unparseable_number": "stops the run (with cleaning.unparseable_numbers: quarantine, the rows are quarantined)",
    "unknown_category": "set to missing, logged",
    "unparseable_date": "set to missing, logged",
    "out_of_range": "set to missing, logged",
}


def check_file(
    path: str | Path,
    instrument: Instrument,
    codebook: Codebook,
    *,
    encoding: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> CheckReport:
    """Check a raw file against the codebook instrument it should hold.

    Parameters
    ----------
    path : str or Path
        The raw file (``.xlsx``, ``.csv``, ``.dta``, ``.sav``).
    instrument : Instrument
        The instrument it holds (households, cadres, projects, villages).
    codebook : Codebook
        For missing codes, categories and ranges.
    encoding, sheet, header_row : optional
        Reading options to use instead of the ones found.

    Returns
    -------
    CheckReport
        ``errors`` says why a file cannot be read (wrong extension for its bytes, no header found,
        a reading error), ``ready`` whether the ingest stage would accept it.
    """
    path = str(path)
    if not Path(path).is_file():
        raise InputError("file not found", path=path)
    layout = detect_layout(path, instrument, FORMATS)
    report = CheckReport(path, instrument.name, layout)
    options = {
        "encoding": encoding or (layout.encoding.codec if layout.encoding else "auto"),
        "sheet": sheet if sheet is not None else layout.sheet,
        "header_row": header_row or layout.header_row,
    }
    try:
        raw = read_raw(path, **options)
    except InputError as exc:
        report.errors.append(str(exc))
        return report
    report.rows = len(raw.rows)
    report.headers = header_checks(raw, instrument)
    found = {h.variable for h in report.headers if h.variable}
    report.missing_required = [name for name in instrument.required if name not in found]
    report.missing_optional = [v.name for v in instrument.kept if v.name not in found and not v.required]
    if layout.recognised == 0 and header_row is None:
        report.errors.append(
            f"no row among the first rows holds a header the codebook knows for {instrument.name}; is this the "
            f"{instrument.name} file ({instrument.label_zh})?"
        )
    entry = layout.config_entry(path)
    for key, value in (("encoding", encoding), ("sheet", sheet), ("header_row", header_row)):
        if value is not None:
            entry[key] = value
    report.config_entry = entry
    if not report.missing_required:
        report.problems = value_problems(raw, instrument, codebook)
    return report


def header_checks(raw: RawTable, instrument: Instrument) -> list[HeaderCheck]:
    """How each header of ``raw`` maps to ``instrument``: the variable and the spelling matched, or
    the nearest spellings (:func:`difflib.get_close_matches` on the normalised spellings)."""
    spellings = {
        normalise_label(alias.text): (var, alias.text)
        for var in instrument.variables
        for alias in var.header_spellings()
    }
    out = []
    for position, header in enumerate(raw.headers):
        column = column_letter(position) if raw.format in ("csv", "xlsx") else str(position + 1)
        label = raw.column_labels[position] if raw.column_labels else None
        match = spellings.get(normalise_label(header)) if header else None
        if match is None and label:
            match = spellings.get(normalise_label(label))
        if match is not None:
            var, alias = match
            out.append(HeaderCheck(column, header, var.name, alias, personal=var.personal))
            continue
        close = difflib.get_close_matches(normalise_label(header or ""), list(spellings), n=3, cutoff=0.5)
        nearest = tuple(f"{spellings[c][1]} ({spellings[c][0].name})" for c in close)
        out.append(HeaderCheck(column, header or "(no header)", None, nearest=nearest))
    return out


def value_problems(raw: RawTable, instrument: Instrument, codebook: Codebook) -> list[ValueProblem]:
    """The values the cleaning stage would change to missing, refuse or quarantine, per column and
    kind, with their counts and first rows; found by running its own steps (normalising, missing
    codes, types, ranges) on the file's text."""
    from pa_study.clean.steps import Source, missing_codes_to_na, normalise_cells, range_checks, typed_values
    from pa_study.ingest.headers import canonical_table, map_headers

    headers = map_headers(raw, instrument)
    table = canonical_table(raw, instrument, headers).set_index(SOURCE_ROW)
    table.index = table.index.astype(int)
    text = table.copy()
    table = normalise_cells(table, instrument).table
    table = missing_codes_to_na(table, instrument, codebook).table
    # Counted, not stopped at: the cleaning stage's quarantine mode.
    typed = typed_values(table, instrument, codebook, headers.scales, "quarantine", Source(raw.path))
    ranged = range_checks(typed.table, instrument)
    found: dict[tuple[str, str], list[int]] = {}
    for row, reasons in typed.quarantine.items():
        for reason in reasons:
            found.setdefault((reason.split(":", 1)[1], "unparseable_number"), []).append(row)
    for entry in [*typed.log, *ranged.log]:
        if entry["rule"] in ("unknown_category", "unparseable_date", "out_of_range") and entry[SOURCE_ROW] is not None:
            found.setdefault((entry["column"], entry["rule"]), []).append(entry[SOURCE_ROW])
    for row, reasons in ranged.quarantine.items():
        for reason in reasons:
            found.setdefault((reason.split(":", 1)[1], "out_of_range"), []).append(row)
    order = {v.name: i for i, v in enumerate(instrument.variables)}
    problems = []
    for (variable, kind), rows in sorted(found.items(), key=lambda item: (order[item[0][0]], item[0][1])):
        rows = sorted(set(rows))
        values = list(dict.fromkeys(str(text.at[r, variable]) for r in rows if not pd.isna(text.at[r, variable])))
        problems.append(
            ValueProblem(
                variable,
                kind,
                len(rows),
                tuple(rows[:PREVIEW_ROWS]),
                tuple(values[:PREVIEW_ROWS]),
                "the rows are quarantined"
                if kind == "out_of_range" and instrument[variable].on_out_of_range == "quarantine"
                else _CONSEQUENCE[kind],
            )
        )
    return problems


def format_check(report: CheckReport, instrument: Instrument) -> str:
    """The report as the terminal shows it."""
    layout = report.layout
    lines = [f"{report.path}: {report.instrument} ({instrument.label_zh})"]
    found = [f"format {layout.format}"]
    if layout.encoding is not None:
        bom = " with a byte-order mark" if layout.encoding.bom else ""
        found.append(f"encoding {layout.encoding.codec}{bom}")
    if layout.sheets:
        others = [s for s in layout.sheets if s != layout.sheet]
        found.append(f"sheet '{layout.sheet}'" + (f" (other sheets: {', '.join(others)})" if others else ""))
    if layout.format in ("csv", "xlsx"):
        found.append(f"header row {report.config_entry.get('header_row', layout.header_row)}")
    lines.append("  found: " + ", ".join(found) + (f"; {report.rows} data rows" if report.rows else ""))
    if layout.encoding is not None and layout.encoding.mixed_from_line:
        lines.append(
            f"  warning: the file changes encoding at line {layout.encoding.mixed_from_line} (between UTF-8 and "
            "GBK): it mixes encodings; re-save it in one encoding (UTF-8)"
        )
    for error in report.errors:
        lines.append(f"  error: {error}")
    if report.headers:
        lines.append("")
        lines.append("Headers:")
        width = max(_width(h.header) for h in report.headers)
        for h in report.headers:
            if h.variable is None:
                near = f"nearest: {'; '.join(h.nearest)}" if h.nearest else "no close spelling in the codebook"
                lines.append(f"  {h.column:>3}  {_padded(h.header, width)}  ✗ not recognised ({near}); left out")
            else:
                via = "" if normalise_label(h.alias or "") == normalise_label(h.header) else f" via '{h.alias}'"
                personal = "; personal data, dropped at ingest" if h.personal else ""
                lines.append(f"  {h.column:>3}  {_padded(h.header, width)}  → {h.variable}{via}{personal}")
    if report.missing_required:
        lines.append("")
        lines.append("Required columns missing (the run stops without them):")
        for name in report.missing_required:
            spellings = ", ".join(a.text for a in instrument[name].header_spellings())
            lines.append(f"  {name} ({instrument[name].label_zh}): a header named one of {spellings}")
    if report.missing_optional:
        lines.append("")
        lines.append(f"Optional columns not in the file (left empty): {', '.join(report.missing_optional)}")
    if report.problems:
        lines.append("")
        lines.append("Values the cleaning stage will not take as they are:")
        for p in report.problems:
            rows = ", ".join(map(str, p.rows)) + (", …" if p.count > len(p.rows) else "")
            values = ", ".join(repr(v) for v in p.values)
            lines.append(
                f"  {p.variable}: {p.count} {p.kind.replace('_', ' ')} (rows {rows}: {values}) – {p.consequence}"
            )
    elif report.ready:
        lines.append("")
        lines.append("Values: every value reads as the codebook expects.")
    if report.config_entry:
        lines.append("")
        lines.append("Config entry (config.yaml, under counties.<county>.files):")
        lines.append(f"  {report.instrument}: {_flow(report.config_entry)}")
    lines.append("")
    lines.append("Ready for ingest." if report.ready else "Not ready: see the errors and missing columns above.")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Columns ``text`` takes in a terminal: Chinese characters and full-width forms take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _flow(entry: dict[str, Any]) -> str:
    """A YAML flow mapping of a config entry (``{path: …, encoding: gbk}``)."""
    import yaml

    return yaml.safe_dump(entry, default_flow_style=True, allow_unicode=True, sort_keys=False).strip()

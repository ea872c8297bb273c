"""Injection of field-data mess into clean tables, with a record of every injected item.

Order: duplicates first (they decide the final row order and hence every ``source_row``), then
row-level problems, then cell-level problems. Rows that take part in a duplicate get no other
mess (an exact copy must stay identical to its original); a row gets at most one row-level problem
and then no cell-level mess; no cell gets two problems.

Record format (the truth file's ``injected.<table>.records``): ``source_row`` (spreadsheet row
with the header as row 1, or 1-based case number in .sav/.dta), ``column`` (canonical name, or
``None`` for row-level problems), ``problem`` and ``value`` (the cell as written; for row-level
problems a dict of the cells involved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pa_study.demo.encode import CellEncoder
from pa_study.demo.profiles import ACTIVE_TYPES

Columns = dict[str, list]
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_INCOME_COLUMNS = ("inc_wage", "inc_business", "inc_property", "inc_transfer")
_MISSING_NUMERIC_CODES = (-99, -98)
_MISSING_TEXT_CODES = ("不知道", "拒答")
OUT_OF_RANGE_VALUES: Mapping[str, tuple[int, ...]] = {
    "head_age": (120, 150, 250),
    "labour_count": (25, 35, 99),
    "head_schooling": (25, 30, 99),
    "years_in_post": (60, 99),
    **{
        name: (0, 6, 9)
        for name in (
            "satisfaction",
            "motiv_aspire_1",
            "motiv_aspire_2",
            "motiv_selfrely_1",
            "motiv_selfrely_2",
            "motiv_wait",
            "motiv_rely",
            "motiv_ask",
            "formalism_forms",
            "formalism_repeat",
            "formalism_show",
            "formalism_trace",
        )
    },
}


@dataclass(frozen=True)
class MessSpec:
    """What mess a table gets, at what rates (shares of the clean row count), and where.

    Attributes
    ----------
    key : str
        Key column (never messed except by duplicates).
    exact_duplicates : float
        Share of rows copied verbatim elsewhere in the file.
    conflict_groups : float
        Share of rows that get a conflicting duplicate (0: none; else at least three groups: one
        resolved by ``new_id``, one left unresolved, the rest resolved by keep/drop).
    row_problems : Mapping
        Row-level problem -> rate.
    cell_problems : Mapping
        Cell-level problem -> rate.
    cell_columns : Mapping
        Cell-level problem -> columns it may hit.
    alter_columns : tuple of str
        Columns a conflicting duplicate may answer differently.
    """

    key: str
    exact_duplicates: float = 0.0
    conflict_groups: float = 0.0
    row_problems: Mapping[str, float] = field(default_factory=dict)
    cell_problems: Mapping[str, float] = field(default_factory=dict)
    cell_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    alter_columns: tuple[str, ...] = ()


@dataclass
class MessResult:
    """A messy table and the record of what was done to it.

    Attributes
    ----------
    cells : dict
        Canonical name -> cells as written, in file row order.
    records : list of dict
        Injected items, sorted by ``source_row``.
    corrections : list of dict
        Rows of the duplicates corrections file (households only).
    unresolved_conflict_ids : list of str
        Raw ids of conflicting groups left without a correction.
    new_id_rows : list of int
        Source rows whose id the corrections file replaces (action ``new_id``).
    row_population : list of int
        Index of each written row in the clean table (the clean row it came from).
    """

    cells: Columns
    records: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    unresolved_conflict_ids: list[str]
    new_id_rows: list[int]
    row_population: list[int]


def inject(
    clean: Columns,
    spec: MessSpec,
    encode: CellEncoder,
    variable_types: Mapping[str, str],
    text_format: bool,
    first_row: int,
    rng: np.random.Generator,
) -> MessResult:
    """Return the table as written, with duplicates, row-level and cell-level mess injected.

    Parameters
    ----------
    clean : dict
        Canonical name -> semantic cells of the clean table.
    spec : MessSpec
        What to inject and how much.
    encode : CellEncoder
        Semantic value -> cell for the county's format.
    variable_types : Mapping
        Canonical name -> codebook type.
    text_format : bool
        Whether cells may hold text (xlsx, CSV); otherwise only numeric mess is injected.
    first_row : int
        Source row of the first data row (2 for spreadsheets and CSV, 1 for .sav/.dta).
    rng : numpy.random.Generator
        Source of randomness.
    """
    n_clean = len(clean[spec.key])
    plan = _DuplicatePlan.draw(clean, spec, n_clean, first_row, rng)
    semantic = plan.final_columns(clean)
    cells = {name: encode.column(name, values) for name, values in semantic.items()}
    injector = _CellInjector(semantic, cells, plan.protected, first_row, rng)
    for problem, rate in spec.row_problems.items():
        injector.row_problem(problem, _count(rate, n_clean), encode)
    for problem, rate in spec.cell_problems.items():
        columns = tuple(c for c in spec.cell_columns[problem] if c in cells)
        injector.cell_problem(problem, _count(rate, n_clean), columns, variable_types, text_format)
    records = sorted(plan.records + injector.records, key=lambda r: (r["source_row"], r["column"] or "", r["problem"]))
    return MessResult(
        cells=cells,
        records=records,
        corrections=sorted(plan.corrections, key=lambda r: r["source_row"]),
        unresolved_conflict_ids=plan.unresolved_ids,
        new_id_rows=plan.new_id_rows,
        row_population=plan.origin,
    )


def _count(rate: float, n: int) -> int:
    return max(1, round(rate * n)) if rate > 0 else 0


@dataclass
class _DuplicatePlan:
    """Where duplicates go: the origin of every final row and what each inserted row is."""

    origin: list[int]
    altered: dict[int, dict[str, Any]]  # final position -> changed semantic values
    renamed: dict[int, str]  # final position -> raw id written instead of the true one
    protected: set[int]
    records: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    unresolved_ids: list[str]
    new_id_rows: list[int]
    key: str

    @classmethod
    def draw(cls, clean: Columns, spec: MessSpec, n: int, first_row: int, rng: np.random.Generator) -> _DuplicatePlan:
        key = spec.key
        ids = clean[key]
        order = [int(i) for i in rng.permutation(n)]
        used: set[int] = set()
        n_groups = max(3, round(spec.conflict_groups * n)) if spec.conflict_groups > 0 else 0
        groups = [order[i] for i in range(n_groups)]
        used.update(groups)
        partner = _same_village_partner(clean, groups[0], used, rng) if n_groups else None
        if partner is not None:
            used.add(partner)
            # The typo'd id sits on the later of the two rows (originals keep their relative order).
            groups[0], partner = min(groups[0], partner), max(groups[0], partner)
        exact_sources = [i for i in order if i not in used][: _count(spec.exact_duplicates, n)]

        # Inserted rows get a random place among the originals (keys between integer positions). An
        # exact copy always comes after its original: identical rows cannot tell which is the copy,
        # so a cleaner keeping the first occurrence flags exactly the recorded rows.
        inserted: list[tuple[float, str, int]] = []
        for g, source in enumerate(groups):
            if g > 0:  # the new_id group has no altered copy: its second row is the partner household
                inserted.append((float(rng.uniform(-0.5, n - 0.5)), "altered", source))
        inserted += [(float(rng.uniform(s + 0.5, n - 0.5)), "copy", s) for s in exact_sources]
        entries = [(float(i), "original", i) for i in range(n)] + inserted
        entries.sort(key=lambda e: e[0])
        origin = [e[2] for e in entries]
        position_of = {e[2]: p for p, e in enumerate(entries) if e[1] == "original"}

        plan = cls(
            origin=origin,
            altered={},
            renamed={},
            protected=set(),
            records=[],
            corrections=[],
            unresolved_ids=[],
            new_id_rows=[],
            key=key,
        )
        for p, (_, kind, source) in enumerate(entries):
            if kind == "copy":
                plan._exact_copy(p, position_of[source], first_row)
            elif kind == "altered":
                group = groups.index(source)
                resolution = "unresolved" if group == 1 else "drop"
                plan._altered_copy(p, position_of[source], ids[source], resolution, clean, spec, first_row, rng)
        if partner is not None:
            plan._renamed_partner(position_of[groups[0]], position_of[partner], ids[groups[0]], ids[partner], first_row)
        return plan

    def _exact_copy(self, position: int, original: int, first_row: int) -> None:
        self.protected.update({position, original})
        self.records.append(
            _record(position + first_row, None, "exact_duplicate", {"duplicate_of": original + first_row})
        )

    def _altered_copy(
        self,
        position: int,
        original: int,
        raw_id: str,
        resolution: str,
        clean: Columns,
        spec: MessSpec,
        first_row: int,
        rng: np.random.Generator,
    ) -> None:
        source = self.origin[original]
        changes = _altered_answers(clean, source, spec.alter_columns, rng)
        self.altered[position] = changes
        self.protected.update({position, original})
        keep = "unresolved" if resolution == "unresolved" else "keep"
        self.records.append(
            _record(original + first_row, None, "conflicting_duplicate", {"household_id": raw_id, "resolution": keep})
        )
        self.records.append(
            _record(
                position + first_row,
                None,
                "conflicting_duplicate",
                {"household_id": raw_id, "resolution": resolution, "changed": sorted(changes)},
            )
        )
        if resolution == "unresolved":
            self.unresolved_ids.append(raw_id)
            return
        self.corrections.append(_correction(original + first_row, raw_id, "keep", "", "回访核实，保留此条"))
        self.corrections.append(_correction(position + first_row, raw_id, "drop", "", "重复录入且答案有误，删除"))

    def _renamed_partner(self, original: int, partner: int, raw_id: str, true_id: str, first_row: int) -> None:
        self.renamed[partner] = raw_id
        self.protected.update({original, partner})
        self.records.append(
            _record(original + first_row, None, "conflicting_duplicate", {"household_id": raw_id, "resolution": "keep"})
        )
        self.records.append(
            _record(
                partner + first_row,
                None,
                "conflicting_duplicate",
                {"household_id": raw_id, "resolution": "new_id", "new_id": true_id},
            )
        )
        self.new_id_rows.append(partner + first_row)
        self.corrections.append(_correction(original + first_row, raw_id, "keep", "", "回访核实，保留此条"))
        self.corrections.append(_correction(partner + first_row, raw_id, "new_id", true_id, "户号录入错误，实为另一户"))

    def final_columns(self, clean: Columns) -> Columns:
        """Return the semantic columns in final row order, with altered and renamed rows applied."""
        columns = {name: [values[i] for i in self.origin] for name, values in clean.items()}
        for position, changes in self.altered.items():
            for name, value in changes.items():
                columns[name][position] = value
        for position, raw_id in self.renamed.items():
            columns[self.key][position] = raw_id
        return columns


def _same_village_partner(clean: Columns, row: int, used: set[int], rng: np.random.Generator) -> int | None:
    village = clean["village"][row] if "village" in clean else None
    mates = [i for i, v in enumerate(clean.get("village", [])) if v == village and i not in used]
    return mates[int(rng.integers(len(mates)))] if mates else None


def _altered_answers(clean: Columns, row: int, candidates: tuple[str, ...], rng: np.random.Generator) -> dict[str, Any]:
    """Return 1-3 plausible, in-range answers that differ from the row's own."""
    present = [c for c in candidates if clean[c][row] is not None]
    chosen = rng.choice(len(present), size=min(len(present), int(rng.integers(1, 4))), replace=False)
    changes: dict[str, Any] = {}
    for index in sorted(int(i) for i in chosen):
        name = present[index]
        value = clean[name][row]
        if isinstance(value, dt.date):
            changes[name] = value + dt.timedelta(days=int(rng.integers(1, 11)))
        elif name == "head_age":
            changes[name] = int(np.clip(value + rng.choice([-3, -2, -1, 1, 2, 3]), 16, 105))
        elif name == "head_schooling":
            changes[name] = (value + int(rng.integers(1, 4))) % 17
        elif name in ("help_visits", "forms_inspections", "training_sessions"):
            changes[name] = value + int(rng.integers(1, 6))
        else:  # 1-5 Likert items
            changes[name] = 1 + (value - 1 + int(rng.integers(1, 5))) % 5
    return changes


def _record(source_row: int, column: str | None, problem: str, value: Any) -> dict[str, Any]:
    return {"source_row": source_row, "column": column, "problem": problem, "value": value}


def _correction(source_row: int, raw_id: str, action: str, new_id: str, note: str) -> dict[str, Any]:
    return {"source_row": source_row, "household_id": raw_id, "action": action, "new_id": new_id, "note": note}


class _CellInjector:
    """Applies row- and cell-level problems, keeping track of which rows and cells are taken."""

    def __init__(
        self, semantic: Columns, cells: Columns, protected: set[int], first_row: int, rng: np.random.Generator
    ) -> None:
        self.semantic = semantic
        self.cells = cells
        self.n = len(next(iter(cells.values())))
        self.blocked_rows = set(protected)
        self.taken: set[tuple[int, str]] = set()
        self.first_row = first_row
        self.rng = rng
        self.records: list[dict[str, Any]] = []

    def row_problem(self, problem: str, count: int, encode: CellEncoder) -> None:
        eligible, change = _ROW_PROBLEMS[problem]
        rows = [r for r in range(self.n) if r not in self.blocked_rows and eligible(self.semantic, r)]
        for index in sorted(self.rng.choice(len(rows), size=min(count, len(rows)), replace=False).tolist()):
            row = rows[index]
            changes, context = change(self.semantic, row, self.rng)
            written = {name: encode(name, value) if name in self.cells else value for name, value in context.items()}
            for name, value in changes.items():
                self.semantic[name][row] = value
                self.cells[name][row] = written[name] = encode(name, value)
            self.blocked_rows.add(row)
            self.records.append(_record(row + self.first_row, None, problem, written))

    def cell_problem(
        self, problem: str, count: int, columns: tuple[str, ...], variable_types: Mapping[str, str], text_format: bool
    ) -> None:
        if not text_format:
            if problem in _TEXT_ONLY:
                return
            columns = tuple(c for c in columns if variable_types[c] in ("integer", "number"))
        if not columns:
            return
        eligible, make = _CELL_PROBLEMS[problem]
        picked = 0
        # Rejection sampling keeps this linear in the count, not in the table size.
        for _ in range(200 * count + 1000):
            if picked == count:
                break
            row = int(self.rng.integers(self.n))
            name = columns[int(self.rng.integers(len(columns)))]
            value = self.semantic[name][row]
            if row in self.blocked_rows or (row, name) in self.taken or not eligible(name, value):
                continue
            cell = make(name, value, variable_types[name], text_format, self.rng)
            self.cells[name][row] = cell
            self.taken.add((row, name))
            self.records.append(_record(row + self.first_row, name, problem, cell))
            picked += 1


# ---- row-level problems: (eligible(semantic, row), change(semantic, row, rng) -> (changes, context))


def _labour_eligible(s: Columns, r: int) -> bool:
    return s["labour_count"][r] is not None and s["hh_size"][r] <= 18


def _labour_change(s: Columns, r: int, rng: np.random.Generator) -> tuple[dict, dict]:
    return {"labour_count": s["hh_size"][r] + int(rng.integers(1, 3))}, {"hh_size": s["hh_size"][r]}


def _exit_eligible(s: Columns, r: int) -> bool:
    return bool(s["exited"][r]) and s["exit_year"][r] is not None and (s["registration_year"][r] or 0) >= 2015


def _exit_change(s: Columns, r: int, rng: np.random.Generator) -> tuple[dict, dict]:
    registered_in = s["registration_year"][r]
    return {"exit_year": int(rng.integers(2014, registered_in))}, {"registration_year": registered_in}


def _skip_eligible(s: Columns, r: int) -> bool:
    return s["project_participant"][r] is False


def _skip_change(s: Columns, r: int, rng: np.random.Generator) -> tuple[dict, dict]:
    filled = {
        "project_type": ACTIVE_TYPES[int(rng.integers(len(ACTIVE_TYPES)))],
        "project_days": int(rng.integers(10, 201)),
        "project_income": int(rng.integers(50, 501)) * 10,
    }
    names = sorted(filled)
    keep = rng.choice(len(names), size=int(rng.integers(1, 4)), replace=False)
    return {names[i]: filled[names[i]] for i in sorted(keep.tolist())}, {"project_participant": False}


def _total_eligible(s: Columns, r: int) -> bool:
    parts = [s[c][r] for c in _INCOME_COLUMNS]
    return all(p is not None for p in parts) and s["inc_total"][r] is not None and abs(sum(parts)) >= 2000


def _total_change(s: Columns, r: int, rng: np.random.Generator) -> tuple[dict, dict]:
    parts = sum(s[c][r] for c in _INCOME_COLUMNS)
    factor = rng.uniform(1.25, 1.6) if rng.random() < 0.5 else rng.uniform(0.4, 0.75)
    return {"inc_total": int(round(parts * factor / 10.0)) * 10}, {"sum_of_components": parts}


_ROW_PROBLEMS: Mapping[str, tuple[Callable[[Columns, int], bool], Callable[..., tuple[dict, dict]]]] = {
    "labour_exceeds_size": (_labour_eligible, _labour_change),
    "exit_before_registration": (_exit_eligible, _exit_change),
    "skip_logic": (_skip_eligible, _skip_change),
    "total_mismatch": (_total_eligible, _total_change),
}


# ---- cell-level problems: (eligible(name, value), make(name, value, type, text_format, rng) -> cell)


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _fullwidth(name: str, value: Any, kind: str, text: bool, rng: np.random.Generator) -> str:
    return str(value).translate(_FULLWIDTH)


def _unit_suffix(name: str, value: Any, kind: str, text: bool, rng: np.random.Generator) -> str:
    forms = [f"{value}元"] + ([f"{value:,}元", f"{value:,}"] if value >= 1000 else [])
    return forms[int(rng.integers(len(forms)))]


def _wan(name: str, value: Any, kind: str, text: bool, rng: np.random.Generator) -> str:
    whole, rest = divmod(value, 10000)
    return f"{whole}万" if rest == 0 else f"{whole}.{rest:04d}".rstrip("0") + "万"


def _missing_code(name: str, value: Any, kind: str, text: bool, rng: np.random.Generator) -> object:
    if not text:
        codes: tuple[object, ...] = _MISSING_NUMERIC_CODES
    elif kind == "boolean":
        codes = _MISSING_TEXT_CODES
    else:
        codes = _MISSING_NUMERIC_CODES + _MISSING_TEXT_CODES
    return codes[int(rng.integers(len(codes)))]


def _out_of_range(name: str, value: Any, kind: str, text: bool, rng: np.random.Generator) -> int:
    options = OUT_OF_RANGE_VALUES[name]
    return options[int(rng.integers(len(options)))]


_TEXT_ONLY = frozenset({"fullwidth", "unit_suffix", "wan"})
_CELL_PROBLEMS: Mapping[str, tuple[Callable[[str, Any], bool], Callable[..., object]]] = {
    "fullwidth": (lambda name, v: _is_count(v), _fullwidth),
    "unit_suffix": (lambda name, v: _is_count(v), _unit_suffix),
    "wan": (lambda name, v: _is_count(v) and v >= 10000 and v % 100 == 0, _wan),
    "missing_code": (lambda name, v: v is not None, _missing_code),
    "out_of_range": (lambda name, v: v is not None and name in OUT_OF_RANGE_VALUES, _out_of_range),
}

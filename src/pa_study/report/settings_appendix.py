"""The settings appendix: every setting behind the results once, grouped, with its config path.

The indicator stage writes the settings each family used beside its results, so the shared ones
(confidence level, minimum samples, poverty lines) appear in several families' files and the
county-specific ones (poverty lines of a province, formalism baselines) differ between counties.
Here they are merged by config path: one row per setting, one value when every county used the
same, per county otherwise; a list of entries (poverty lines, targets, capability items) becomes a
table of its own with a column per field; the definitions of the headline estimates follow, one
table per family.
"""

from __future__ import annotations

import json
from typing import Any

import pa_study.report.blocks as b
from pa_study.indicators import FAMILIES
from pa_study.report.sections import ReportContext

#: Keys of a family's recorded settings that are not config settings.
_NOT_SETTINGS = ("family", "county")


def config_path(key: str) -> str:
    """The config path of a top-level key of a family's recorded settings (``study`` stays at the top
    of the config; everything else is under ``indicators``)."""
    return key if key == "study" else f"indicators.{key}"


def leaves(value: Any, path: str) -> dict[str, Any]:
    """``path -> value`` of every setting under ``value``: mappings are walked, lists kept whole."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for key, sub in value.items():
            out.update(leaves(sub, f"{path}.{key}"))
        return out
    return {path: value}


def recorded_settings(ctx: ReportContext) -> dict[str, dict[str, Any]]:
    """Config path -> county -> the value that county's results were computed with (over every
    family; a family's own baselines of a county appear under that county)."""
    found: dict[str, dict[str, Any]] = {}
    for county in ctx.results.counties:
        for family in FAMILIES:
            result = ctx.results.get(county, family)
            if result is None:
                continue
            for key, value in result.document.get("settings", {}).items():
                if key in _NOT_SETTINGS:
                    continue
                for path, leaf in leaves(value, config_path(key)).items():
                    found.setdefault(path, {})[county] = leaf
    return found


def printed(value: Any) -> str:
    """A setting's value as the table prints it (lists joined, ``null`` for none)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(printed(v) for v in value) if value else "[]"
    if value == {}:
        return "{}"
    return str(value)


def _same(values: dict[str, Any]) -> bool:
    return len({json.dumps(v, sort_keys=True, ensure_ascii=False) for v in values.values()}) == 1


def _group(path: str) -> str:
    """The group a setting is shown in: its first two path components (``indicators.identification``)."""
    parts = path.split(".")
    return ".".join(parts[:2]) if parts[0] == "indicators" and len(parts) > 2 else parts[0]


def _is_entries(values: dict[str, Any]) -> bool:
    return any(isinstance(v, list) and v and all(isinstance(i, dict) for i in v) for v in values.values())


def settings_appendix(ctx: ReportContext) -> list[b.Block]:
    """Appendix B: the settings (grouped tables of path and value, tables for lists of entries) and
    the definitions of each family's headline estimates."""
    w = ctx.words
    out = [b.heading(w["appendix_methods"]), b.par(w["design_methods"]), b.par(w["settings_intro"])]
    settings = recorded_settings(ctx)
    groups: dict[str, list[str]] = {}
    for path in sorted(settings):
        groups.setdefault(_group(path), []).append(path)
    for group, paths in groups.items():
        out.append(b.heading(group, level=2))
        rows = []
        for path in paths:
            values = settings[path]
            if _is_entries(values):
                continue
            if _same(values):
                rows.append([path, printed(next(iter(values.values())))])
            else:
                rows.append([path, "; ".join(f"{ctx.name(c)}: {printed(v)}" for c, v in values.items())])
        if rows:
            out.append(
                b.table(
                    [w["col_path"], w["col_value"]],
                    rows,
                    w["settings_caption"].format(group=group),
                    align=["left", "left"],
                )
            )
        for path in paths:
            if _is_entries(settings[path]):
                out.append(entries_table(ctx, path, settings[path]))
    out.extend(definitions(ctx))
    return out


def entries_table(ctx: ReportContext, path: str, values: dict[str, list[dict[str, Any]]]) -> b.Block:
    """A list of entries (e.g. poverty lines) as a table: one column per field and, when the
    counties' lists differ, the counties each entry applies to."""
    w = ctx.words
    entries: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for county, items in values.items():
        for item in items or []:
            key = json.dumps(item, sort_keys=True, ensure_ascii=False)
            entries.setdefault(key, (item, []))[1].append(county)
    fields = list(dict.fromkeys(field for item, _ in entries.values() for field in item))
    differ = not _same(values)
    rows = []
    for item, counties in entries.values():
        row = [printed(item.get(field, "")) for field in fields]
        if differ:
            row.append(w["all_counties"] if len(counties) == len(values) else ", ".join(ctx.name(c) for c in counties))
        rows.append(row)
    columns = [*fields, *([w["col_counties"]] if differ else [])]
    return b.table(columns, rows, w["settings_list_caption"].format(path=path), align=["left"] * len(columns))


def definitions(ctx: ReportContext) -> list[b.Block]:
    """Per family, the definitions of its headline estimates as its results file gives them."""
    w = ctx.words
    out = [b.heading(w["col_definition"], level=2)]
    for name, family in FAMILIES.items():
        found: dict[str, str] = {}
        for result in ctx.results.of_family(name):
            for key, text in result.document.get("definitions", {}).items():
                found.setdefault(key, str(text))
        if found:
            caption = w["definitions_caption"].format(family=family.title(ctx.language))
            rows = [[key, text] for key, text in sorted(found.items())]
            out.append(b.table([w["col_variable"], w["col_definition"]], rows, caption, align=["left", "left"]))
    return out if len(out) > 1 else []

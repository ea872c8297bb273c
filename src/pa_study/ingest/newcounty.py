"""Setting up one's own county: ``pa-study new-county KEY --raw-dir data/raw/KEY``.

:func:`new_county` looks at every raw file in the folder, decides which instrument each holds (the
one whose headers it recognises best, :mod:`pa_study.ingest.detect`), checks it
(:func:`pa_study.ingest.check.check_file`), and writes the
county's config block (files with the encoding, sheet and header row found; the survey design; the
corrections file) and an empty duplicates corrections file. It says which instruments are missing
and what that costs: the indicator families that need them (from the family registry) are skipped
or partial. Raw files are only read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pa_study.codebook import Codebook
from pa_study.config import INSTRUMENTS
from pa_study.errors import InputError
from pa_study.ingest.check import CheckReport, check_file
from pa_study.ingest.detect import detect_layout
from pa_study.ingest.readers import FORMATS

#: The header of a duplicates corrections file (see README, "Duplicates").
CORRECTIONS_HEADER = "source_row,household_id,action,new_id,note\n"
#: Instruments the workflow cannot run without (the schema's ``files`` requires them).
REQUIRED_INSTRUMENTS = ("households", "villages")
#: Instruments that refine estimates without adding any: what their absence changes.
OPTIONAL_INSTRUMENTS = {
    "cadre_roster": "formalism: county means of the cadre survey are unweighted over roles (the role-specific "
    "estimates are unaffected)",
}


@dataclass
class NewCounty:
    """What :func:`new_county` found and wrote.

    Attributes
    ----------
    key : str
        The county's key in the config.
    files : dict
        Instrument -> the check of the file chosen for it.
    unassigned : list of str
        Raw files that hold none of the instruments (or a second file of one already found).
    missing : list of str
        Instruments without a file.
    consequences : list of str
        What each missing instrument costs (families skipped or partial, the run stopping).
    block : dict
        The county's config block.
    config_path, corrections_path : Path or None
        The files written.
    """

    key: str
    files: dict[str, CheckReport] = field(default_factory=dict)
    unassigned: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    consequences: list[str] = field(default_factory=list)
    block: dict[str, Any] = field(default_factory=dict)
    config_path: Path | None = None
    corrections_path: Path | None = None


def identify_files(raw_dir: Path, codebook: Codebook) -> tuple[dict[str, CheckReport], list[str]]:
    """Return instrument -> the check of the file that holds it (the file whose header row
    recognises the largest share of the instrument's variables), and the files left over."""
    candidates = sorted(p for p in raw_dir.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
    scored = []
    for path in candidates:
        for name in INSTRUMENTS:
            layout = detect_layout(path, codebook[name], FORMATS)
            if layout.recognised:
                scored.append((layout.recognised / len(codebook[name].variables), name, path))
    chosen: dict[str, Path] = {}
    for _, name, path in sorted(scored, key=lambda item: item[0], reverse=True):
        if name not in chosen and path not in chosen.values():
            chosen[name] = path
    leftover = [p.as_posix() for p in candidates if p not in chosen.values()]
    checks = {name: check_file(chosen[name], codebook[name], codebook) for name in INSTRUMENTS if name in chosen}
    return checks, leftover


def missing_consequences(present: list[str]) -> list[str]:
    """What the missing instruments cost: the run stopping (households, villages), from the family
    registry each indicator family skipped or partial, and what a missing optional instrument changes."""
    from pa_study.indicators import FAMILIES

    out = [
        f"no {name} file: the workflow needs one (counties.<county>.files.{name}); the run stops without it"
        for name in REQUIRED_INSTRUMENTS
        if name not in present
    ]
    for family in FAMILIES.values():
        lacking_required = [i for i in family.required if i not in present]
        lacking = [
            i
            for i in family.instruments
            if i not in present and i not in family.required and i not in OPTIONAL_INSTRUMENTS
        ]
        if lacking_required:
            out.append(f"{family.name}: skipped (needs {', '.join(lacking_required)})")
        elif lacking:
            out.append(f"{family.name}: partial (no {', '.join(lacking)}: the measures from it are left out)")
    out += [f"no {name} (optional): {cost}" for name, cost in OPTIONAL_INSTRUMENTS.items() if name not in present]
    return out


def county_block(
    key: str, files: dict[str, CheckReport], corrections: str, name: str | None, name_zh: str | None
) -> dict[str, Any]:
    """The county's config block: names, files as found, design and corrections file."""
    households = files.get("households")
    has_weight = households is not None and any(h.variable == "weight" for h in households.headers)
    design = {"weights": "frame"} if "villages" in files or not has_weight else {"weights": "column"}
    block: dict[str, Any] = {"name": name or key}
    if name_zh:
        block["name_zh"] = name_zh
    block["synthetic"] = False
    block["files"] = {instrument: report.config_entry for instrument, report in files.items()}
    block["corrections"] = corrections
    block["design"] = design
    return block


def new_county(
    key: str,
    raw_dir: str | Path,
    codebook: Codebook,
    *,
    name: str | None = None,
    name_zh: str | None = None,
    config_path: str | Path | None = None,
    corrections_dir: str | Path = "data/corrections",
    force: bool = False,
) -> NewCounty:
    """Write the config block of a new county and its empty corrections file.

    Parameters
    ----------
    key : str
        The county's key (letters, digits, ``_``), e.g. ``Fuping``.
    raw_dir : str or Path
        The folder of its raw files.
    codebook : Codebook
        To recognise the files' headers.
    name, name_zh : str, optional
        The county's English and Chinese names (default: the key).
    config_path : str or Path, optional
        Where to write the config (default ``config.<key>.yaml``): ``focal: <key>`` and the county's
        block, to run with ``snakemake --configfile config.<key>.yaml`` (merged over config.yaml).
    corrections_dir : str or Path
        The corrections file is ``<corrections_dir>/<key>/households_duplicates.csv``.
    force : bool
        Overwrite files that exist; without it, an existing file stops the command.

    Returns
    -------
    NewCounty

    Raises
    ------
    InputError
        For a key that is not a plain name, a folder that does not exist, or a file that would be
        overwritten.
    """
    if not key.replace("_", "").isalnum() or not key.isascii():
        raise InputError(f"county key '{key}' must be letters, digits and _ only (e.g. Fuping)")
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError("folder not found; expected the folder of the county's raw files", path=raw_dir.as_posix())
    result = NewCounty(key)
    result.files, result.unassigned = identify_files(raw_dir, codebook)
    present = list(result.files)
    result.missing = [name for name in INSTRUMENTS if name not in present and name not in OPTIONAL_INSTRUMENTS]
    result.consequences = missing_consequences(present)
    corrections = Path(corrections_dir) / key / "households_duplicates.csv"
    result.block = county_block(key, result.files, corrections.as_posix(), name, name_zh)
    result.config_path = Path(config_path or f"config.{key}.yaml")
    result.corrections_path = corrections
    for path in (result.config_path, result.corrections_path):
        if path.exists() and not force:
            raise InputError("the file exists; pass --force to overwrite it", path=path.as_posix())
    header = (
        f"# County {key}, written by `pa-study new-county {key} --raw-dir {raw_dir.as_posix()}`.\n"
        f"# Run the study with it as the focal county: snakemake --cores 2 --configfile {result.config_path.name}\n"
        "# (merged over config.yaml: the benchmarks stay those of config.yaml). Real data need a pseudonym salt:\n"
        "# export PA_STUDY_SALT='a long secret' (see README, Personal data).\n"
    )
    body = yaml.safe_dump(
        {"focal": key, "counties": {key: result.block}}, allow_unicode=True, sort_keys=False, width=120
    )
    result.config_path.write_text(header + body, encoding="utf-8")
    corrections.parent.mkdir(parents=True, exist_ok=True)
    corrections.write_text(CORRECTIONS_HEADER, encoding="utf-8")
    return result


def format_new_county(result: NewCounty) -> str:
    """What :func:`new_county` did, as the terminal shows it."""
    lines = [f"County {result.key}:"]
    for instrument, report in result.files.items():
        recognised = sum(1 for h in report.headers if h.variable)
        state = "ready" if report.ready else "not ready: run pa-study check on it"
        lines.append(f"  {instrument}: {report.path} ({recognised} headers recognised; {state})")
    for path in result.unassigned:
        lines.append(f"  left out: {path} (holds no instrument the codebook knows, or a second file of one)")
    if result.missing:
        lines.append(f"Missing: {', '.join(result.missing)}")
    lines += [f"  {line}" for line in result.consequences]
    lines.append(f"Wrote {result.config_path} and an empty corrections file {result.corrections_path}.")
    lines.append(f"Next: snakemake --cores 2 --configfile {result.config_path}")
    return "\n".join(lines)

"""Generate one county (or all four): raw files, the duplicates corrections file and the truth file."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pa_study.demo._codebook import Codebook, Variable, load_codebook, variables_by_name
from pa_study.demo.design import DEFAULT_HOUSEHOLDS, DesignScale, build_frame, design_scale, draw_households
from pa_study.demo.encode import CellEncoder, header_of, is_text_format, scale_of, value_labels
from pa_study.demo.ledgers import cadre_roster, cadre_survey, complete_ledger, project_ledger
from pa_study.demo.mess import MessResult, MessSpec, inject
from pa_study.demo.population import monitoring_groups, simulate_population
from pa_study.demo.profiles import (
    BASELINE_YEAR,
    COUNTIES,
    SURVEY_YEAR,
    CountyProfile,
    FileSpec,
    poverty_lines,
)
from pa_study.demo.survey import household_sample, table_columns
from pa_study.demo.truth import (
    burden_truths,
    capability_truths,
    design_truths,
    identification_truths,
    industry_truths,
    monitoring_truths,
    project_truths,
)
from pa_study.demo.writers import Sheet, write_sheet
from pa_study.files import write_json

GENERATOR_VERSION = "1.0.0"
DEFAULT_CODEBOOK = Path("data/codebook/codebook.yaml")
INSTRUMENTS = ("households", "cadres", "projects", "villages")
CORRECTIONS_HEADER = ("source_row", "household_id", "action", "new_id", "note")

_INCOMES = (
    "inc_wage",
    "inc_business",
    "inc_property",
    "inc_transfer",
    "inc_total",
    "inc_wage_base",
    "inc_business_base",
    "inc_property_base",
    "inc_transfer_base",
    "inc_total_base",
)
_LIKERT = (
    "motiv_aspire_1",
    "motiv_aspire_2",
    "motiv_selfrely_1",
    "motiv_selfrely_2",
    "motiv_wait",
    "motiv_rely",
    "motiv_ask",
)
_COUNTS = (
    "head_age",
    "head_schooling",
    "n_disabled",
    "n_chronic",
    "n_students",
    "training_sessions",
    "help_visits",
    "forms_inspections",
)
_YES_NO = (
    "food_secure",
    "clothing_secure",
    "medical_insured",
    "safe_water",
    "has_skill",
    "migrant_work",
    "microcredit",
    "monitored",
)
_FORMALISM = ("formalism_forms", "formalism_repeat", "formalism_show", "formalism_trace")
_CADRE_COUNTS = ("forms_per_month", "duplicate_requests_per_month", "inspections_per_month", "reporting_channels")

HOUSEHOLD_MESS = MessSpec(
    key="household_id",
    exact_duplicates=0.01,
    conflict_groups=0.005,
    row_problems={
        "labour_exceeds_size": 0.005,
        "exit_before_registration": 0.005,
        "skip_logic": 0.005,
        "total_mismatch": 0.005,
    },
    cell_problems={"fullwidth": 0.015, "unit_suffix": 0.015, "wan": 0.008, "missing_code": 0.03, "out_of_range": 0.01},
    cell_columns={
        "fullwidth": _COUNTS
        + ("labour_count", "registration_year", "exit_year", "project_days", "project_income")
        + _INCOMES,
        "unit_suffix": _INCOMES + ("project_income",),
        "wan": _INCOMES + ("project_income",),
        "missing_code": _COUNTS + _INCOMES + _LIKERT + ("satisfaction",) + _YES_NO,
        "out_of_range": ("head_age", "labour_count", "head_schooling", "satisfaction") + _LIKERT,
    },
    alter_columns=(
        "head_age",
        "head_schooling",
        "satisfaction",
        "help_visits",
        "forms_inspections",
        "training_sessions",
        "motiv_aspire_1",
        "motiv_selfrely_2",
        "interview_date",
    ),
)
CADRE_MESS = MessSpec(
    key="cadre_id",
    exact_duplicates=0.01,
    cell_problems={"fullwidth": 0.01, "missing_code": 0.02, "out_of_range": 0.01},
    cell_columns={
        "fullwidth": tuple(
            f"hours_{h}" for h in ("paperwork", "meetings", "inspections", "fieldwork", "projects", "total")
        )
        + _CADRE_COUNTS,
        "missing_code": ("years_in_post",) + _CADRE_COUNTS + _FORMALISM,
        "out_of_range": ("years_in_post",) + _FORMALISM,
    },
)
PROJECT_MESS = MessSpec(
    key="project_id",
    cell_problems={"fullwidth": 0.02, "unit_suffix": 0.03, "missing_code": 0.02},
    cell_columns={
        "fullwidth": ("start_year", "linked_poor_households", "jobs_created"),
        "unit_suffix": ("annual_revenue", "dividends_paid", "fiscal_investment"),
        "missing_code": ("annual_revenue", "jobs_created", "linked_poor_households"),
    },
)
VILLAGE_MESS = MessSpec(key="village")
ROSTER_MESS = MessSpec(key="role")


def rng_roster_mess(profile: CountyProfile) -> np.random.Generator:
    """The cadre roster's own stream of mess (none is planted; the stream keeps it apart)."""
    return np.random.default_rng(np.random.SeedSequence([profile.seed, 2]))


@dataclass(frozen=True)
class Destinations:
    """Where a run writes.

    Attributes
    ----------
    raw, truth, corrections : Path
        Roots of the raw files (``<raw>/<county>/<instrument>.<ext>``), truth files
        (``<truth>/<county>.json``) and corrections (``<corrections>/<county>/households_duplicates.csv``).
    """

    raw: Path
    truth: Path
    corrections: Path


def generate(
    destinations: Destinations,
    households_per_county: int = DEFAULT_HOUSEHOLDS,
    counties: Iterable[str] | None = None,
    codebook_path: str | Path = DEFAULT_CODEBOOK,
) -> list[Path]:
    """Generate the synthetic demo data of the given counties and return the files written.

    Parameters
    ----------
    destinations : Destinations
        Output roots.
    households_per_county : int
        Target number of sampled households per county (default about 1,000).
    counties : iterable of str, optional
        County keys (``H``, ``Yishui``, ``Boxing``, ``Lankao``); all four by default.
    codebook_path : str or Path
        The codebook that defines headers, labels and category codes.

    Returns
    -------
    list of Path
        Every file written, the raw README included.
    """
    codebook = load_codebook(codebook_path)
    keys = list(COUNTIES) if counties is None else list(counties)
    unknown = [k for k in keys if k not in COUNTIES]
    if unknown:
        raise ValueError(f"unknown county {unknown}; choose from {list(COUNTIES)}")
    written = []
    for key in keys:
        written += generate_county(COUNTIES[key], codebook, destinations, households_per_county)
    written.append(write_raw_readme(destinations.raw, households_per_county))
    return written


@dataclass(frozen=True)
class SimulatedCounty:
    """Everything simulated for one county before any mess.

    Attributes
    ----------
    scale : DesignScale
        Design sizes used.
    frame : pandas.DataFrame
        Village frame with true ``n_registered`` and the ``sampled`` flag.
    ledger : pandas.DataFrame
        Completed project ledger.
    population : pandas.DataFrame
        Every household with its latent truths.
    cadres : pandas.DataFrame
        Cadre survey.
    households : dict
        Clean household survey (canonical name -> semantic cells).
    weights : numpy.ndarray
        True design weight of each sampled household (same row order).
    roster : pandas.DataFrame or None
        Cadres per role and township, for a county that delivers the roster.
    """

    scale: DesignScale
    frame: pd.DataFrame
    ledger: pd.DataFrame
    population: pd.DataFrame
    cadres: pd.DataFrame
    households: dict[str, list]
    weights: np.ndarray
    roster: pd.DataFrame | None = None


def simulate_county(profile: CountyProfile, codebook: Codebook, scale: DesignScale) -> SimulatedCounty:
    """Return the simulated population, frame, ledger, cadre survey and clean household sample.

    Parameters
    ----------
    profile : CountyProfile
        The county.
    codebook : Codebook
        Loaded codebook (decides which household variables are produced).
    scale : DesignScale
        Design sizes (:func:`pa_study.demo.design.design_scale`; a census takes every household).
    """
    # Independent streams per stage, so that e.g. a new survey-only field never changes the population.
    # (spawn(n) children do not depend on n: a stage added later takes the next stream and leaves the
    # others as they were)
    rng_frame, rng_ledger, rng_population, rng_sample, rng_survey, rng_cadres, rng_roster, rng_monitoring = (
        np.random.default_rng(s) for s in np.random.SeedSequence(profile.seed).spawn(8)
    )
    frame = build_frame(profile, scale, rng_frame)
    ledger = project_ledger(profile, frame, rng_ledger)
    population = simulate_population(profile, frame, ledger, rng_population)
    population = population.assign(**monitoring_groups(population, rng_monitoring))
    village_idx = population["village_idx"].to_numpy()
    registered = population["registered"].to_numpy()
    frame = frame.assign(
        county=profile.name_zh, n_registered=np.bincount(village_idx[registered], minlength=len(frame))
    )
    chosen, weights = draw_households(village_idx, registered, frame, scale.per_village_take, rng_sample)
    household_vars = [v.name for v in codebook["households"] if _delivered(v.name, profile.files)]
    cadres = cadre_survey(profile, frame, rng_cadres)
    return SimulatedCounty(
        scale=scale,
        frame=frame,
        ledger=complete_ledger(ledger, population, rng_ledger),
        population=population,
        cadres=cadres,
        households=household_sample(profile, population, frame, chosen, weights, household_vars, rng_survey),
        weights=weights,
        roster=cadre_roster(profile, frame, cadres, rng_roster) if profile.files.with_cadre_roster else None,
    )


#: Household variables only some field teams deliver: the design weight, and the register's records.
_OPTIONAL_HOUSEHOLD_VARIABLES = {
    "weight": "with_weight",
    "income_at_registration_pc": "with_register_records",
    "income_at_exit_pc": "with_register_records",
}


def _delivered(variable: str, files: FileSpec) -> bool:
    flag = _OPTIONAL_HOUSEHOLD_VARIABLES.get(variable)
    return flag is None or bool(getattr(files, flag))


def generate_county(
    profile: CountyProfile,
    codebook: Codebook,
    destinations: Destinations,
    households_per_county: int = DEFAULT_HOUSEHOLDS,
    scale: DesignScale | None = None,
) -> list[Path]:
    """Simulate one county, sample it, mess it up, and write its raw, corrections and truth files.

    Parameters
    ----------
    profile : CountyProfile
        The county.
    codebook : Codebook
        Loaded codebook (:func:`pa_study.demo._codebook.load_codebook`).
    destinations : Destinations
        Output roots.
    households_per_county : int
        Target number of sampled households.
    scale : DesignScale, optional
        Design sizes to use instead of those derived from ``households_per_county`` (a province's
        counties, :mod:`pa_study.demo.province`, set their population size and census flag here).

    Returns
    -------
    list of Path
        Files written for this county.
    """
    county = simulate_county(profile, codebook, scale or design_scale(profile, households_per_county))
    clean = {
        "households": county.households,
        "cadres": table_columns(county.cadres, [v.name for v in codebook["cadres"]]),
        "projects": table_columns(county.ledger, [v.name for v in codebook["projects"]]),
        "villages": table_columns(county.frame, [v.name for v in codebook["villages"]]),
    }
    # Mess has its own seeds (households apart from the lighter tables) so it never moves the truths.
    rng_households, rng_others = (np.random.default_rng(s) for s in np.random.SeedSequence([profile.seed, 1]).spawn(2))
    specs = {
        "households": (HOUSEHOLD_MESS, rng_households),
        "cadres": (CADRE_MESS, rng_others),
        "projects": (PROJECT_MESS, rng_others),
        "villages": (VILLAGE_MESS, rng_others),
    }
    county_dir = destinations.raw / profile.key
    county_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, MessResult] = {}
    written = []
    for instrument in INSTRUMENTS:
        spec, rng = specs[instrument]
        results[instrument] = messy_table(profile, codebook, instrument, clean[instrument], spec, rng)
        path = county_dir / f"{instrument}.{profile.files.file_format}"
        write_sheet(
            build_sheet(profile, codebook, instrument, results[instrument]),
            path,
            profile.files.file_format,
            file_label(profile, codebook, instrument),
        )
        written.append(path)
    if county.roster is not None:
        # Its own stream, so a roster leaves the other tables' mess as it was; a clean table.
        roster = table_columns(county.roster, [v.name for v in codebook["cadre_roster"]])
        result = messy_table(profile, codebook, "cadre_roster", roster, ROSTER_MESS, rng_roster_mess(profile))
        results["cadre_roster"] = result
        path = county_dir / f"cadre_roster.{profile.files.file_format}"
        write_sheet(
            build_sheet(profile, codebook, "cadre_roster", result),
            path,
            profile.files.file_format,
            file_label(profile, codebook, "cadre_roster"),
        )
        written.append(path)
    written.append(write_corrections(destinations.corrections / profile.key, results["households"].corrections))
    truth = truth_document(profile, codebook, county, results)
    truth_path = destinations.truth / f"{profile.key}.json"
    write_json(truth, truth_path)
    written.append(truth_path)
    return written


def truth_document(
    profile: CountyProfile,
    codebook: Codebook,
    county: SimulatedCounty,
    results: dict[str, MessResult],
) -> dict[str, Any]:
    """Return the truth file's content: design, planted parameters, population truths, injected mess."""
    population = county.population
    return {
        "synthetic": True,
        "generator": {"name": "pa_study.demo", "version": GENERATOR_VERSION},
        "seed": profile.seed,
        "county": profile.key,
        "county_name_zh": profile.name_zh,
        "reference": {
            "survey_year": SURVEY_YEAR,
            "baseline_year": BASELINE_YEAR,
            "poverty_line": poverty_lines(profile.key)[SURVEY_YEAR],
            "poverty_line_baseline": poverty_lines(profile.key)[BASELINE_YEAR],
            "poverty_lines": {str(year): value for year, value in sorted(poverty_lines(profile.key).items())},
        },
        "files": files_section(profile, codebook, results),
        "design": design_truths(county.frame, len(population), county.weights, county.scale),
        "parameters": profile.parameters(),
        "population": {
            "identification": identification_truths(population, county.frame, profile.key),
            "industry": industry_truths(population, profile),
            "capability": capability_truths(population, profile),
            "burden": burden_truths(county.cadres),
            "monitoring": monitoring_truths(population, profile.key),
            "projects": project_truths(
                county.ledger, population, len(county.frame), unreadable_cells(results["projects"], profile)
            ),
        },
        "injected": {instrument: injected_section(result) for instrument, result in results.items()},
    }


def unreadable_cells(result: MessResult, profile: CountyProfile) -> dict[str, set[int]]:
    """Return column -> rows (0-based, of the clean table) written as a missing code in a table
    without duplicates (the ledger), which cleaning reads as missing."""
    first = 2 if is_text_format(profile.files.file_format) else 1
    cells: dict[str, set[int]] = {}
    for record in result.records:
        if record["problem"] == "missing_code":
            cells.setdefault(record["column"], set()).add(record["source_row"] - first)
    return cells


def messy_table(
    profile: CountyProfile,
    codebook: Codebook,
    instrument: str,
    clean: dict[str, list],
    spec: MessSpec,
    rng: np.random.Generator,
) -> MessResult:
    """Return one instrument's table as the field team delivered it (mess and all)."""
    variables = variables_by_name(codebook, instrument)
    scaled = {name for name, v in variables.items() if scale_of(v, instrument, profile.files) is not None}
    # A column written in 万元 gets no unit mess: "85.3元" in a 万元 column would be self-contradictory.
    spec = replace(
        spec,
        cell_columns={
            problem: tuple(c for c in columns if c not in scaled) for problem, columns in spec.cell_columns.items()
        },
    )
    text = is_text_format(profile.files.file_format)
    return inject(
        clean,
        spec,
        CellEncoder(variables, instrument, profile.files),
        {name: v.type for name, v in variables.items()},
        text,
        2 if text else 1,
        rng,
    )


def build_sheet(profile: CountyProfile, codebook: Codebook, instrument: str, result: MessResult) -> Sheet:
    """Return the table with its county-specific headers, labels and value labels."""
    variables: list[Variable] = [v for v in codebook[instrument] if v.name in result.cells]
    headers = [header_of(v, instrument, profile.files) for v in variables]
    n_rows = len(result.row_population)
    extra = dict(profile.files.extra_columns)
    return Sheet(
        headers=headers + list(extra),
        columns=[result.cells[v.name] for v in variables] + [[value] * n_rows for value in extra.values()],
        labels=[v.label_zh for v in variables] + list(extra),
        value_labels={
            h: labels for h, v in zip(headers, variables, strict=True) if (labels := value_labels(v)) is not None
        },
        kinds=[_storage_kind(v) for v in variables] + ["string"] * len(extra),
        title=codebook.labels[instrument],
    )


def _storage_kind(variable: Variable) -> str:
    if variable.type in ("string", "date"):
        return variable.type
    return "number"


def file_label(profile: CountyProfile, codebook: Codebook, instrument: str) -> str:
    """Return the document title / file label that marks a file as synthetic."""
    return f"SYNTHETIC 模拟数据 {profile.name_zh} {codebook.labels[instrument]}"


def files_section(profile: CountyProfile, codebook: Codebook, results: dict[str, MessResult]) -> dict[str, Any]:
    """Return, per instrument, the file name, row count and the header written for each variable."""
    text = is_text_format(profile.files.file_format)
    section = {}
    for instrument, result in results.items():
        variables = [v for v in codebook[instrument] if v.name in result.cells]
        section[instrument] = {
            "file": f"{instrument}.{profile.files.file_format}",
            "n_rows": len(result.row_population),
            "first_source_row": 2 if text else 1,
            "headers": {v.name: header_of(v, instrument, profile.files) for v in variables},
            "extra_columns": dict(profile.files.extra_columns),
        }
    return section


def injected_section(result: MessResult) -> dict[str, Any]:
    """Return the injected records of one table, with counts per problem."""
    return {
        "records": result.records,
        "counts": dict(sorted(Counter(r["problem"] for r in result.records).items())),
        "unresolved_conflict_ids": result.unresolved_conflict_ids,
        "new_id_rows": result.new_id_rows,
    }


def write_corrections(directory: Path, corrections: list[dict[str, Any]]) -> Path:
    """Write ``households_duplicates.csv`` (UTF-8) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CORRECTIONS_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(corrections)
    path = directory / "households_duplicates.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_raw_readme(raw: Path, households_per_county: int) -> Path:
    """Write the README that says the raw files are synthetic and how to regenerate them."""
    scale = "" if households_per_county == DEFAULT_HOUSEHOLDS else f" --households-per-county {households_per_county}"
    text = f"""# Raw demo data — SYNTHETIC (模拟数据)

Every file under this folder is **synthetic**: simulated by `pa_study.demo` (version {GENERATOR_VERSION})
to look like what a field team brings back. No real household, cadre or project is described.
Names, ID-card numbers and phone numbers are fake (the ID numbers only have valid check digits).

| county | format | files |
|---|---|---|
| H (H县, focal county) | Excel .xlsx, Chinese headers | households, cadres, cadre_roster, projects, villages |
| Yishui (沂水县) | CSV in GBK, Chinese headers (some variant spellings), extra column 数据来源 | same |
| Boxing (博兴县) | SPSS .sav, ASCII names, Chinese variable and value labels | same, without cadre_roster |
| Lankao (兰考县) | Stata .dta, ASCII names, Chinese labels, design `weight` column | same, without cadre_roster |

The files contain planted mess (duplicates, full-width digits, units, missing codes, out-of-range
values, inconsistent rows). What was planted, and the true population values, are in
`data/truth/<county>.json`; the field team's decisions on duplicates are in
`data/corrections/<county>/households_duplicates.csv`.

Regenerate (byte for byte identical) from the repository root:

    python -m pa_study.demo --out data/raw --truth data/truth --corrections data/corrections{scale}
"""
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / "README.md"
    path.write_text(text, encoding="utf-8")
    return path

"""A synthetic province: many counties, most surveyed by a sample and some by a full household census
(全县入户大排查), written as a self-contained study folder with its own config.

Each county is a convex mixture of the four demo counties' planted parameters (Dirichlet weights
drawn from the province seed), so the province spans the range from the focal H county's failures
to Lankao's accuracy, with each county's parameters as coherent as the demo counties' own. File
formats and header styles cycle through the demo counties'; census files are the large GBK CSV or
Excel exports such a census produces. Every file is marked synthetic and deterministic given the
arguments. Run it as ``python -m pa_study.demo --counties 100 --households 30000 --out province``
and the study with ``snakemake --cores 2 --directory province``.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from pa_study.demo._codebook import load_codebook
from pa_study.demo._names import _TOWNSHIP_ROOTS
from pa_study.demo.design import DEFAULT_HOUSEHOLDS, DesignScale
from pa_study.demo.generate import GENERATOR_VERSION, Destinations, generate_county
from pa_study.demo.profiles import BOXING, LANKAO, YISHUI, CountyProfile, H, _frozen

#: Expected villages per township and households per village of :func:`pa_study.demo.design.build_frame`
#: (uniform 15..30 villages and 150..400 households before the size multiplier).
_VILLAGES_PER_TOWNSHIP = 22.5
_HOUSEHOLDS_PER_VILLAGE = 275.0
#: Households per township the province aims at; a county gets between 3 and 20 townships.
_HOUSEHOLDS_PER_TOWNSHIP = 8000
_BASES = (H, YISHUI, BOXING, LANKAO)
#: Census exports arrive as spreadsheets: GBK CSV (Yishui's layout) or Excel (H's), alternately.
_CENSUS_FILES = (YISHUI.files, H.files)
_FIXED = {"key", "name_zh", "id_prefix", "region_code", "seed", "files", "n_townships", "n_projects", "n_cadres"}
_INTEGERS = {"sampled_villages_per_township"}


@dataclass(frozen=True)
class ProvinceSpec:
    """What to generate.

    Attributes
    ----------
    counties : int
        Number of counties (keys ``P001``, ``P002`` …; the first is the focal county).
    households : int
        Households per county (the population a sample is drawn from; a census county's file holds
        every one of them). Counties vary around it with their frames.
    sample : int
        Households a sample county surveys (about).
    census : int
        Number of census counties, spread evenly over the province (never the focal county).
    seed : int
        Province seed: the counties' parameters and every county's own seed derive from it.
    """

    counties: int
    households: int
    sample: int = DEFAULT_HOUSEHOLDS
    census: int | None = None
    seed: int = 2021

    def __post_init__(self) -> None:
        if self.counties < 2:
            raise ValueError(
                f"a province needs at least 2 counties (a focal county and a benchmark), got {self.counties}"
            )
        if self.households < 1000:
            raise ValueError(f"households per county must be at least 1,000, got {self.households}")
        if not 20 <= self.sample <= self.households:
            raise ValueError(f"the sample must be between 20 and the {self.households} households, got {self.sample}")
        if self.census is not None and not 0 <= self.census < self.counties:
            raise ValueError(f"census counties must be between 0 and {self.counties - 1}, got {self.census}")

    @property
    def census_counties(self) -> int:
        """The number of census counties: as given, else one in ten (at least one)."""
        return max(1, round(self.counties / 10)) if self.census is None else self.census


@dataclass(frozen=True)
class ProvinceCounty:
    """One county of the province: its profile, design sizes and whether it is a census."""

    profile: CountyProfile
    scale: DesignScale
    census: bool


def census_positions(counties: int, census: int) -> list[int]:
    """Return the 0-based positions of the census counties: evenly spread, the focal county (0) excluded.

    Parameters
    ----------
    counties : int
        Number of counties.
    census : int
        Number of census counties (less than ``counties``).
    """
    return sorted({1 + math.floor((j + 0.5) * (counties - 1) / census) for j in range(census)}) if census else []


def county_names(count: int, rng: np.random.Generator) -> list[str]:
    """Return ``count`` distinct Chinese county names (GB2312 characters, as the GBK files need)."""
    roots = [_TOWNSHIP_ROOTS[i] for i in rng.permutation(len(_TOWNSHIP_ROOTS))]
    names = [f"{r}县" for r in roots] + [f"{a[0]}{b[1]}县" for a in roots for b in roots if a != b]
    unique = list(dict.fromkeys(names))
    if count > len(unique):
        raise ValueError(f"at most {len(unique)} counties, got {count}")
    return unique[:count]


def mixed_parameters(weights: np.ndarray) -> dict[str, Any]:
    """Return the planted parameters as the ``weights``-mixture of the four demo counties'.

    Numbers, tuples and mappings (shares) are mixed element-wise, so shares still sum to one (they
    are left unrounded for that reason); integer parameters are rounded, other numbers to 6 places.
    """
    mixed: dict[str, Any] = {}
    for field in fields(CountyProfile):
        if field.name in _FIXED:
            continue
        values = [getattr(base, field.name) for base in _BASES]
        if isinstance(values[0], Mapping):
            mixed[field.name] = _frozen({k: float(np.dot(weights, [v[k] for v in values])) for k in values[0]})
        elif isinstance(values[0], tuple):
            mixed[field.name] = tuple(float(x) for x in np.asarray(values, dtype=float).T @ weights)
        else:
            value = float(np.dot(weights, values))
            mixed[field.name] = round(value) if field.name in _INTEGERS else round(value, 6)
    return mixed


def province_counties(spec: ProvinceSpec) -> list[ProvinceCounty]:
    """Return every county of the province with its profile and design sizes.

    Parameters
    ----------
    spec : ProvinceSpec
        The province.
    """
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, 15]))
    width = max(3, len(str(spec.counties)))
    names = county_names(spec.counties, rng)
    census = set(census_positions(spec.counties, spec.census_counties))
    counties = []
    for i in range(spec.counties):
        key = f"P{i + 1:0{width}d}"
        weights = rng.dirichlet(np.ones(len(_BASES)))
        townships = int(np.clip(round(spec.households / _HOUSEHOLDS_PER_TOWNSHIP), 3, 20))
        files = _CENSUS_FILES[len([c for c in census if c < i]) % 2] if i in census else _BASES[i % 4].files
        profile = CountyProfile(
            key=key,
            name_zh=names[i],
            id_prefix=key,
            region_code=f"49{i + 1:04d}",  # 49: no Chinese province has this code
            seed=spec.seed * 100_000 + i + 1,
            files=files,
            n_townships=townships,
            n_projects=H.n_projects,
            n_cadres=H.n_cadres,
            **mixed_parameters(weights),
        )
        counties.append(ProvinceCounty(profile, county_scale(profile, spec, i in census), i in census))
    return counties


def county_scale(profile: CountyProfile, spec: ProvinceSpec, census: bool) -> DesignScale:
    """Return the design sizes of one county: about ``spec.households`` households in the frame, and
    about ``spec.sample`` of them sampled (every one in a census).

    Parameters
    ----------
    profile : CountyProfile
        The county (its number of townships and sampled villages per township).
    spec : ProvinceSpec
        The province.
    census : bool
        Whether the county enumerates every household.
    """
    multiplier = spec.households / (profile.n_townships * _VILLAGES_PER_TOWNSHIP * _HOUSEHOLDS_PER_VILLAGE)
    sampled = profile.sampled_villages_per_township
    take = max(1, round(spec.sample / (2 * profile.n_townships * sampled)))
    return DesignScale(
        households_per_county=spec.households if census else spec.sample,
        sampled_villages_per_township=sampled,
        min_villages_per_township=math.ceil(1.2 * sampled),
        per_village_take=spec.households if census else take,
        village_size_multiplier=multiplier,
        census=census,
    )


def generate_province(
    spec: ProvinceSpec, out: Path, codebook_path: str | Path, vocabulary_path: str | Path
) -> list[Path]:
    """Write a synthetic province as a study folder and return the files written.

    The folder holds ``config.yaml`` (focal county ``P001``, every other county a benchmark, census
    counties with ``design: census``), ``data/raw/<county>/``, ``data/truth/<county>.json``,
    ``data/corrections/<county>/households_duplicates.csv``, the codebook and an empty table of
    published figures (the counties are synthetic: nothing about them was published).

    Parameters
    ----------
    spec : ProvinceSpec
        The province.
    out : Path
        The study folder (run the workflow in it with ``snakemake --directory <out>``).
    codebook_path, vocabulary_path : str or Path
        The codebook to follow and copy, and the vocabulary of published figures to copy.
    """
    data = out / "data"
    destinations = Destinations(data / "raw", data / "truth", data / "corrections")
    codebook = load_codebook(codebook_path)
    counties = province_counties(spec)
    written = []
    for county in counties:
        written += generate_county(county.profile, codebook, destinations, scale=county.scale)
    written += _copy_reference_files(data, codebook_path, vocabulary_path, counties)
    written.append(_write_readme(destinations.raw, spec))
    written.append(_write_config(out / "config.yaml", spec, counties))
    return written


def county_name(key: str) -> str:
    """Return the English name of a province county (its key; the Chinese name is in its profile)."""
    return f"County {key}"


def province_config(spec: ProvinceSpec, counties: list[ProvinceCounty]) -> dict[str, Any]:
    """Return the study config of the province (paths relative to the study folder)."""
    blocks = {}
    for county in counties:
        profile = county.profile
        extension = profile.files.file_format
        encoding = {"encoding": "gbk"} if extension == "csv" else {}
        design: str | dict[str, Any]
        if county.census:
            design = "census"
        elif profile.files.with_weight:
            design = {"weights": "column", "weight_column": "weight"}
        else:
            design = {"weights": "frame", "oversample_registered": True}
        blocks[profile.key] = {
            "name": county_name(profile.key),
            "name_zh": profile.name_zh,
            "synthetic": True,
            "files": {
                i: {"path": f"data/raw/{profile.key}/{i}.{extension}", **encoding}
                for i in ("households", "cadres", "projects", "villages")
                + (("cadre_roster",) if profile.files.with_cadre_roster else ())
            },
            "corrections": f"data/corrections/{profile.key}/households_duplicates.csv",
            "design": design,
        }
    keys = list(blocks)
    return {
        "study": {
            "title": f"Targeted poverty alleviation across a synthetic province of {spec.counties} counties",
            "title_zh": f"模拟省份{spec.counties}个县的精准扶贫比较研究",
            "survey_year": 2020,
            "baseline_year": 2015,
        },
        "focal": keys[0],
        "benchmarks": keys[1:],
        "codebook": "data/codebook/codebook.yaml",
        "pseudonym": {"salt_env": "PA_STUDY_SALT", "salt_file": None},
        "cleaning": {},  # the schema's defaults
        "comparison": {
            "published": {"table": "data/benchmarks/published.csv", "vocabulary": "data/benchmarks/published.yaml"}
        },
        "counties": blocks,
    }


def _write_config(path: Path, spec: ProvinceSpec, counties: list[ProvinceCounty]) -> Path:
    census = [c.profile.key for c in counties if c.census]
    header = (
        f"# SYNTHETIC province written by pa_study.demo {GENERATOR_VERSION}: {spec.counties} counties of about "
        f"{spec.households} households,\n# {len(census)} surveyed by a full census ({', '.join(census) or 'none'}), "
        f"the others by a sample of about {spec.sample}.\n"
        "# Run from the repository: snakemake --cores 2 --directory <this folder>\n"
        f"# Regenerate: python -m pa_study.demo {_command_arguments(spec)} --out <this folder>\n"
    )
    body = yaml.safe_dump(province_config(spec, counties), allow_unicode=True, sort_keys=False, width=120)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + body, encoding="utf-8")
    return path


def _command_arguments(spec: ProvinceSpec) -> str:
    parts = f"--counties {spec.counties} --households {spec.households}"
    if spec.sample != DEFAULT_HOUSEHOLDS:
        parts += f" --sample {spec.sample}"
    if spec.census is not None:
        parts += f" --census {spec.census}"
    if spec.seed != ProvinceSpec.seed:
        parts += f" --seed {spec.seed}"
    return parts


def _copy_reference_files(
    data: Path, codebook_path: str | Path, vocabulary_path: str | Path, counties: list[ProvinceCounty]
) -> list[Path]:
    codebook = data / "codebook" / "codebook.yaml"
    codebook.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(codebook_path, codebook)
    vocabulary = yaml.safe_load(Path(vocabulary_path).read_text(encoding="utf-8"))
    vocabulary["counties"] = {
        c.profile.key: {"name": county_name(c.profile.key), "name_zh": c.profile.name_zh, "province": "synthetic"}
        for c in counties
    }
    benchmarks = data / "benchmarks"
    benchmarks.mkdir(parents=True, exist_ok=True)
    (benchmarks / "published.yaml").write_text(
        "# The vocabulary of published figures (copied from the repository) with the province's counties;\n"
        "# the table is empty: the synthetic counties published nothing.\n"
        + yaml.safe_dump(vocabulary, allow_unicode=True, sort_keys=False, width=120),
        encoding="utf-8",
    )
    (benchmarks / "published.csv").write_text(
        "county,indicator,year,relation,value,unit,scope,area,source,confidence,note\n", encoding="utf-8"
    )
    return [codebook, benchmarks / "published.yaml", benchmarks / "published.csv"]


def _write_readme(raw: Path, spec: ProvinceSpec) -> Path:
    text = f"""# Raw data of a synthetic province — SYNTHETIC (模拟数据)

Every file under this folder is **synthetic**: simulated by `pa_study.demo` (version {GENERATOR_VERSION})
for benchmarks and cluster tests. No real household, cadre or project is described. Each county's
planted parameters, true population values and injected mess are in `../truth/<county>.json`.

Regenerate (byte for byte identical) from the repository root:

    python -m pa_study.demo {_command_arguments(spec)} --out <study folder>
"""
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / "README.md"
    path.write_text(text, encoding="utf-8")
    return path

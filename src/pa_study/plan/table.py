"""The short tables ``pa-study plan`` prints: what the current sample gives and what a next survey needs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pa_study.codebook import Codebook
from pa_study.design import PSU, STRATUM
from pa_study.errors import InputError
from pa_study.plan.run import RateDesign, county_plan, effect_plan, headline_row, plan_inputs, rate_designs, scenario
from pa_study.plan.settings import PlanSettings

_SHAPES = {"current_shape": "same households per village", "optimal": "optimal households per village"}


def _rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join([f"{{:<{widths[0]}}}", *(f"{{:>{w}}}" for w in widths[1:])])
    return [line.format(*header), *(line.format(*row) for row in rows)]


def criterion_table(county: str, design: RateDesign, plans: Sequence[Mapping[str, Any]], power: float) -> str:
    """The table for one rate: the current sample, then per planned true rate the power of the
    current sample and the villages and units needed (with the simulated check)."""
    lines = [
        f"{county}: {design.rate} {design.operator} {design.threshold:g} (the 95% interval wholly on one side; "
        f"power wanted {power:.0%})",
        f"current sample: {design.n} households in {design.villages} villages ({design.per_village:.1f} a village), "
        f"{design.strata} townships; estimate {_percent(design.estimate)}; intra-village correlation "
        f"{design.rho:.3f} (estimated {design.rho_estimated:.3f}); weighting design effect {design.weighting_deff:.2f}",
    ]
    for plan in plans:
        goal = "certify it met" if plan["verdict"] == "pass" else "detect it failing"
        lines += ["", f"true rate {plan['true_rate']:.1%}: {goal}"]
        header = ["design", "villages", "per village", "households", "deff", "power", "simulated", "cost"]
        rows = [
            [
                "current sample",
                str(design.villages),
                f"{design.per_village:.1f}",
                str(design.n),
                f"{design.current.deff:.2f}",
                f"{plan['current_power']:.2f}",
                "",
                f"{plan['current_cost']:,.0f}",
            ]
        ]
        for shape, entry in plan["designs"].items():
            simulated = entry.get("simulated_power")
            rows.append(
                [
                    _SHAPES[shape],
                    str(entry["villages"]),
                    f"{entry['per_village']:.1f}",
                    str(entry["units"]),
                    f"{entry['deff']:.2f}",
                    f"{entry['power']:.2f}",
                    "" if simulated is None else f"{simulated:.2f}",
                    f"{entry['cost']:,.0f}",
                ]
            )
        lines += _rows(header, rows)
        verdict = "suffices" if plan["sufficient"] else "does not suffice"
        lines.append(f"the current sample {verdict} (power {plan['current_power']:.2f})")
    lines += ["", "cost: household interviews, a village counting planning.cost_ratio interviews"]
    return "\n".join(lines)


def effect_table(county: str, plan: Mapping[str, Any], power: float) -> str:
    """The table for one effect: its MDE at the current sample and the sample for the target MDE."""
    header = ["", "households", "villages", "MDE"]
    rows = [
        ["current sample", str(plan["n"]), "", f"{plan['mde']:,.1f}"],
        ["needed", str(plan["households"]), str(plan["villages"]), f"{plan['target']:,.1f}"],
    ]
    lines = [
        f"{county}: {plan['name']} = {plan['estimate']:,.1f} (SE {plan['se']:,.1f}); minimum detectable effect "
        f"at {power:.0%} power, two-sided 5% test",
        *_rows(header, rows),
        f"the sample must grow by a factor {plan['factor']:.2f} (more villages of the current size)"
        if plan["factor"] > 1
        else f"the current sample suffices (the target needs {plan['factor']:.2f} of it)",
    ]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "not estimated" if value is None else f"{value:.2%}"


def contrast_table(county: str, contrasts: Sequence[Mapping[str, Any]], power: float) -> str:
    """The table of county contrasts: the difference now, its MDE, and the samples for the target MDE."""
    header = ["headline", "with", "difference", "MDE now", "target", "units", "units there"]
    rows = [
        [
            str(c["name"]),
            str(c["other"]),
            f"{c['difference']:,.4g}",
            f"{c['mde']:,.4g}",
            f"{c['target']:,.4g}",
            str(c["units"]),
            str(c["units_other"]),
        ]
        for c in contrasts
    ]
    title = f"{county} against each other county: minimum detectable difference at {power:.0%} power, two-sided 5%"
    return "\n".join([title, *_rows(header, rows)])


def plan_text(document: Mapping[str, Any]) -> str:
    """The whole plan of a county (a ``plan.json`` document) as the short tables ``pa-study plan`` prints."""
    county, power = str(document["county"]), float(document["settings"]["planning"]["power"])
    parts = []
    fields = {f.name for f in dataclasses.fields(RateDesign)}
    for criterion in document["criteria"]:
        design = RateDesign(**{k: v for k, v in criterion.items() if k in fields})
        parts.append(criterion_table(county, design, criterion["scenarios"], power))
    parts += [effect_table(county, effect, power) for effect in document["effects"]]
    if document["contrasts"]:
        parts.append(contrast_table(county, document["contrasts"], power))
    if document["notes"]:
        parts.append("notes:\n" + "\n".join(f"- {note}" for note in document["notes"]))
    return "\n\n".join(parts)


def study_plan_text(
    config: Mapping[str, Any],
    county: str,
    codebook: Codebook,
    *,
    target: str | None = None,
    true_rate: float | None = None,
    mde: float | None = None,
) -> str:
    """Plan ``county``'s next survey from the study's results (``pa-study plan``) and return the tables.

    Parameters
    ----------
    config : dict
        The validated config; the county's cleaned tables and the indicator files of it and the
        counties it is contrasted with must exist (``snakemake`` has run).
    county : str
        A studied county.
    codebook : Codebook
        The codebook.
    target : str, optional
        One criterion (``wrongful_exit_rate``) or effect (``att_earned_pc``) to plan; every one of
        the ``planning`` section when None.
    true_rate : float, optional
        The true rate of a criterion ``target`` to plan for (else its configured certify and detect
        rates).
    mde : float, optional
        The minimum detectable effect wanted of an effect ``target`` (else the configured one).

    Raises
    ------
    InputError
        An unknown county or target, a missing results file, an option that does not fit the target.
    """
    import pa_study.workflow as wf

    if county not in wf.study_counties(config):
        raise InputError(f"--county {county}: not a studied county ({', '.join(wf.study_counties(config))})")
    settings = PlanSettings.from_config(config, county)
    files = {c: {f: wf.indicator_outputs(c, f)["json"] for f in wf.plan_families()} for c in (county, *settings.others)}
    missing = [path for paths in files.values() for path in paths.values() if not Path(path).is_file()]
    if not Path(wf.clean_dir(county)).is_dir():
        missing.insert(0, wf.clean_dir(county))
    if missing:
        raise InputError(
            f"the plan reads the study's results, and {missing[0]} (and {len(missing) - 1} more) does not exist: "
            "run `snakemake --cores 2` first"
        )
    tables, documents = plan_inputs(settings, wf.clean_dir(county), codebook, files)
    options = settings.planning
    if target is None:
        if true_rate is not None or mde is not None:
            raise InputError("--true-rate and --mde need --target")
        return plan_text(county_plan(settings, tables, documents))
    own = documents[county]
    power, level = float(options.power), float(settings.level)
    if target in options.effects or mde is not None:
        if true_rate is not None:
            raise InputError(f"--true-rate is for a criterion's rate; {target} is an effect (give --mde)")
        row = headline_row(own, target)
        if row is None:
            raise InputError(f"--target {target}: no estimate with a standard error of that name for {county}")
        wanted = mde if mde is not None else options.effects.get(target)
        if wanted is None or not wanted > 0:
            raise InputError(f"--target {target}: give the minimum detectable effect wanted (--mde, positive)")
        households = tables["households"]
        villages, strata = int(households[PSU].nunique()), int(households[STRATUM].nunique())
        plan = effect_plan(row, float(wanted), power=power, level=level, villages=villages, strata=strata)
        return effect_table(county, {"name": target, **plan}, power)
    notes: list[str] = []
    found = rate_designs(settings, tables, own, [target], notes)
    if not found:
        raise InputError(f"--target {target}: cannot be planned ({'; '.join(notes)})")
    design, weights = found[0]
    if true_rate is not None and not 0 < true_rate < 1:
        raise InputError(f"--true-rate {true_rate}: expected a rate between 0 and 1")
    configured = options.criteria.get(target)
    rates = [true_rate] if true_rate is not None else [configured.certify, configured.detect] if configured else []
    if not rates:
        raise InputError(f"--target {target}: give the true rate to plan for (--true-rate)")
    plans = [
        scenario(
            design,
            float(rate),
            power=power,
            level=level,
            interval=settings.proportion_interval,
            cost_ratio=float(options.cost_ratio),
            simulations=options.simulations,
            weights=weights,
        )
        for rate in rates
    ]
    text = criterion_table(county, design, plans, power)
    return "\n\n".join([text, *(f"note: {n}" for n in notes)])

"""Command line: ``python -m pa_study.demo`` writes the four-county demo (``--out data/raw --truth
data/truth --corrections data/corrections``); ``python -m pa_study.demo --counties 100 --households
30000 --out province`` writes a synthetic province as a study folder with its config."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pa_study.demo.design import DEFAULT_HOUSEHOLDS
from pa_study.demo.generate import DEFAULT_CODEBOOK, Destinations, generate
from pa_study.demo.profiles import COUNTIES

DEFAULT_VOCABULARY = Path("data/benchmarks/published.yaml")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the parsed command-line options (``province`` is set when ``--counties`` is a number)."""
    parser = argparse.ArgumentParser(
        prog="python -m pa_study.demo",
        description="Write the synthetic demo data (raw files, corrections, truths) of the four demo counties, "
        "or, with --counties N, a synthetic province of N counties as a study folder with its config.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="root of the raw files (default data/raw); for a province, the study folder (default province)",
    )
    parser.add_argument("--truth", type=Path, default=Path("data/truth"), help="folder of the truth files")
    parser.add_argument(
        "--corrections", type=Path, default=Path("data/corrections"), help="root of the duplicates corrections files"
    )
    parser.add_argument(
        "--households-per-county",
        type=int,
        default=DEFAULT_HOUSEHOLDS,
        metavar="N",
        help=f"target sampled households per demo county (default {DEFAULT_HOUSEHOLDS})",
    )
    parser.add_argument(
        "--counties",
        nargs="+",
        default=None,
        metavar="COUNTY",
        help=f"only these demo counties ({', '.join(COUNTIES)}; default all four), or a number: a province of "
        "that many synthetic counties",
    )
    province = parser.add_argument_group("province (with --counties N)")
    province.add_argument(
        "--households",
        type=int,
        default=30000,
        metavar="N",
        help="households per county, all of them in a census county's file (default 30000)",
    )
    province.add_argument(
        "--sample",
        type=int,
        default=DEFAULT_HOUSEHOLDS,
        metavar="N",
        help=f"households a sample county surveys (default {DEFAULT_HOUSEHOLDS})",
    )
    province.add_argument(
        "--census",
        type=int,
        default=None,
        metavar="N",
        help="number of census counties (default one in ten, at least one)",
    )
    province.add_argument("--seed", type=int, default=2021, help="province seed (default 2021)")
    parser.add_argument("--codebook", type=Path, default=DEFAULT_CODEBOOK, help="codebook.yaml to follow")
    parser.add_argument(
        "--vocabulary",
        type=Path,
        default=DEFAULT_VOCABULARY,
        help="published figures' vocabulary to copy into a province (default %(default)s)",
    )
    args = parser.parse_args(argv)
    args.province = None
    if args.counties is not None and len(args.counties) == 1 and args.counties[0].isdigit():
        from pa_study.demo.province import ProvinceSpec

        try:
            args.province = ProvinceSpec(int(args.counties[0]), args.households, args.sample, args.census, args.seed)
        except ValueError as exc:
            parser.error(str(exc))
        args.out = args.out or Path("province")
        return args
    unknown = [c for c in args.counties or [] if c not in COUNTIES]
    if unknown:
        parser.error(f"unknown county {', '.join(unknown)}: give demo counties ({', '.join(COUNTIES)}) or a number")
    if args.households_per_county < 20:
        parser.error(f"--households-per-county must be at least 20, got {args.households_per_county}")
    args.out = args.out or Path("data/raw")
    return args


def main(argv: list[str] | None = None) -> int:
    """Generate the demo data or a province and print what was written; return the exit status."""
    args = parse_args(argv)
    started = time.perf_counter()
    if args.province is not None:
        from pa_study.demo.province import generate_province

        written = generate_province(args.province, args.out, args.codebook, args.vocabulary)
    else:
        written = generate(
            Destinations(args.out, args.truth, args.corrections),
            args.households_per_county,
            args.counties,
            args.codebook,
        )
    for path in written:
        print(path)
    print(f"{len(written)} files in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

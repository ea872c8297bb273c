"""Command line: ``python -m pa_study.demo --out data/raw --truth data/truth --corrections data/corrections``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pa_study.demo.design import DEFAULT_HOUSEHOLDS
from pa_study.demo.generate import DEFAULT_CODEBOOK, Destinations, generate
from pa_study.demo.profiles import COUNTIES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the parsed command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m pa_study.demo", description="Write the synthetic demo data (raw files, corrections, truths)."
    )
    parser.add_argument("--out", type=Path, default=Path("data/raw"), help="root of the raw files")
    parser.add_argument("--truth", type=Path, default=Path("data/truth"), help="folder of the truth files")
    parser.add_argument(
        "--corrections", type=Path, default=Path("data/corrections"), help="root of the duplicates corrections files"
    )
    parser.add_argument(
        "--households-per-county",
        type=int,
        default=DEFAULT_HOUSEHOLDS,
        metavar="N",
        help=f"target sampled households per county (default {DEFAULT_HOUSEHOLDS})",
    )
    parser.add_argument(
        "--counties", nargs="+", choices=list(COUNTIES), default=None, help="only these counties (default: all four)"
    )
    parser.add_argument("--codebook", type=Path, default=DEFAULT_CODEBOOK, help="codebook.yaml to follow")
    args = parser.parse_args(argv)
    if args.households_per_county < 20:
        parser.error(f"--households-per-county must be at least 20, got {args.households_per_county}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Generate the demo data and print what was written; return the exit status."""
    args = parse_args(argv)
    started = time.perf_counter()
    written = generate(
        Destinations(args.out, args.truth, args.corrections), args.households_per_county, args.counties, args.codebook
    )
    for path in written:
        print(path)
    print(f"{len(written)} files in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

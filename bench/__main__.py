"""``python -m bench [--quick | --scale N] [--seed N] [--rebuild] [--only PHASE …] [--out FILE]``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bench import durability
from bench.generate import DATA_DIR, build
from bench.report import render, summary, write
from bench.run import RESULTS, run
from bench.world import FULL, QUICK, scaled

PHASES = ("commands", "ingest", "process")
ONLY = (*PHASES, "sizes")  # "sizes": only the size-independence rows (the commands phase runs them too)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write the report."""
    if (sys.argv[1:] if argv is None else argv)[:1] == ["durability"]:  # its own report: bench/durability.py
        return durability.main((sys.argv[1:] if argv is None else argv)[1:])
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tenth of the data and fewer invocations")
    parser.add_argument("--scale", type=int, metavar="N", help="N times the full data (5: 5M ratings, 500k reviews)")
    parser.add_argument("--seed", type=int, default=1, help="the dataset's seed (default 1)")
    parser.add_argument("--rebuild", action="store_true", help="build the dataset even if it is cached")
    parser.add_argument("--build-only", action="store_true", help="build (or find) the dataset and stop")
    parser.add_argument("--only", nargs="+", choices=ONLY, help="run only these phases")
    parser.add_argument("--out", type=Path, help=f"write the report here (default: {RESULTS} for a full run, "
                        "nowhere for --quick)")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="where built datasets are cached")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.scale is not None and (args.quick or args.scale < 1):
        parser.error("--scale takes a whole number ≥ 1, and not with --quick")
    scale = QUICK if args.quick else FULL if not args.scale or args.scale == 1 else scaled(args.scale)
    if args.build_only:
        built = build(scale, args.seed, directory=args.data, rebuild=args.rebuild)
        print(f"{built.path} ({'cached' if built.cached else f'built in {built.seconds:.1f} s'})")
        return 0
    phases = frozenset(args.only or PHASES)
    results = asyncio.run(run(scale, args.seed, data_dir=args.data, rebuild=args.rebuild, phases=phases))
    print()
    print(render(results))
    print(summary(results))
    out = args.out if args.out is not None else (None if args.quick or args.only or args.scale else RESULTS)
    if out is not None:
        write(results, out)
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

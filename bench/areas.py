#!/usr/bin/env python3
"""What each cargo feature set of kalshi-api costs to compile: the crate alone (its dependencies
already built), in a debug build without incremental compilation, median of N builds, for the
default features, the features without any API area, the minimal build, and each API area alone
on `rustls,ring` (the areas read from the block `cargo xtask regen` writes in
kalshi-api/Cargo.toml).

    python3 bench/areas.py [--runs N] [--write | --only TEXT]

`--write` puts the table between the `bench:areas` markers of BENCHMARKS.md. Run it on an idle
machine: these are wall times. Each set's dependencies are built (untimed) before its timed builds.
"""

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as r  # noqa: E402  (the shared helpers of bench/run.py)

BEGIN = "<!-- bench:areas:begin -->"
END = "<!-- bench:areas:end -->"
TARGET = r.ROOT / "target" / "bench-areas"
BASE = ["rustls", "ring"]  # HTTPS and signing with the fewest crates
# The areas a trading bot calls: the candidate for a smaller default set.
TRADING = "market,events,exchange,orders,order-groups,portfolio,account"


def areas() -> list[str]:
    """The API area features, from the generated `all-areas = [...]` line of the manifest."""
    text = (r.ROOT / "kalshi-api" / "Cargo.toml").read_text()
    m = re.search(r"^all-areas = \[(.*)\]$", text, re.M)
    if not m:
        r.die("kalshi-api/Cargo.toml has no `all-areas` feature: run `cargo xtask regen`")
    return re.findall(r'"([^"]+)"', m.group(1))


def feature_sets(area_names: list[str]) -> list[tuple[str, list[str]]]:
    """(label, cargo arguments) for every measured set."""
    default_no_areas = "rustls,rustcrypto,ring,ws,tracing"
    sets = [
        ("default features (every area)", []),
        ("default features and `perps`", ["--features", "perps"]),
        ("default features without the areas", ["--no-default-features", "--features", default_no_areas]),
        (
            "default features, the trading areas only (`market,events,exchange,orders,order-groups,portfolio,account`)",
            ["--no-default-features", "--features", default_no_areas + "," + TRADING],
        ),
        ("`rustls,ring`, no area", ["--no-default-features", "--features", ",".join(BASE)]),
        ("`rustls,ring,all-areas`", ["--no-default-features", "--features", ",".join(BASE + ["all-areas"])]),
    ]
    for a in area_names:
        sets.append((f"`rustls,ring,{a}`", ["--no-default-features", "--features", ",".join(BASE + [a])]))
    return sets


def crate_alone(args: list[str], runs: int) -> list[float]:
    """`runs` wall times of building kalshi-api alone with `args`, its dependencies built first."""
    env = {**os.environ, "CARGO_TARGET_DIR": str(TARGET), "CARGO_INCREMENTAL": "0"}
    build = ["cargo", "build", "-p", "kalshi-api", "--locked", *args]
    r.run(build, env=env, log_name="areas")
    times = []
    for _ in range(runs):
        r.run(["cargo", "clean", "-p", "kalshi-api"], env=env, log_name="areas")
        t, _ = r.timed(build, env=env, log_name="areas")
        times.append(t)
    return times


def table(results: list[tuple[str, list[float]]], runs: int) -> str:
    base = dict(results).get("`rustls,ring`, no area")
    rows = [
        f"| feature set | crate alone, median of {runs} | over `rustls,ring` alone |",
        "|---|---|---|",
    ]
    for label, times in results:
        med = statistics.median(times)
        over = f"{med - statistics.median(base):+.2f} s" if base else "not measured"
        rows.append(f"| {label} | {med:.2f} s | {over} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="timed builds per feature set (default 3)")
    ap.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    ap.add_argument("--only", default="", help="measure only the sets whose label contains this text")
    args = ap.parse_args()
    if args.only and args.write:
        r.die("--write needs every set: no --only")
    m = r.machine()
    results = []
    for label, cargo_args in feature_sets(areas()):
        if args.only not in label:
            continue
        times = crate_alone(cargo_args, args.runs)
        r.log(f"{label}: {' / '.join(f'{t:.2f}' for t in times)} s")
        results.append((label, times))
    block = (
        f"Produced by `python3 bench/areas.py{' --write' if args.write else ''}` on {m['date']}, "
        f"commit {m['commit']}; {m['nproc']} CPUs, {m['rustc']}; load average {m['loadavg_start']} at "
        f"the start, {r.loadavg()} at the end. Debug build of kalshi-api alone (dependencies built "
        f"first), no incremental compilation.\n\n{table(results, args.runs)}\n"
    )
    print(block)
    if args.write:
        r.write_benchmarks_md(block, BEGIN, END)


if __name__ == "__main__":
    main()

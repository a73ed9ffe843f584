#!/usr/bin/env python3
"""Compares the SDK's own benches at an older commit with the working tree, in interleaved rounds.

`python3 bench/compare.py REV [--rounds N] [--benches a,b] [--section NAME] [--write]` builds the
REST decode, signing and WebSocket benches (decode, session throughput, order book), or those
`--benches` names, twice: at REV (a detached git worktree under target/bench/compare/, with a
cargo target directory of its own) and as the working tree is. It then runs both builds' benches
in alternation, N rounds (default 7), and prints the median of each measure for each build and
their ratio. Alternation is what makes the comparison fair on a machine whose speed drifts: both
builds meet the same drift. A bench the older commit lacks shows as `-`. `--write` puts the table
into BENCHMARKS.md between the `bench:NAME:begin` and `bench:NAME:end` markers (NAME `compare`
unless `--section` says).
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as r  # noqa: E402  (the shared helpers of bench/run.py)

OUT = r.BENCH / "compare"
BENCHES = ["decode", "signing", "ws_decode", "ws_throughput", "ws_orderbook"]
# measure: (label, unit, whether more is better)
MEASURES = {
    "rest_decode_ms": ("REST `GetMarkets` page of 1,000 decoded, median", "ms", False),
    "ws_decode_ms": ("1,000 WebSocket frames decoded, median", "ms", False),
    "session_msgs_s": ("session messages/s on loopback", "msg/s", True),
    "book_deltas_s": ("order book deltas decoded and applied/s", "deltas/s", True),
    "sign_rsa_us": ("RSA-PSS request signature (default backend)", "us", False),
    "sign_ed25519_us": ("Ed25519 request signature", "us", False),
}


def env_for(name: str, n: int | None = None) -> dict:
    home = OUT / name / ("criterion" if n is None else f"criterion-{n}")
    return {**r.bench_env(), "CRITERION_HOME": str(home)}


def checkout(rev: str) -> Path:
    """A detached worktree at `rev` (made afresh)."""
    sha = r.run(["git", "rev-parse", "--short", rev]).stdout.strip()
    tree = OUT / f"tree-{sha}"
    if tree.exists():
        r.run(["git", "worktree", "remove", "--force", tree], check=False)
        shutil.rmtree(tree, ignore_errors=True)
    r.run(["git", "worktree", "add", "--detach", tree, rev], log_name="compare-checkout")
    return tree


def binaries(name: str, cwd: Path) -> dict[str, Path]:
    """Builds the benches in `cwd` and copies them aside under `name`."""
    cmd = ["cargo", "bench", "-p", "kalshi-api", "--no-run", "--message-format=json"]
    for b in BENCHES:
        cmd += ["--bench", b]
    # The older tree builds into a target directory of its own: cargo leaves a workspace member's
    # path out of its build hashes, so two checkouts sharing one directory would overwrite each
    # other's build-script outputs (the test exchange's tables read from the specs).
    env = r.bench_env()
    if cwd != r.ROOT:
        env["CARGO_TARGET_DIR"] = str(OUT / "cargo-older")
    p = r.run(cmd, cwd=cwd, env=env, log_name=f"compare-build-{name}", check=False)
    out = OUT / name
    out.mkdir(parents=True, exist_ok=True)
    found = {}
    for line in p.stdout.splitlines():
        msg = json.loads(line) if line.startswith("{") else {}
        target = msg.get("target", {}).get("name")
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and target in BENCHES:
            shutil.copy2(msg["executable"], out / target)
            found[target] = out / target
    if p.returncode != 0 and not found:
        r.die(f"building the benches of {name} failed; see {r.LOGS}")
    r.log(f"{name}: built {sorted(found)}")
    return found


def criterion_median(home: Path, group: str, bench: str) -> float | None:
    est = home / group / bench / "new" / "estimates.json"
    if not est.exists():
        return None
    return json.loads(est.read_text())["median"]["point_estimate"]


def criterion(binary: Path, name: str, n: int, group: str, bench: str) -> float | None:
    """Runs one criterion bench briefly; its median in ns."""
    env = env_for(name, n)
    r.run([binary, "--bench", bench, "--warm-up-time", "1", "--measurement-time", "3"],
          env=env, log_name=f"compare-{name}-{group}-{n}", check=False)
    return criterion_median(Path(env["CRITERION_HOME"]), group, bench.replace("/", "_"))


def json_lines(binary: Path, env: dict, log_name: str) -> list[dict]:
    p = r.run([binary], env=env, log_name=log_name, check=False)
    return [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]


def one_round(name: str, bins: dict[str, Path], n: int) -> dict:
    """Each measure once for one build (`None` where its bench is missing or printed nothing)."""
    m: dict = dict.fromkeys(MEASURES)
    if "decode" in bins:
        ns = criterion(bins["decode"], name, n, "decode_get_markets_1000", "sdk_typed")
        m["rest_decode_ms"] = ns and ns / 1e6
    if "ws_decode" in bins:
        ns = criterion(bins["ws_decode"], name, n, "ws_decode_1000_frames", "sdk_typed")
        m["ws_decode_ms"] = ns and ns / 1e6
    if "signing" in bins:
        for key, bench in [("sign_rsa_us", "ring/request"), ("sign_ed25519_us", "ed25519/request")]:
            ns = criterion(bins["signing"], name, n, "sign", bench)
            if ns is None and key == "sign_rsa_us":
                ns = criterion(bins["signing"], name, n, "sign", "rsa/request")
            m[key] = ns and ns / 1e3
    env = env_for(name, n)
    if "ws_throughput" in bins:
        s = json_lines(bins["ws_throughput"], {**env, "WS_CLIENT": "session", "WS_ROUNDS": "3"},
                       f"compare-{name}-session-{n}")
        m["session_msgs_s"] = s[0]["msgs_per_s"] if s else None
    if "ws_orderbook" in bins:
        b = {x["bench"]: x for x in json_lines(
            bins["ws_orderbook"], {**env, "BOOK_ROUNDS": "3", "BOOK_LATENCY_FRAMES": "300"},
            f"compare-{name}-book-{n}")}
        m["book_deltas_s"] = b.get("ws_orderbook_apply", {}).get("sdk_deltas_per_s")
    r.log(f"{name} round {n}: " + ", ".join(f"{k} {v:,.3f}" for k, v in m.items() if v is not None))
    return m


def medians(rounds: list[dict]) -> dict:
    out = {}
    for key in MEASURES:
        values = [x[key] for x in rounds if x[key] is not None]
        out[key] = statistics.median(values) if values else None
    return out


def table(old_name: str, new_name: str, old: dict, new: dict) -> str:
    rows = [f"| measure | at {old_name} | now ({new_name}) | change |", "|---|---|---|---|"]
    for key, (label, unit, more_is_better) in MEASURES.items():
        a, b = old[key], new[key]
        if a is None and b is None:
            continue
        fmt = (lambda v: f"{v:,.3f} {unit}") if unit in ("ms", "us") else (lambda v: f"{v:,.0f} {unit}")
        if a is None or b is None:
            change = "-"
        else:
            slower = (a / b - 1) if more_is_better else (b / a - 1)
            change = f"{'slower' if slower > 0 else 'faster'} by {abs(slower):.1%}"
        rows.append(f"| {label} | {fmt(a) if a is not None else '-'} | {fmt(b) if b is not None else '-'} | {change} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rev", help="the older commit")
    ap.add_argument("--rounds", type=int, default=7, help="interleaved rounds (default 7)")
    ap.add_argument("--benches", default=",".join(BENCHES), help="comma-separated benches (default all)")
    ap.add_argument("--section", default="compare", help="BENCHMARKS.md markers (default compare)")
    ap.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = ap.parse_args()
    BENCHES[:] = [b for b in args.benches.split(",") if b]
    OUT.mkdir(parents=True, exist_ok=True)
    r.LOGS = OUT / "logs"
    m = r.machine()
    old_name = r.run(["git", "rev-parse", "--short", args.rev]).stdout.strip()
    new_name = m["commit"]
    r.log(f"machine: {m['nproc']} CPUs, {m['cpu']}, load {m['loadavg_start']}; {old_name} against {new_name}")
    tree = checkout(args.rev)
    builds = {old_name: binaries(old_name, tree), "now": binaries("now", r.ROOT)}
    r.run(["git", "worktree", "remove", "--force", tree], check=False)
    runs: dict[str, list[dict]] = {name: [] for name in builds}
    for n in range(args.rounds):
        for name, bins in builds.items():
            runs[name].append(one_round(name, bins, n))
    old, new = medians(runs[old_name]), medians(runs["now"])
    command = "python3 bench/compare.py" + "".join(f" {a}" for a in sys.argv[1:])
    block = (
        f"Produced by `{command}` on {m['date']}. Machine: {m['nproc']} CPUs, {m['cpu']}; load "
        f"average {m['loadavg_start']} at the start, {r.loadavg()} at the end. Each figure is the "
        f"median of {args.rounds} interleaved rounds.\n\n" + table(old_name, new_name, old, new) + "\n"
    )
    (OUT / "results.json").write_text(json.dumps({"old": old_name, "runs": runs}, indent=2))
    print(block)
    if args.write:
        section = args.section
        r.write_benchmarks_md(block, f"<!-- bench:{section}:begin -->", f"<!-- bench:{section}:end -->")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as e:
        r.die(str(e))

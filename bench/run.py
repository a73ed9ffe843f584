#!/usr/bin/env python3
"""Benchmarks kalshi-api against its peers, on this machine, in one run, and prints one table.

    python3 bench/run.py            # everything; prints the table (about 10 minutes on 2 cores)
    python3 bench/run.py --write    # the same, and writes the table into BENCHMARKS.md

1. Generation of spec/openapi.yaml: `cargo xtask regen` against openapi-generator (PyPI
   `openapi-generator-cli`, `-g rust`) and progenitor (`cargo-progenitor`): wall time (median of
   several runs after a warm-up), generated `.rs` files and lines.
2. Debug build time of each generated crate in its own fresh target dir: clean (dependencies
   included) and the crate alone (after `cargo clean -p`), with cargo's default dev profile.
3. Decoding a 1,000-market `GetMarkets` page (`kalshi-api/benches/decode.rs`, criterion).
4. Loopback throughput of public GETs, SDK against bare reqwest (`kalshi-api/benches/throughput.rs`).
5. WebSocket: decoding 1,000 frames against `serde_json::Value` (`kalshi-api/benches/ws_decode.rs`,
   criterion), and messages per second through the session against a bare tokio-tungstenite
   reader decoding into the same types (`kalshi-api/benches/ws_throughput.rs`).

   The live order book (`kalshi-api/benches/ws_orderbook.rs`): deltas decoded and applied per
   second on a market with 1,000 levels a side, against serde_json::Value and f64 prices in a
   BTreeMap; and the latency from a frame sent on loopback to the book reflecting it (median, 99th
   percentile).

`--only ws_decode,ws_throughput,book,record --write` runs parts 5 and 6 alone and writes its own table into
BENCHMARKS.md (between the `bench:ws:begin` and `bench:ws:end` markers).

`--only ablation [--write]`: what each hand-written part of the WebSocket path buys on its own.
The three WebSocket benches are built once as they are and once per switch of
`kalshi-api/src/ws/ablate.rs` (`KALSHI_ABLATE=NAME`, which swaps that one part for the plain
alternative), then run in interleaved rounds (every build once per round, so a change in the
machine's speed falls on all of them alike); the table (markers `bench:ablation:begin`/`end`)
gives each measure's median and the part's gain over its alternative.

Peers are installed from the package registries into target/bench/peers/ (git-ignored) and reused
by later runs. Everything else a run makes goes to target/bench/run/, wiped at the start of each
run; results.json there holds every raw figure. Python 3.9+ standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("BENCH_DIR", ROOT / "target" / "bench")).resolve()
PEERS = BENCH / "peers"
CARGO_TARGET = BENCH / "cargo"  # kept between runs: xtask and the release benches
RUN = BENCH / "run"  # wiped at the start of each run
LOGS = RUN / "logs"

SPEC = ROOT / "spec" / "openapi.yaml"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
WS_BEGIN = "<!-- bench:ws:begin -->"
WS_END = "<!-- bench:ws:end -->"
WS_PARTS = {"ws_decode", "ws_throughput", "book", "record"}
ABLATION_BEGIN = "<!-- bench:ablation:begin -->"
ABLATION_END = "<!-- bench:ablation:end -->"
# The switches of kalshi-api/src/ws/ablate.rs, each with the plain alternative it swaps in.
ABLATIONS = {
    "plain_json": "serde_json's own one-pass deserializer for `msg`",
}

OAG_VERSION = "7.26.0"  # the newest openapi-generator-cli 7.x on PyPI when this was written
PROGENITOR_REQ = "^0.15"

# cargo-progenitor 0.15 asserts that all of an operation's error responses share one type.
# GetFillsHistorical declares 400, 401 and 500 inline without a body but 404 as the shared
# NotFoundError (an ErrorResponse body): two error types, and progenitor panics
# ("assertion failed: response_types.len() <= 1" in progenitor-impl's method.rs). The copy handed to
# progenitor gives those three the shared ErrorResponse-bodied responses every other operation uses;
# nothing else in the spec changes.
PROGENITOR_PATCH_OP = "GetFillsHistorical"
PROGENITOR_PATCH_PATH = "/historical/fills"
PROGENITOR_PATCH_OLD = """\
        '400':
          description: Bad request
        '401':
          description: Unauthorized
        '404':
          $ref: '#/components/responses/NotFoundError'
        '500':
          description: Internal server error
"""
PROGENITOR_PATCH_NEW = """\
        '400':
          $ref: '#/components/responses/BadRequestError'
        '401':
          $ref: '#/components/responses/UnauthorizedError'
        '404':
          $ref: '#/components/responses/NotFoundError'
        '500':
          $ref: '#/components/responses/InternalServerError'
"""

STARTED = time.monotonic()


def log(msg: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {msg}", file=sys.stderr, flush=True)


def die(msg: str) -> None:
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def run(cmd, *, cwd=ROOT, env=None, log_name=None, check=True) -> subprocess.CompletedProcess:
    """Runs `cmd`, its output captured to logs/<log_name>.log (appended) and returned."""
    p = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    if log_name:
        LOGS.mkdir(parents=True, exist_ok=True)
        with open(LOGS / f"{log_name}.log", "a") as f:
            f.write(f"$ {' '.join(map(str, cmd))}  (in {cwd})\n{p.stdout}\n[exit {p.returncode}]\n")
    if check and p.returncode != 0:
        tail = "\n".join(p.stdout.splitlines()[-30:])
        die(f"`{' '.join(map(str, cmd))}` failed with exit {p.returncode}:\n{tail}")
    return p


def timed(cmd, **kw) -> tuple[float, subprocess.CompletedProcess]:
    """Wall time in seconds of one run of `cmd`."""
    t = time.perf_counter()
    p = run(cmd, **kw)
    return time.perf_counter() - t, p


def output(cmd, **kw) -> str:
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    except FileNotFoundError:
        return ""
    return (p.stdout or p.stderr).strip()


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    java = output(["java", "-version"]).splitlines()
    dirty = bool(output(["git", "status", "--porcelain"], cwd=ROOT))
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": output(["nproc"]),
        "cpu": cpu,
        "ram": ram,
        "rustc": output(["rustc", "-V"]),
        "cargo": output(["cargo", "-V"]),
        "java": java[0] if java else "none",
        "python": sys.version.split()[0],
        "commit": output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT)
        + (" with uncommitted changes" if dirty else ""),
        "loadavg_start": loadavg(),
        "rustflags": os.environ.get("RUSTFLAGS", ""),
    }


# ---------------------------------------------------------------------------------------------
# Installing the peers
# ---------------------------------------------------------------------------------------------


def apt_install(packages: list[str], why: str) -> None:
    if not shutil.which("apt-get") or os.geteuid() != 0:
        die(f"{why}: install the Debian packages {' '.join(packages)}")
    log(f"{why}: apt-get install {' '.join(packages)}")
    run(["apt-get", "update"], log_name="install")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "install", "-y", "--no-install-recommends", *packages], env=env, log_name="install")


def ensure_system() -> None:
    # openapi-generator is a Java program; its wheel bundles the jar but not a JVM.
    has_java = shutil.which("java") and subprocess.run(["java", "-version"], capture_output=True).returncode == 0
    if not has_java:
        apt_install(["default-jre-headless"], "openapi-generator needs Java 11+")
    # openapi-generator's crate uses reqwest's default native-tls: OpenSSL headers and pkg-config.
    has_ssl = shutil.which("pkg-config") and subprocess.run(["pkg-config", "--exists", "openssl"]).returncode == 0
    if not has_ssl:
        apt_install(["libssl-dev", "pkg-config"], "openapi-generator's crate links OpenSSL")


def ensure_openapi_generator() -> tuple[Path, str]:
    venv = PEERS / "venv"
    pip = venv / "bin" / "pip"
    cli = venv / "bin" / "openapi-generator-cli"
    if not pip.exists():
        log(f"creating {venv}")
        run([sys.executable, "-m", "venv", venv], log_name="install")
    shown = output([pip, "show", "openapi-generator-cli"])
    if f"Version: {OAG_VERSION}" not in shown:
        log(f"pip install openapi-generator-cli=={OAG_VERSION}")
        run([pip, "install", "--quiet", f"openapi-generator-cli=={OAG_VERSION}"], log_name="install")
    # The wheel must carry the generator's jar: nothing may be fetched from outside the registries.
    jars = list((venv / "lib").glob("python*/site-packages/openapi_generator_cli/*.jar"))
    if not jars:
        die("the openapi-generator-cli wheel has no bundled jar")
    version = output([cli, "version"]).splitlines()[-1].strip()
    if version != OAG_VERSION:
        die(f"openapi-generator-cli reports version {version!r}, expected {OAG_VERSION}")
    return cli, version


def ensure_progenitor() -> str:
    root = PEERS / "cargo"
    binary = root / "bin" / "cargo-progenitor"

    def installed() -> str | None:
        try:
            data = json.loads((root / ".crates2.json").read_text())
        except (OSError, ValueError):
            return None
        for key in data.get("installs", {}):
            name, version = key.split()[:2]
            if name == "cargo-progenitor" and version.startswith("0.15.") and binary.exists():
                return version
        return None

    version = installed()
    if version is None:
        log(f"cargo install cargo-progenitor@{PROGENITOR_REQ} (a few minutes)")
        env = {**os.environ, "CARGO_TARGET_DIR": str(PEERS / "cargo-install-target")}
        run(
            ["cargo", "install", "--locked", f"cargo-progenitor@{PROGENITOR_REQ}", "--root", root],
            env=env,
            log_name="install",
        )
        version = installed()
        if version is None:
            die("cargo-progenitor did not install")
    return version


# ---------------------------------------------------------------------------------------------
# 1. Generation
# ---------------------------------------------------------------------------------------------


def progenitor_spec(dst: Path) -> None:
    text = SPEC.read_text()
    start = text.find(f"\n  {PROGENITOR_PATCH_PATH}:\n")
    end = text.find("\n  /", start + 1)
    section = text[start:end]
    if start < 0 or section.count(PROGENITOR_PATCH_OLD) != 1:
        die(f"the spec's {PROGENITOR_PATCH_OP} responses are not as expected: update the patch")
    dst.write_text(text[:start] + section.replace(PROGENITOR_PATCH_OLD, PROGENITOR_PATCH_NEW) + text[end:])


def count_rs(d: Path) -> tuple[int, int]:
    files = sorted(d.rglob("*.rs"))
    lines = sum(len(f.read_text(errors="replace").splitlines()) for f in files)
    return len(files), lines


def rs_tree(d: Path) -> dict[Path, str]:
    return {p.relative_to(d): p.read_text() for p in d.rglob("*.rs")}


def generation(runs: int, oag_cli: Path) -> dict:
    gen = RUN / "gen"
    gen.mkdir(parents=True, exist_ok=True)
    patched = RUN / "openapi-progenitor.yaml"
    progenitor_spec(patched)
    path = f"{PEERS / 'cargo' / 'bin'}{os.pathsep}{os.environ['PATH']}"
    peer_env = {**os.environ, "PATH": path}
    ours_env = {**os.environ, "CARGO_TARGET_DIR": str(CARGO_TARGET)}

    # Evidence for the patch: progenitor on the spec as published.
    p = run(
        ["cargo", "progenitor", "-i", SPEC, "-o", gen / "progenitor-unpatched", "-n", "kalshi-progenitor", "-v", "0.1.0"],
        env=peer_env,
        log_name="gen-progenitor-unpatched",
        check=False,
    )
    # "thread 'main' (…) panicked at …/progenitor-impl-0.15.1/src/method.rs:1220:9:" then the message.
    out = p.stdout.splitlines()
    at = next((i for i, l in enumerate(out) if " panicked at " in l), None)
    unpatched = {"exit": p.returncode, "panic": "", "at": ""}
    if at is not None:
        where = out[at].split(" panicked at ", 1)[1].rstrip(":")
        unpatched["at"] = re.sub(r"^.*/registry/src/[^/]+/", "", where)
        unpatched["panic"] = out[at + 1].strip() if at + 1 < len(out) else ""
    if p.returncode == 0:
        log("note: progenitor generated the unpatched spec; the patch is no longer needed")

    generators = {
        "ours": lambda out: (["cargo", "xtask", "regen", "--out", out], ours_env, out),
        "openapi-generator": lambda out: (
            [oag_cli, "generate", "-i", SPEC, "-g", "rust", "-o", out],
            os.environ.copy(),
            out / "src",
        ),
        "progenitor": lambda out: (
            ["cargo", "progenitor", "-i", patched, "-o", out, "-n", "kalshi-progenitor", "-v", "0.1.0"],
            peer_env,
            out / "src",
        ),
    }
    results = {}
    for name, make in generators.items():
        out = gen / name
        times = []
        for i in range(runs + 1):  # the first run warms up (and builds xtask): not counted
            shutil.rmtree(out, ignore_errors=True)
            cmd, env, _ = make(out)
            t, _ = timed(cmd, env=env, log_name=f"gen-{name}")
            if i:
                times.append(t)
        files, lines = count_rs(make(out)[2])
        results[name] = {"times": times, "median": statistics.median(times), "files": files, "lines": lines}
        log(f"generation {name}: median {statistics.median(times):.2f} s, {files} files, {lines} lines")

    # What regen wrote must be what is committed, or the counts describe another crate.
    committed = ROOT / "kalshi-api" / "src" / "generated"
    results["ours"]["matches_committed"] = rs_tree(committed) == rs_tree(gen / "ours")
    runtime = [p for p in (ROOT / "kalshi-api" / "src").rglob("*.rs") if committed not in p.parents]
    results["ours"]["runtime_files"] = len(runtime)
    results["ours"]["runtime_lines"] = sum(len(p.read_text().splitlines()) for p in runtime)
    results["progenitor_unpatched"] = unpatched
    return results


# ---------------------------------------------------------------------------------------------
# 2. Build time
# ---------------------------------------------------------------------------------------------


def strip_profiles(manifest: Path) -> None:
    """Drops every [profile.*] table, leaving cargo's default dev profile."""
    out, skip = [], False
    for line in manifest.read_text().splitlines(keepends=True):
        m = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$", line)
        if m:
            skip = m.group(1).startswith("profile")
        if not skip:
            out.append(line)
    manifest.write_text("".join(out))


def unit_times(target: Path) -> dict[str, float]:
    """Seconds per crate of the last `--timings` build, summed over its units (build script,
    library), heaviest first."""
    try:
        html = (target / "cargo-timings" / "cargo-timing.html").read_text()
        start = html.index("const UNIT_DATA = ") + len("const UNIT_DATA = ")
        units = json.JSONDecoder().raw_decode(html[start:])[0]
    except (OSError, ValueError):
        return {}
    by_crate: dict[str, float] = {}
    for u in units:
        by_crate[u["name"]] = by_crate.get(u["name"], 0.0) + float(u.get("duration") or 0)
    return dict(sorted(by_crate.items(), key=lambda kv: -kv[1]))


CLEAN_RUNS = 2  # the first clean build of a target directory is often far slower (cold caches)


def build(name: str, src: Path, package: str, extra: list[str], runs: int) -> dict:
    """The fastest of `CLEAN_RUNS` clean builds (each from an empty target directory, with
    `--timings`), then `runs` rebuilds of `package` alone."""
    target = RUN / "build" / f"{name}-target"
    env = {**os.environ, "CARGO_TARGET_DIR": str(target), "CARGO_INCREMENTAL": "0"}
    locked = ["--locked"] if "--locked" in extra else []
    run(["cargo", "fetch", *locked], cwd=src, env=env, log_name=f"build-{name}")  # downloads: not timed
    cleans, units = [], {}
    for _ in range(CLEAN_RUNS):
        shutil.rmtree(target, ignore_errors=True)
        t, p = timed(["cargo", "build", *extra, "--timings"], cwd=src, env=env, log_name=f"build-{name}")
        if not cleans or t < min(cleans):
            units = unit_times(target)
        cleans.append(t)
    clean = min(cleans)
    crates = sum(1 for l in p.stdout.splitlines() if l.strip().startswith("Compiling "))
    alone = []
    for _ in range(runs):
        run(["cargo", "clean", "-p", package], cwd=src, env=env, log_name=f"build-{name}")
        t, _ = timed(["cargo", "build", *extra], cwd=src, env=env, log_name=f"build-{name}")
        alone.append(t)
    r = {
        "clean": clean,
        "clean_times": cleans,
        "crates": crates,
        "alone_times": alone,
        "alone": statistics.median(alone) if alone else None,
        "units": units,
        "slowest": list(units.items())[:4],
    }
    alone_text = f", alone median {r['alone']:.1f} s" if alone else ""
    runs_text = " / ".join(f"{t:.1f}" for t in cleans)
    log(f"build {name}: clean {clean:.1f} s (runs {runs_text}; {crates} crates){alone_text}")
    shutil.rmtree(target, ignore_errors=True)  # a few GB otherwise
    return r


def builds(runs: int) -> dict:
    base = RUN / "build"
    base.mkdir(parents=True, exist_ok=True)
    # Ours: the workspace as it is, minus its [profile] tuning (which a user depending on
    # kalshi-api does not get), built for kalshi-api alone with the committed lock file.
    ours = base / "ours"
    shutil.copytree(ROOT, ours, ignore=shutil.ignore_patterns("target", ".git"))
    strip_profiles(ours / "Cargo.toml")
    results = {"ours": build("ours", ours, "kalshi-api", ["-p", "kalshi-api", "--locked"], runs)}
    # Like for like with progenitor's crate, which has no TLS: ours without its default `rustls`.
    results["ours-no-tls"] = build(
        "ours-no-tls",
        ours,
        "kalshi-api",
        ["-p", "kalshi-api", "--locked", "--no-default-features", "--features", "rustcrypto"],
        0,
    )
    # The leanest build that can trade: HTTPS by rustls, signing by the ring rustls already builds.
    results["ours-ring"] = build(
        "ours-ring",
        ours,
        "kalshi-api",
        ["-p", "kalshi-api", "--locked", "--no-default-features", "--features", "rustls,ring"],
        0,
    )
    # The smallest useful build: one API area (`orders`, a feature the generator derives from the
    # spec's tags) with HTTPS and signing by ring; and the default build with perps added.
    results["ours-minimal"] = build(
        "ours-minimal",
        ours,
        "kalshi-api",
        ["-p", "kalshi-api", "--locked", "--no-default-features", "--features", "rustls,ring,orders"],
        runs,
    )
    results["ours-perps"] = build(
        "ours-perps", ours, "kalshi-api", ["-p", "kalshi-api", "--locked", "--features", "perps"], runs
    )
    # Peers: the crates as generated, with their own Cargo.toml; `[workspace]` keeps cargo from
    # taking this checkout's workspace for theirs. Their dependencies resolve fresh (newest).
    for name, package in [("openapi-generator", "openapi"), ("progenitor", "kalshi-progenitor")]:
        src = base / name
        shutil.copytree(RUN / "gen" / name, src)
        with open(src / "Cargo.toml", "a") as f:
            f.write("\n[workspace]\n")
        results[name] = build(name, src, package, [], runs)
    return results


# ---------------------------------------------------------------------------------------------
# 3. Decoding and 4. throughput
# ---------------------------------------------------------------------------------------------


def bench_env() -> dict:
    return {**os.environ, "CARGO_TARGET_DIR": str(CARGO_TARGET), "CRITERION_HOME": str(RUN / "criterion")}


def decoding() -> dict:
    env = bench_env()
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "decode", "--no-run"], env=env, log_name="decode")
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "decode"], env=env, log_name="decode")
    out = {}
    group = RUN / "criterion" / "decode_get_markets_1000"
    for bench in ["sdk_typed", "serde_json_typed", "serde_json_value"]:
        est = json.loads((group / bench / "new" / "estimates.json").read_text())
        meta = json.loads((group / bench / "new" / "benchmark.json").read_text())
        ns = est["median"]["point_estimate"]
        size = meta["throughput"]["Bytes"]
        out[bench] = {"ns": ns, "bytes": size, "mb_s": size / 1e6 / (ns / 1e9)}
    log("decode: " + ", ".join(f"{k} {v['ns'] / 1e6:.2f} ms" for k, v in out.items()))
    return out


def throughput(quick: bool) -> list[dict]:
    env = bench_env()
    if quick:
        env.update(THROUGHPUT_SECS="0.5", THROUGHPUT_ROUNDS="1")
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "throughput", "--no-run"], env=env, log_name="throughput")
    p = run(["cargo", "bench", "-p", "kalshi-api", "--bench", "throughput"], env=env, log_name="throughput")
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if not rows:
        die("the throughput bench printed no results")
    for r in rows:
        log(f"throughput {r['op']} x{r['concurrency']} {r['client']}: {r['rps']:,.0f} req/s")
    return rows


def ws_decoding() -> dict:
    env = bench_env()
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "ws_decode", "--no-run"], env=env, log_name="ws_decode")
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "ws_decode"], env=env, log_name="ws_decode")
    out = {}
    group = RUN / "criterion" / "ws_decode_1000_frames"
    for bench in ["sdk_typed", "serde_json_value"]:
        est = json.loads((group / bench / "new" / "estimates.json").read_text())
        meta = json.loads((group / bench / "new" / "benchmark.json").read_text())
        ns = est["median"]["point_estimate"]
        size = meta["throughput"]["Bytes"]
        out[bench] = {"ns": ns, "bytes": size, "mb_s": size / 1e6 / (ns / 1e9)}
    log("ws decode: " + ", ".join(f"{k} {v['ns'] / 1e6:.3f} ms" for k, v in out.items()))
    return out


def ws_throughput(quick: bool) -> dict:
    env = bench_env()
    if quick:
        env.update(WS_MESSAGES="50000", WS_ROUNDS="1")
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "ws_throughput", "--no-run"], env=env, log_name="ws_throughput")
    p = run(["cargo", "bench", "-p", "kalshi-api", "--bench", "ws_throughput"], env=env, log_name="ws_throughput")
    rows = {}
    for line in p.stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            rows[r["client"]] = r
    if set(rows) != {"session", "bare_typed"}:
        die("the ws_throughput bench did not print both clients")
    log(f"ws throughput: session {rows['session']['msgs_per_s']:,.0f} msg/s, bare {rows['bare_typed']['msgs_per_s']:,.0f} msg/s")
    return rows


def orderbook(quick: bool) -> dict:
    env = bench_env()
    if quick:
        env.update(BOOK_DELTAS="50000", BOOK_ROUNDS="1", BOOK_LATENCY_FRAMES="1000")
    run(["cargo", "bench", "-p", "kalshi-api", "--bench", "ws_orderbook", "--no-run"], env=env, log_name="ws_orderbook")
    p = run(["cargo", "bench", "-p", "kalshi-api", "--bench", "ws_orderbook"], env=env, log_name="ws_orderbook")
    rows = {r["bench"]: r for r in (json.loads(l) for l in p.stdout.splitlines() if l.startswith("{"))}
    if set(rows) != {"ws_orderbook_apply", "ws_orderbook_latency"}:
        die(f"the order book bench printed {sorted(rows)}")
    a, l = rows["ws_orderbook_apply"], rows["ws_orderbook_latency"]
    log(
        f"order book: {a['sdk_deltas_per_s']:,.0f} deltas/s (naive {a['naive_deltas_per_s']:,.0f}); "
        f"frame to book median {l['p50_us']:.0f} us, p99 {l['p99_us']:.0f} us"
    )
    return rows


def recording(quick: bool) -> dict:
    """The recorder's cost to a session on loopback, bytes per frame, and replay speed."""
    env = bench_env()
    if quick:
        env.update(WS_MESSAGES="50000", WS_ROUNDS="1")
    cmd = ["cargo", "bench", "-p", "kalshi-api", "--features", "record", "--bench", "ws_record"]
    run(cmd + ["--no-run"], env=env, log_name="ws_record")
    p = run(cmd, env=env, log_name="ws_record")
    rows = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    if len(rows) != 1 or rows[0].get("bench") != "ws_record":
        die("the ws_record bench did not print its line")
    r = rows[0]
    log(
        f"recording: {r['recorded_msgs_per_s']:,.0f} msg/s recorded against {r['plain_msgs_per_s']:,.0f}; "
        f"{r['bytes_per_frame']:.1f} bytes/frame; replay {r['replay_frames_per_s']:,.0f} frames/s"
    )
    return r


def ablation_binaries(variant: str) -> dict[str, Path]:
    """Builds the three WebSocket benches with `KALSHI_ABLATE=variant` and copies them aside."""
    env = {**bench_env(), "KALSHI_ABLATE": variant}
    benches = ["ws_decode", "ws_throughput", "ws_orderbook"]
    cmd = ["cargo", "bench", "-p", "kalshi-api", "--no-run", "--message-format=json"]
    for b in benches:
        cmd += ["--bench", b]
    p = run(cmd, env=env, log_name=f"ablation-build-{variant or 'as-is'}")
    out = RUN / "ablation" / (variant or "as-is")
    out.mkdir(parents=True, exist_ok=True)
    found = {}
    for line in p.stdout.splitlines():
        msg = json.loads(line) if line.startswith("{") else {}
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] in benches:
            dst = out / msg["target"]["name"]
            shutil.copy2(msg["executable"], dst)
            found[msg["target"]["name"]] = dst
    if set(found) != set(benches):
        die(f"ablation build {variant or 'as-is'}: found {sorted(found)}")
    return found


def ablation_round(variant: str, bins: dict[str, Path], n: int) -> dict:
    """One run of each bench of one build: decode ms, session msg/s, book deltas/s."""
    name = variant or "as-is"
    env = {**bench_env(), "CRITERION_HOME": str(RUN / "ablation" / name / f"criterion-{n}")}
    run([str(bins["ws_decode"]), "--bench", "sdk_typed", "--warm-up-time", "1", "--measurement-time", "3"],
        env=env, log_name=f"ablation-{name}-decode-{n}")
    est = RUN / "ablation" / name / f"criterion-{n}" / "ws_decode_1000_frames" / "sdk_typed" / "new" / "estimates.json"
    decode_ms = json.loads(est.read_text())["median"]["point_estimate"] / 1e6
    p = run([str(bins["ws_throughput"])], env={**env, "WS_CLIENT": "session", "WS_ROUNDS": "3"},
            log_name=f"ablation-{name}-throughput-{n}")
    session = [json.loads(l) for l in p.stdout.splitlines() if l.startswith("{")]
    p = run([str(bins["ws_orderbook"])], env={**env, "BOOK_ROUNDS": "3", "BOOK_LATENCY_FRAMES": "300"},
            log_name=f"ablation-{name}-book-{n}")
    book = {r["bench"]: r for r in (json.loads(l) for l in p.stdout.splitlines() if l.startswith("{"))}
    if len(session) != 1 or "ws_orderbook_apply" not in book:
        die(f"ablation {name}: a bench printed no result")
    r = {"decode_ms": decode_ms, "session_msgs_s": session[0]["msgs_per_s"],
         "book_deltas_s": book["ws_orderbook_apply"]["sdk_deltas_per_s"]}
    log(f"ablation {name} round {n}: decode {r['decode_ms']:.3f} ms, session {r['session_msgs_s']:,.0f} msg/s, "
        f"book {r['book_deltas_s']:,.0f} deltas/s")
    return r


def ablation(rounds: int) -> dict:
    variants = [""] + list(ABLATIONS)
    bins = {v: ablation_binaries(v) for v in variants}
    runs: dict[str, list[dict]] = {v or "as-is": [] for v in variants}
    for n in range(rounds):
        for v in variants:
            runs[v or "as-is"].append(ablation_round(v, bins[v], n))
    return {
        name: {k: statistics.median(r[k] for r in rs) for k in rs[0]} | {"rounds": rs}
        for name, rs in runs.items()
    }


def ablation_table(a: dict) -> str:
    base = a["as-is"]
    rows = [
        "| build | decode 1,000 frames, median | session msg/s, median | book deltas/s, median |",
        "|---|---|---|---|",
        f"| as it is | {base['decode_ms']:.3f} ms | {base['session_msgs_s']:,.0f} | {base['book_deltas_s']:,.0f} |",
    ]
    for name, alternative in ABLATIONS.items():
        r = a[name]
        rows.append(
            f"| `{name}` swapped for {alternative} | {r['decode_ms']:.3f} ms "
            f"(part gains {r['decode_ms'] / base['decode_ms'] - 1:+.1%}) "
            f"| {r['session_msgs_s']:,.0f} (part gains {base['session_msgs_s'] / r['session_msgs_s'] - 1:+.1%}) "
            f"| {r['book_deltas_s']:,.0f} (part gains {base['book_deltas_s'] / r['book_deltas_s'] - 1:+.1%}) |"
        )
    return "\n".join(rows)


def ws_table(r: dict) -> str:
    rows = ["| # | measure | kalshi-api | compared with | goal | met |", "|---|---|---|---|---|---|"]
    if "ws_decode" in r:
        s, v = r["ws_decode"]["sdk_typed"], r["ws_decode"]["serde_json_value"]
        rows.append(
            f"| 5 | decode 1,000 WebSocket frames (`orderbook_delta`, `ticker`, `trade`; {s['bytes'] / 1e3:.0f} kB), median "
            f"| {s['ns'] / 1e6:.3f} ms, {s['mb_s']:.0f} MB/s (`ws::decode_frame` into `ServerMessage`) "
            f"| `serde_json::Value`: {v['ns'] / 1e6:.3f} ms, {v['mb_s']:.0f} MB/s ({v['ns'] / s['ns']:.2f}x the SDK's time) "
            f"| faster than `Value` | {yes(s['ns'] < v['ns'])} |"
        )
    if "ws_throughput" in r:
        s, b = r["ws_throughput"]["session"], r["ws_throughput"]["bare_typed"]
        ratio = s["msgs_per_s"] / b["msgs_per_s"]
        rows.append(
            f"| 5 | messages/s on loopback, {s['messages']:,} per round, median of {s['rounds']} "
            f"| {s['msgs_per_s']:,.0f} (`ws::Session`: signed handshake, sequence checks, lossless queue) "
            f"| bare tokio-tungstenite reader into the same types: {b['msgs_per_s']:,.0f} (session at {ratio:.0%}) "
            f"| at least 90% of bare | {yes(ratio >= 0.9)} |"
        )
    if "book" in r:
        a, l = r["book"]["ws_orderbook_apply"], r["book"]["ws_orderbook_latency"]
        sdk, naive = a["sdk_deltas_per_s"], a["naive_deltas_per_s"]
        rows.append(
            f"| 6 | order book: `orderbook_delta` frames decoded and applied per second, "
            f"{a['levels_per_side']:,} levels a side, median of {a['rounds']} passes over {a['deltas']:,} "
            f"| {sdk:,.0f} (generated decode, `BookKeeper`, exact money) "
            f"| `serde_json::Value`, `f64` prices in a `BTreeMap`: {naive:,.0f} ({sdk / naive:.2f}x) "
            f"| at least 2x naive | {yes(sdk >= 2 * naive)} |"
        )
        rows.append(
            f"| 6 | order book: frame sent on loopback to the book updated, {l['frames']:,} frames about 1 ms apart "
            f"| median {l['p50_us']:.0f} us, p99 {l['p99_us']:.0f} us | | | |"
        )
    if "record" in r:
        rec = r["record"]
        kept = rec["recorded_msgs_per_s"] / rec["plain_msgs_per_s"]
        rows.append(
            f"| 7 | recording: messages/s on loopback with a recorder attached, {rec['messages']:,} per round, "
            f"median of {rec['rounds']} | {rec['recorded_msgs_per_s']:,.0f} ({rec['bytes_per_frame']:.1f} compressed bytes per frame) "
            f"| the same session unrecorded: {rec['plain_msgs_per_s']:,.0f} (recorded at {kept:.0%}) "
            f"| at least 90% | {yes(kept >= 0.9)} |"
        )
        rows.append(
            f"| 7 | replay: frames/s read back from the files as decoded, sequence-checked events "
            f"| {rec['replay_frames_per_s']:,.0f} | | at least 1,000,000 | {yes(rec['replay_frames_per_s'] >= 1e6)} |"
        )
    return "\n".join(rows)


# ---------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------


def yes(ok: bool) -> str:
    return "**yes**" if ok else "**no**"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def secs(s: float) -> str:
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def table(r: dict, oag_version: str, progenitor_version: str, gen_runs: int, build_runs: int) -> str:
    rows = ["| # | measure | kalshi-api | compared with | goal | met |", "|---|---|---|---|---|---|"]
    oag, prog = f"openapi-generator {oag_version}", f"progenitor {progenitor_version}"
    if "gen" in r:
        g = r["gen"]
        o, a, p = g["ours"], g["openapi-generator"], g["progenitor"]
        rows.append(
            f"| 1 | generation wall time, median of {gen_runs} | {secs(o['median'])} (`cargo xtask regen`) "
            f"| {oag}: {secs(a['median'])} ({a['median'] / o['median']:.1f}x as long); "
            f"{prog}: {secs(p['median'])} ({p['median'] / o['median']:.1f}x as long) "
            f"| faster than every peer | {yes(o['median'] < min(a['median'], p['median']))} |"
        )
        rows.append(
            f"| 1 | generated Rust | {plural(o['files'], 'file')}, {o['lines']:,} lines "
            f"(`kalshi-api/src/generated`; plus {o['runtime_lines']:,} hand-written runtime lines) "
            f"| {oag}: {plural(a['files'], 'file')}, {a['lines']:,} lines; {prog}: {plural(p['files'], 'file')}, {p['lines']:,} lines "
            f"| | |"
        )
    if "build" in r:
        b = r["build"]
        o, a, p = b["ours"], b["openapi-generator"], b["progenitor"]
        rows.append(
            f"| 2 | debug build, clean (dependencies included), best of {CLEAN_RUNS} | {secs(o['clean'])} ({o['crates']} crates) "
            f"| {oag}: {secs(a['clean'])} ({a['crates']} crates); {prog}: {secs(p['clean'])} ({p['crates']} crates) "
            f"| faster than both | {yes(o['clean'] < min(a['clean'], p['clean']))} |"
        )
        n = b["ours-no-tls"]
        rows.append(
            f"| 2 | debug build, clean, without TLS (`--no-default-features --features rustcrypto`; "
            f"progenitor's crate has no TLS) "
            f"| {secs(n['clean'])} ({n['crates']} crates) | {prog}: {secs(p['clean'])} ({p['crates']} crates) "
            f"| faster than progenitor | {yes(n['clean'] < p['clean'])} |"
        )
        g = b["ours-ring"]
        rows.append(
            f"| 2 | debug build, clean, HTTPS and signing by ring (`--no-default-features --features rustls,ring`) "
            f"| {secs(g['clean'])} ({g['crates']} crates) "
            f"| {oag}: {secs(a['clean'])}; {prog}: {secs(p['clean'])} "
            f"| faster than both | {yes(g['clean'] < min(a['clean'], p['clean']))} |"
        )
        rows.append(
            f"| 2 | debug build, crate alone, median of {build_runs} | {secs(o['alone'])} (generated code and runtime) "
            f"| {oag}: {secs(a['alone'])}; {prog}: {secs(p['alone'])} "
            f"| faster than both | {yes(o['alone'] < min(a['alone'], p['alone']))} |"
        )
    if "build" in r and "ours-minimal" in r["build"]:
        b = r["build"]
        o, mn, pp, p = b["ours"], b["ours-minimal"], b["ours-perps"], b["progenitor"]
        rows.append(
            f"| 2 | debug build, minimal: one API area with HTTPS and signing by ring "
            f"(`--no-default-features --features rustls,ring,orders`) "
            f"| clean {secs(mn['clean'])} ({mn['crates']} crates); crate alone {secs(mn['alone'])} "
            f"| default features: clean {secs(o['clean'])}, alone {secs(o['alone'])}; {prog} alone: {secs(p['alone'])} "
            f"| in the table | |"
        )
        rows.append(
            f"| 2 | debug build, default features and `perps` "
            f"| clean {secs(pp['clean'])} ({pp['crates']} crates); crate alone {secs(pp['alone'])} "
            f"| default features: clean {secs(o['clean'])}, alone {secs(o['alone'])} "
            f"(perps adds {pp['clean'] - o['clean']:+.1f} s clean, {pp['alone'] - o['alone']:+.1f} s alone) "
            f"| in the table | |"
        )
    if "decode" in r:
        d = r["decode"]
        s, t, v = d["sdk_typed"], d["serde_json_typed"], d["serde_json_value"]
        rows.append(
            f"| 3 | decode a 1,000-market `GetMarkets` page ({s['bytes'] / 1e6:.1f} MB), median "
            f"| {s['ns'] / 1e6:.2f} ms, {s['mb_s']:.0f} MB/s (`Operation::decode`) "
            f"| `serde_json::Value`: {v['ns'] / 1e6:.2f} ms, {v['mb_s']:.0f} MB/s ({v['ns'] / s['ns']:.2f}x the SDK's time); "
            f"the same types by plain `serde_json::from_slice`: {t['ns'] / 1e6:.2f} ms, {t['mb_s']:.0f} MB/s "
            f"| at least as fast as `Value` | {yes(s['ns'] <= v['ns'])} |"
        )
    if "throughput" in r:
        by = {(x["op"], x["concurrency"], x["client"]): x["rps"] for x in r["throughput"]}
        for op, conc in dict.fromkeys((x["op"], x["concurrency"]) for x in r["throughput"]):
            sdk = by[(op, conc, "sdk")]
            typed = by[(op, conc, "reqwest_typed")]
            value = by[(op, conc, "reqwest_value")]
            sdk_dec = by.get((op, conc, "reqwest_sdk_decode"))
            extra = f"; reqwest + the SDK's decode: {sdk_dec:,.0f}" if sdk_dec else ""
            rows.append(
                f"| 4 | `{op}` loopback, {conc} in flight, req/s | {sdk:,.0f} "
                f"| bare reqwest into the same type: {typed:,.0f} (SDK at {sdk / typed:.0%}); "
                f"into `Value`: {value:,.0f} (SDK at {sdk / value:.0%}){extra} "
                f"| within 10% of bare reqwest | {yes(sdk >= 0.9 * typed)} |"
            )
    return "\n".join(rows)


def report(r: dict, m: dict, command: str, oag_version: str, progenitor_version: str, args) -> str:
    lines = [
        f"Produced by `{command}` on {m['date']}, commit {m['commit']}, in {r['total_s'] / 60:.0f} min.",
        "",
        f"Machine: {m['nproc']} CPUs (`nproc`), {m['cpu']}, {m['ram']} RAM; {m['rustc']}; {m['java']}; "
        f"Python {m['python']}. Load average (1/5/15 min) {m['loadavg_start']} at the start, "
        f"{m['loadavg_end']} at the end.",
        "",
        table(r, oag_version, progenitor_version, args.gen_runs, args.build_runs),
        "",
    ]
    notes = []
    if "gen" in r:
        u = r["gen"]["progenitor_unpatched"]
        if u["exit"] != 0:
            notes.append(
                f"progenitor {progenitor_version} on the spec as published exits {u['exit']}: `{u['panic']}` "
                f"({u['at']}); it ran on a copy with `{PROGENITOR_PATCH_OP}`'s inline 400/401/500 responses "
                "replaced by the spec's shared error responses."
            )
        if not r["gen"]["ours"]["matches_committed"]:
            notes.append("`cargo xtask regen` output differs from the committed `kalshi-api/src/generated`.")
    if "build" in r:
        runs = "; ".join(
            f"{name} " + " / ".join(f"{t:.1f}" for t in b["clean_times"]) for name, b in r["build"].items()
        )
        notes.append(
            f"clean builds are the best of {CLEAN_RUNS}, each from an empty target directory (the first "
            f"is often much slower: cold caches); every run, in seconds: {runs}."
        )
        for name, b in r["build"].items():
            slow = ", ".join(f"{c} {t:.1f} s" for c, t in b["slowest"])
            if slow:
                notes.append(f"longest units of the clean build, {name}: {slow}.")
        notes += build_gap_notes(r["build"])
    if "throughput" in r:
        spread = max(
            (max(x["rounds"]) - min(x["rounds"])) / x["rps"] for x in r["throughput"] if len(x["rounds"]) > 1
        ) if any(len(x["rounds"]) > 1 for x in r["throughput"]) else 0.0
        rounds = max(len(x["rounds"]) for x in r["throughput"])
        notes.append(
            f"throughput: median of {rounds} rounds; the widest spread of one client's rounds "
            f"(max - min) was {spread:.0%} of its median."
        )
    if m["rustflags"]:
        notes.append(f"RUSTFLAGS was `{m['rustflags']}`.")
    lines += [f"- {n}" for n in notes]
    return "\n".join(lines).rstrip() + "\n"


def build_gap_notes(b: dict) -> list[str]:
    """What the clean builds spend on crates that only one side compiles (seconds from
    `cargo build --timings`, summed over each crate's units)."""
    notes = []
    ours = b["ours"]["units"]
    for name in ("progenitor", "openapi-generator"):
        theirs = b[name]["units"]
        if not ours or not theirs:
            continue
        only_ours = {c: t for c, t in ours.items() if c not in theirs and c != "kalshi-api"}
        only_theirs = {c: t for c, t in theirs.items() if c not in ours}
        top = ", ".join(f"{c} {t:.1f}" for c, t in list(only_ours.items())[:10])
        notes.append(
            f"dependencies only ours builds, against {name}: {len(only_ours)} crates, "
            f"{sum(only_ours.values()):.1f} s of compile time summed over units (heaviest: {top}); "
            f"only {name} builds {len(only_theirs)} crates, {sum(only_theirs.values()):.1f} s "
            f"(its own crate included). Total compile time summed over units: ours "
            f"{sum(ours.values()):.1f} s, {name} {sum(theirs.values()):.1f} s."
        )
    return notes


def write_benchmarks_md(block: str, begin: str = BEGIN, end: str = END) -> None:
    text = BENCHMARKS_MD.read_text()
    if begin not in text or end not in text:
        die(f"{BENCHMARKS_MD} lacks the {begin} ... {end} markers")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    BENCHMARKS_MD.write_text(f"{head}{begin}\n{block}{end}{tail}")
    log(f"wrote {BENCHMARKS_MD}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    ap.add_argument("--gen-runs", type=int, default=5, help="timed runs per generator (default 5)")
    ap.add_argument("--build-runs", type=int, default=3, help="crate-alone builds per crate (default 3)")
    ap.add_argument("--quick", action="store_true", help="short throughput measurements")
    ap.add_argument("--ablation-rounds", type=int, default=5, help="interleaved rounds of the ablation (default 5)")
    ap.add_argument(
        "--only",
        default="gen,build,decode,throughput,ws_decode,ws_throughput,book,record",
        help="comma-separated parts to run (gen,build,decode,throughput,ws_decode,ws_throughput,book,record), or ablation alone; build needs gen",
    )
    args = ap.parse_args()
    parts = set(args.only.split(","))
    ws_only = parts == WS_PARTS
    if "ablation" in parts:
        if parts != {"ablation"}:
            die("ablation runs alone: --only ablation")
        if args.quick:
            die("ablation has no quick mode")
    if args.write and args.quick:
        die("--write needs full measurements: no --quick")
    if args.write and not ws_only and parts != {"ablation"} and parts != {"gen", "build", "decode", "throughput"} | WS_PARTS:
        die("--write needs a full run, or --only ws_decode,ws_throughput,book,record for the WebSocket table")
    if "build" in parts and "gen" not in parts:
        die("build needs gen (it builds what the generators wrote)")
    command = "python3 bench/run.py" + "".join(f" {a}" for a in sys.argv[1:])

    shutil.rmtree(RUN, ignore_errors=True)
    RUN.mkdir(parents=True)
    m = machine()
    log(f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram']}, {m['rustc']}, load {m['loadavg_start']}")

    oag_cli, oag_version, progenitor_version = None, "?", "?"
    if "gen" in parts:
        ensure_system()
        oag_cli, oag_version = ensure_openapi_generator()
        progenitor_version = ensure_progenitor()
        log(f"peers: openapi-generator-cli {oag_version}, cargo-progenitor {progenitor_version}")

    results: dict = {}
    if "gen" in parts:
        results["gen"] = generation(args.gen_runs, oag_cli)
    if "build" in parts:
        results["build"] = builds(args.build_runs)
    if "decode" in parts:
        results["decode"] = decoding()
    if "throughput" in parts:
        results["throughput"] = throughput(args.quick)
    if "ws_decode" in parts:
        results["ws_decode"] = ws_decoding()
    if "ws_throughput" in parts:
        results["ws_throughput"] = ws_throughput(args.quick)
    if "book" in parts:
        results["book"] = orderbook(args.quick)
    if "record" in parts:
        results["record"] = recording(args.quick)
    if "ablation" in parts:
        results["ablation"] = ablation(args.ablation_rounds)
    m["loadavg_end"] = loadavg()
    results["total_s"] = time.monotonic() - STARTED
    (RUN / "results.json").write_text(json.dumps({"machine": m, "command": command, **results}, indent=2))

    ws_block = None
    if parts & WS_PARTS:
        ws_block = (
            f"Produced by `{command}` on {m['date']}, commit {m['commit']}. Machine: {m['nproc']} CPUs, "
            f"{m['cpu']}; load average {m['loadavg_start']} at the start, {m['loadavg_end']} at the end.\n\n"
            + ws_table(results)
            + "\n"
        )
    ablation_block = None
    if "ablation" in results:
        ablation_block = (
            f"Produced by `{command}` on {m['date']}, commit {m['commit']}. Machine: {m['nproc']} CPUs, "
            f"{m['cpu']}; load average {m['loadavg_start']} at the start, {m['loadavg_end']} at the end. "
            f"Each figure is the median of {args.ablation_rounds} interleaved rounds; a part's gain is how much "
            f"slower (decode) or fewer (msg/s, deltas/s) the build with its alternative is.\n\n"
            + ablation_table(results["ablation"])
            + "\n"
        )
        print(ablation_block)
    block = None
    if parts - WS_PARTS - {"ablation"}:
        block = report(results, m, command, oag_version, progenitor_version, args)
        print(block)
    if ws_block:
        print(ws_block)
    log(f"done in {results['total_s'] / 60:.1f} min; raw figures in {RUN / 'results.json'}")
    if args.write:
        if block:
            write_benchmarks_md(block)
        if ws_block:
            write_benchmarks_md(ws_block, WS_BEGIN, WS_END)
        if ablation_block:
            write_benchmarks_md(ablation_block, ABLATION_BEGIN, ABLATION_END)


if __name__ == "__main__":
    main()

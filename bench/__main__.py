"""`make bench`: one run, one table, ratios against baselines measured beside them; the table is also
written to bench/results/latest.json so runs can be compared."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import orjson

from bench import desk, http, scale, store, throughput
from shared.adapters.kafka.access import KafkaAccess

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=int(os.environ.get("BENCH_EVENTS", "20000")))
    parser.add_argument("--requests", type=int, default=int(os.environ.get("BENCH_REQUESTS", "2000")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "3")))
    parser.add_argument("--only", choices=["kafka", "http", "store", "scale", "desk"], default=None)
    sizes = os.environ.get("BENCH_SCALE_SIZES", ",".join(map(str, scale.SIZES)))
    parser.add_argument("--scale-sizes", default=sizes, help="filings per store, comma-separated")
    args = parser.parse_args()
    # Stopped (`timeout`, `kill`): unwind, so each section stops the instances and the cluster it started.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    results: dict = {"at": datetime.now(UTC).isoformat(), "cores": os.cpu_count()}
    if args.only in (None, "kafka"):
        results["kafka"] = throughput.measure(KafkaAccess.of(bootstrap), args.events)
    if args.only in (None, "http"):
        results["http"] = http.run(KafkaAccess.of(bootstrap), args.requests, args.rounds)
    if args.only in (None, "store"):  # SQLite and PostgreSQL, 1 and 2 processes, on the bench's own cluster
        results["store"] = store.run(KafkaAccess.of(bootstrap), args.requests, args.rounds)
    if args.only in (None, "scale"):  # stores kept in var/bench-scale: a second run reuses them
        sizes = tuple(int(n) for n in args.scale_sizes.split(","))
        results["scale"] = scale.run(Path("var/bench-scale"), sizes, kafka=KafkaAccess.of(bootstrap))
    if args.only in (None, "desk"):  # My work's page with 10,000 filings in the court's queue
        results["desk"] = desk.run(KafkaAccess.of(bootstrap))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    print(table(results))
    if "store" in results:
        print(store.table(results["store"]))
    if "scale" in results:
        print(scale.table(results["scale"]))
    if "desk" in results:
        print(desk.table(results["desk"]))


def table(results: dict) -> str:
    lines = []
    if kafka := results.get("kafka"):
        lines.append(f"{'kafka path (events/s)':<52}{'ours':>10}{'raw':>10}{'ratio':>8}")
        for name in ("produce", "consume"):
            ours, raw = kafka[f"library_{name}"], kafka[f"raw_{name}"]
            lines.append(f"{'library ' + name + ' vs raw kafka-python':<52}{ours:>10.0f}{raw:>10.0f}{ours / raw:>8.2f}")
        for codec in ("lz4", "zstd"):
            rate, size = kafka[f"raw_produce_{codec}"], kafka[f"compressed_size_{codec}"]
            label = f"raw produce, {codec} (batch to {size:.0%} of its size)"
            lines.append(f"{label:<52}{rate:>10.0f}{kafka['raw_produce']:>10.0f}{rate / kafka['raw_produce']:>8.2f}")
    if web := results.get("http"):
        lines.append("")
        lines.append(
            f"{'http (hey)':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'peer req/s':>12}{'p99':>8}{'ratio':>7}"
        )
        for name, label in (
            ("healthz", "GET /healthz (generator ceiling)"),
            ("post_c16", "POST /v1/filings c16"),
            ("post_c64", "POST /v1/filings c64"),
            ("list_c16", "GET /v1/filings?limit=20 c16"),
        ):
            ours, peer = web[name], web.get(f"peer_{name}")
            row = f"{label:<34}{ours['rps']:>9.0f}{ours['p50_ms']:>9.1f}{ours['p99_ms']:>9.1f}"
            if peer:
                row += f"{peer['rps']:>12.0f}{peer['p99_ms']:>8.1f}{ours['rps'] / peer['rps']:>7.2f}"
            lines.append(row)
        for name in ("post_c16", "post_c64"):
            if runs := web[name].get("runs_rps"):
                peer_runs = web[f"peer_{name}"]["runs_rps"]
                lines.append(
                    f"  ({name}: the median of {len(runs)} alternating runs: {_rates(runs)}; peer {_rates(peer_runs)})"
                )
            if cost := _cost(web[name], web[f"peer_{name}"], results.get("cores")):
                lines.append(f"  ({name}: {cost})")
        if bulk := web.get("bulk"):
            rate, single = bulk["lines_per_s"], web["post_c16"]["rps"]
            label = f"POST /v1/filings/batch ({bulk['lines']} lines)"
            lines.append(f"{label:<34}{rate:>9.0f} lines/s ({bulk['created']} stored; {rate / single:.1f}x POST c16)")
        for name in ("visibility_low_load", "visibility_half_load"):
            v = web[name]
            load = name.split("_", 1)[1]
            lines.append(f"cross-region visibility, {load:<10} p50 {v['p50_ms']:.1f} ms, p99 {v['p99_ms']:.1f} ms")
        drained = web["backlog_drained_after_s"]
        lines.append(f"(the POST runs' backlog drained {drained:.1f} s before the list and visibility runs)")
        lines.append(f"12 idle instances: {web['idle_cpu_percent_of_one_core']:.1f}% of one core")
    return "\n".join(lines)


def _cost(ours: dict, peer: dict, cores: int | None) -> str | None:
    """CPU per request of the median runs, by process, and how busy the machine was during each."""
    if "cpu_ms_per_request" not in ours or "cpu_ms_per_request" not in peer:
        return None
    spent = ", ".join(f"{name} {ms:.2f}" for name, ms in ours["cpu_ms_per_request"].items())
    theirs = ", ".join(f"{name} {ms:.2f}" for name, ms in peer["cpu_ms_per_request"].items())
    busy = f"{ours['machine_busy']:.0%} / {peer['machine_busy']:.0%}"
    return f"CPU per request, ms: {spent}; {theirs}; machine busy {busy} ({cores} cores)"


def _rates(runs: list[float]) -> str:
    return ", ".join(f"{rate:.0f}" for rate in runs)


if __name__ == "__main__":
    main()

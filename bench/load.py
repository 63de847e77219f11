"""One load run with wrk (Debian package `wrk`): a fixed duration, a fixed number of connections."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk.lua"


@dataclass
class Load:
    duration: float  # seconds per route
    connections: int
    threads: int


def wrk_path() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (the benchmark's load generator).")
    return path


def run_wrk(url: str, load: Load, *, expect: int, method: str = "GET", body: str = "", headers=()) -> dict:
    """Load `url` and return wrk's figures: requests, req/s, latency percentiles (ms), wrong answers."""
    threads = min(load.threads, load.connections)
    command = [
        wrk_path(),
        f"--threads={threads}",
        f"--connections={load.connections}",
        f"--duration={max(1, round(load.duration))}s",
        "--timeout=10s",
        f"--script={SCRIPT}",
        url,
        "--",
        str(expect),
        method,
        body,
        *headers,
    ]
    finished = subprocess.run(  # noqa: S603 - wrk with arguments built here
        command, capture_output=True, text=True, timeout=load.duration + 60, check=False
    )
    line = next((x for x in finished.stdout.splitlines() if x.startswith("BENCH-RESULT ")), None)
    if finished.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({finished.returncode}): {finished.stderr or finished.stdout}")
    raw = json.loads(line.removeprefix("BENCH-RESULT "))
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p90_ms": round(latency["p90"] / 1000, 2),
        "p95_ms": round(latency["p95"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "unexpected": raw["unexpected"],
        "unexpected_status": raw["unexpected_status"] or None,
        "socket_errors": raw["socket_errors"],
        "connections": load.connections,
    }

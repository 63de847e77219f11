"""The benchmark keeps working: a run on a tiny house, one second per route. Nothing here is timed."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.routes import ROUTES, SCALE_ROUTES

from .conftest import TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bench_database(request):
    """SQLite: the benchmark makes its own files. PostgreSQL: the test database, emptied afterwards."""
    if not TEST_DATABASE_URL:
        return []
    request.getfixturevalue("database_url")  # the test database is emptied and re-seeded after the test
    return ["--database-url", TEST_DATABASE_URL, "--reset"]


def test_the_benchmark_measures_every_route_that_exists(tmp_path, bench_database):
    if shutil.which("wrk") is None and not os.environ.get("CI"):
        pytest.skip("wrk is not installed (apt-get install wrk); CI installs it")
    output = tmp_path / "results.json"
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--smoke",
        "--workdir",
        str(tmp_path),
        "--output",
        str(output),
        "--markdown-dir",
        str(tmp_path),
    ]
    finished = subprocess.run(
        command + bench_database, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    report = json.loads(output.read_text())

    routes = {route["name"]: route for route in report["routes"]}
    assert list(routes) == [route.name for route in ROUTES]
    for name in ("bare route", "health check", "home", "request form", "staff dashboard", "submission"):
        measured = routes[name]
        assert measured["requests"] > 0 and measured["unexpected"] == 0 and measured["socket_errors"] == 0, (
            measured
        )
        assert measured["p95_ms"] >= measured["p50_ms"] > 0 and measured["ratio"] > 0
    assert routes["bare route"]["ratio"] == 1.0
    # Every route of the benchmark exists and answers as expected: one not measured is a failure.
    unmeasured = {route["name"]: route["not_measured"] for route in report["routes"] if "rps" not in route}
    assert unmeasured == {}

    # Every mail of the quiet and the burst submissions reached the SMTP sink through the mail worker.
    quiet, burst = report["mail"]["quiet"], report["mail"]["burst"]
    assert quiet["mails"] == 2 * quiet["changes"] and quiet["not_accepted"] == 0
    assert 0 < quiet["p50_s"] <= quiet["p95_s"]
    assert burst["mails"] == 2 * burst["changes"] and burst["not_accepted"] == 0
    assert burst["all_accepted_after_first_change_s"] > 0
    assert "quiet house, a change every" in finished.stdout

    scale = report["scale"]
    assert scale["stays"] == {"small": 60, "large": 300}
    assert scale["conflict_check"]["large"]["conflicts_found"] > 0
    assert [route["name"] for route in scale["routes"]] == SCALE_ROUTES
    assert {route["name"]: route.get("not_measured") for route in scale["routes"] if "rps" not in route} == {}
    assert "figures written to" in finished.stdout and "ratio" in finished.stdout
    # The table docs/performance.md points to: every route, with its p90 and p95 and their verdict.
    table = (tmp_path / f"{report['meta']['database'].lower()}.md").read_text()
    assert "| route | req/s | p50 | p90 | p95 | ratio | CPU ratio | target | verdict |" in table
    for name in routes:
        assert f"| {name} |" in table

"""`make bench` (`python -m bench.run`): the app's speed under load, as ratios to a bare route measured in the same run.

1. builds a realistic house (bench/dataset.py) in a fresh SQLite file, or in the PostgreSQL database
   given with --database-url;
2. serves it with gunicorn as in production (gunicorn.conf.py, 2 workers) on 127.0.0.1;
3. loads each route of ROUTES with wrk for a fixed time;
4. prints requests per second, p50 and p95 latency and the ratio to the bare route, and writes them to
   a JSON file; then the delay of mail, from a committed change to the SMTP server (bench/mail.py);
   then the scale run: the conflict check and some pages again with 100,000 stays.

A route that does not answer as expected is reported as "not measured" with the reason; the smoke test
(tests/test_bench_smoke.py) fails on it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from bench.dataset import Dataset, build
from bench.load import Load, run_wrk, wrk_path
from bench.mail import measure as measure_mail
from bench.mail import print_mail
from bench.scale import time_conflict_check
from bench.server import Client, Server, SmtpSink
from guesthouse.database import today

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    expect: int = 200
    method: str = "GET"
    min_ratio: float | None = None  # target: throughput as a ratio to the bare route's
    max_p95_ms: float | None = None  # target: 95th percentile latency
    staff: bool = False  # logged in as a staff member
    revalidate: bool = False  # sent again with the validators of a first answer: 304 expected
    submit_form: bool = False  # the request form, with its CSRF token and session cookie
    connections: int | None = None  # the concurrency a target is defined at, instead of --connections
    bare: bool = False  # the reference: no work at all


# One entry per measured route; the first is the bare route every ratio refers to. The public
# availability calendar gets its entry (min_ratio=0.35) once its route exists.
ROUTES = [
    Route("bare route", "/livez", bare=True),
    Route("health check", "/healthz"),
    Route("home", "/", min_ratio=0.35),
    Route("request form", "/requests/new"),
    Route("availability calendar", "/availability", min_ratio=0.35),
    Route("occupancy feed", "/calendar/occupancy.ics", min_ratio=0.25),
    Route(
        "occupancy feed, not modified", "/calendar/occupancy.ics", expect=304, revalidate=True, min_ratio=0.7
    ),
    Route("staff dashboard", "/staff/", staff=True, min_ratio=0.25),
    Route(
        "submission",
        "/requests/new",
        method="POST",
        expect=303,
        submit_form=True,
        connections=10,
        max_p95_ms=100,
    ),
]
# Measured again with the large history: their cost must not follow the number of rows.
SCALE_ROUTES = ["bare route", "home", "occupancy feed", "staff dashboard"]
CONFLICT_CHECK_TARGET_MS = 10.0

# Production settings for the run. Flask-Limiter (where the app uses it) keeps its counters in memory and
# is switched off: a load test from one address is exactly what it exists to stop. Change any of these
# with --env NAME=VALUE (e.g. --env FLASK_RATELIMIT_ENABLED=true to measure the limiter's own cost, with
# --env FLASK_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 as production counts for several workers).
BENCH_ENV = {
    "SECRET_KEY": "benchmark-only-secret-key",
    "MAIL_DEFAULT_SENDER": "Maison du Partenariat <mpab@bench.example>",
    "STAFF_NOTIFICATION_EMAIL": "mpab@bench.example",
    "ALLOW_SQLITE_MULTIPLE_WORKERS": "1",
    "FLASK_SESSION_COOKIE_SECURE": "false",
    "FLASK_REMEMBER_COOKIE_SECURE": "false",
    "FLASK_RATELIMIT_STORAGE_URI": "memory://",
    "FLASK_RATELIMIT_ENABLED": "false",
    # wrk reaches the server by its loopback address; production answers only to trusted host names.
    "TRUSTED_HOSTS": "127.0.0.1",
    # As docs/operations.md deploys it: the web workers store the changes, `flask mail worker` writes and
    # sends their mails, and each web worker runs one thread.
    "GUNICORN_THREADS": "1",
}
MAIL_DRAIN_TIMEOUT_S = 300.0
# Not a route: the delay from a committed change to the SMTP server's acceptance (bench/mail.py).
MAIL_DELAY = "mail delay"


def submission_form() -> dict:
    arrival = today() + timedelta(days=60)
    return {
        "contact_name": "Awa Traoré",
        "contact_email": "awa@example.org",
        "contact_phone": "+223 70 00 00 00",
        "organisation": "Compagnie Les Arts du Fleuve",
        "organisation_type": "arts",
        "angers_based": "yes",
        "cooperation_axis": "culture",
        "arrival": arrival.isoformat(),
        "departure": (arrival + timedelta(days=5)).isoformat(),
        "guests": "2",
        "travellers": "Awa Traoré\nMoussa Keita",
        "purpose": "Résidence de création avec le conservatoire de Bamako",
        "notes": "",
        "accept_rules": "y",
    }


def prepare(route: Route, server: Server, data: Dataset) -> tuple[dict, str | None]:
    """The request wrk repeats (method, body, headers), checked once by hand; or why it cannot run."""
    client = Client(server.base_url)
    if route.staff:
        client.log_in(data.staff_email, data.staff_password)
    headers, form = {}, None
    if route.submit_form:
        form = {**submission_form(), "csrf_token": client.csrf_token(route.path)}
    if route.revalidate:
        first = client.request("GET", route.path)
        if first.status == 404:
            return {}, "route missing"
        if "etag" in first.headers:
            headers["If-None-Match"] = first.headers["etag"]
        elif "last-modified" in first.headers:
            headers["If-Modified-Since"] = first.headers["last-modified"]
        else:
            return {}, "the answer carries neither ETag nor Last-Modified"
    probe = client.request(route.method, route.path, form=form, headers=headers)
    if probe.status == 404 and route.expect != 404:
        return {}, "route missing"
    if probe.status != route.expect:
        return {}, f"answered {probe.status} instead of {route.expect}"
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if client.cookies:
        headers["Cookie"] = client.cookie_header
    request = {"method": route.method, "body": urlencode(form) if form else ""}
    return request | {"headers": [f"{k}: {v}" for k, v in headers.items()]}, None


def measure(
    routes: list[Route], server: Server, data: Dataset, load: Load, smoke: bool, rounds: int = 1
) -> list[dict]:
    entries = [
        {"name": route.name, "path": route.path, "method": route.method, "expect": route.expect}
        for route in routes
    ]
    prepared = []
    for route, entry in zip(routes, entries, strict=True):
        request, missing = prepare(route, server, data)
        if missing:
            entry["not_measured"] = missing
            print(f"  {route.name:<30} {route.method} {route.path}: not measured: {missing}", flush=True)
        else:
            prepared.append((route, entry, request))
    # Pages in rounds: each round loads every page in turn for a share of the duration, and the figures
    # kept are each page's median round. A shared machine's speed drifts over a run (other tenants, CPU
    # frequency); rounds spread that drift over every page instead of charging it to whichever page was
    # measured at the wrong moment, and the bare route the ratios refer to is measured in every round.
    pages = [item for item in prepared if not item[0].submit_form]
    share = Load(max(1.0, load.duration / rounds), load.connections, load.threads)
    runs: dict[str, list[dict]] = {route.name: [] for route, _, _ in pages}
    for _round in range(rounds):
        for route, _entry, request in pages:
            runs[route.name].append(run_once(route, server, share, request, smoke))
    for route, entry, _request in pages:
        entry.update(combine(runs[route.name]))
        print_measured(entry)
    # Submissions last, in one run: they add rows (and mails) that the pages above must not see.
    for route, entry, request in prepared:
        if route.submit_form:
            entry.update(run_once(route, server, load, request, smoke))
            print_measured(entry)
    results = []
    for route, entry in zip(routes, entries, strict=True):
        entry["target"] = target_text(route)
        results.append(entry)
    bare = next((r for r in results if r["name"] == routes[0].name and "rps" in r), None)
    for route, entry in zip(routes, results, strict=True):
        if "rps" not in entry:
            entry["met"] = None
            continue
        entry["ratio"] = round(entry["rps"] / bare["rps"], 3) if bare and bare["rps"] else None
        # The same ratio from the server's CPU time per request: what the throughput ratio would be on a
        # machine given to the benchmark alone (the load generator shares this one's cores).
        if bare and bare.get("server_cpu_ms") and entry.get("server_cpu_ms"):
            entry["cpu_ratio"] = round(bare["server_cpu_ms"] / entry["server_cpu_ms"], 3)
        checks = []
        if route.min_ratio is not None and entry["ratio"] is not None:
            checks.append(entry["ratio"] >= route.min_ratio)
        if route.max_p95_ms is not None:
            checks.append(entry["p95_ms"] <= route.max_p95_ms)
        entry["met"] = all(checks) if checks else None
    return results


def route_connections(route: Route, load: Load, smoke: bool) -> int:
    connections = route.connections or load.connections
    return min(connections, load.connections) if smoke else connections


def run_once(route: Route, server: Server, load: Load, request: dict, smoke: bool) -> dict:
    """One wrk run of one route, with the server's CPU per request and, after writes, the mail drain."""
    route_load = Load(load.duration, route_connections(route, load, smoke), load.threads)
    cpu_before, mails_before = server.cpu_seconds(), outbox_counts(server.database_url)
    worker_cpu_before = server.mail_worker_cpu_seconds()
    entry = run_wrk(server.base_url + route.path, route_load, expect=route.expect, **request)
    cpu = server.cpu_seconds() - cpu_before
    entry["server_cpu_s"] = cpu
    entry["server_cpu_ms"] = round(cpu * 1000 / entry["requests"], 3) if entry["requests"] else None
    total, unsent = outbox_counts(server.database_url)
    if total > mails_before[0] or unsent:
        entry["mail"] = mail_drain(server, mails_before[0], worker_cpu_before)
    return entry


def combine(runs: list[dict]) -> dict:
    """Several rounds of one route: the median round's rate and latencies, totals of the rest."""
    if len(runs) == 1:
        return runs[0]
    requests = sum(run["requests"] for run in runs)
    cpu = sum(run["server_cpu_s"] for run in runs)
    combined = {
        key: round(statistics.median(run[key] for run in runs), 2)
        for key in ("rps", "p50_ms", "p95_ms", "p99_ms")
    }
    return combined | {
        "requests": requests,
        "seconds": round(sum(run["seconds"] for run in runs), 2),
        "max_ms": max(run["max_ms"] for run in runs),
        "unexpected": sum(run["unexpected"] for run in runs),
        "unexpected_status": next((r["unexpected_status"] for r in runs if r["unexpected_status"]), None),
        "socket_errors": sum(run["socket_errors"] for run in runs),
        "connections": runs[0]["connections"],
        "rounds": [run["rps"] for run in runs],
        "server_cpu_s": cpu,
        "server_cpu_ms": round(cpu * 1000 / requests, 3) if requests else None,
    }


def print_measured(entry: dict) -> None:
    if "mail" in entry:
        mail = entry["mail"]
        print(
            f"  {'':<30} mail: {mail['caused_by_the_load']} written for the load, "
            + (
                f"{mail['still_queued']} STILL QUEUED after {MAIL_DRAIN_TIMEOUT_S:g} s"
                if mail["still_queued"]
                else "all sent"
            )
            + f" {mail['sent_within_s_after_the_load']} s after it ended; mail worker CPU "
            f"{mail['worker_cpu_ms_per_mail']} ms per mail",
            flush=True,
        )
    rounds = (
        f", rounds {' / '.join(f'{rps:.0f}' for rps in entry['rounds'])} req/s" if "rounds" in entry else ""
    )
    print(
        f"  {entry['name']:<30} {entry['rps']:>9.1f} req/s  p50 {entry['p50_ms']:>7.2f} ms  "
        f"p95 {entry['p95_ms']:>7.2f} ms  server CPU {entry['server_cpu_ms'] or 0:.2f} ms/request  "
        f"({entry['requests']} requests, {entry['connections']} connections{rounds})",
        flush=True,
    )


def outbox_counts(url: str) -> tuple[int, int]:
    """Messages in the outbox, and how many mails are not sent yet (queued, or events still to write)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            total, queued = connection.execute(
                sa.text("SELECT count(*), count(*) FILTER (WHERE status = 'queued') FROM outbox_messages")
            ).one()
            unwritten = connection.execute(
                sa.text(
                    "SELECT (SELECT count(*) FROM booking_events WHERE mail_pending)"
                    " + (SELECT count(*) FROM link_requests)"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return total, queued + unwritten


def mail_drain(server: Server, total_before: int, worker_cpu_before: float) -> dict:
    """How long the mail worker took, once the load ended, to send what the load queued, and its CPU."""
    ended = time.monotonic()
    while True:
        total, queued = outbox_counts(server.database_url)
        if not queued or time.monotonic() - ended > MAIL_DRAIN_TIMEOUT_S:
            break
        time.sleep(0.2)
    mails = total - total_before
    cpu = server.mail_worker_cpu_seconds() - worker_cpu_before
    result = {
        "caused_by_the_load": mails,
        "still_queued": queued,
        "sent_within_s_after_the_load": round(time.monotonic() - ended, 1),
        "worker_cpu_ms_per_mail": round(cpu * 1000 / mails, 2) if mails else None,
    }
    return result


def target_text(route: Route) -> str:
    parts = []
    if route.min_ratio is not None:
        parts.append(f"ratio >= {route.min_ratio}")
    if route.max_p95_ms is not None:
        parts.append(f"p95 <= {route.max_p95_ms:g} ms")
    return ", ".join(parts)


def serve_and_measure(url, data, routes, load, args, workdir, smtp, mail=False) -> tuple[list[dict], dict]:
    env = {**BENCH_ENV, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), **dict(args.env)}
    # wrk keeps its connections open, and a gunicorn worker accepts all it can: left alone, one worker
    # may take all ten while the other idles (half the throughput, at random from one wrk run to the
    # next). Capped at their share (gunicorn.conf.py), they are spread evenly, as a proxy opening a
    # connection per request spreads its requests.
    most = max(route_connections(route, load, args.smoke) for route in routes)
    env.setdefault("GUNICORN_WORKER_CONNECTIONS", str(-(-most // args.workers)))
    with Server(url, workdir, env, workers=args.workers) as server:
        results = measure(routes, server, data, load, args.smoke, args.rounds)
        mail_delay = measure_mail(server, smtp, submission_form(), args.smoke) if mail else {}
        errors = server.log_text().count('"level": "ERROR"')
    for entry in results:
        entry["server_errors_logged"] = errors
    return results, mail_delay


def print_table(title: str, results: list[dict]) -> None:
    print(f"\n{title}")
    print(
        f"  {'route':<30} {'path':<26} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} "
        f"{'CPU ms':>7} {'CPU ratio':>9}  target"
    )
    for r in results:
        if "rps" not in r:
            print(f"  {r['name']:<30} {r['path']:<26} not measured: {r['not_measured']}")
            continue
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "-"
        verdict = {True: "met", False: "MISSED", None: ""}[r["met"]]
        wrong = f"  {r['unexpected']} wrong answers ({r['unexpected_status']})" if r["unexpected"] else ""
        cpu = f"{r['server_cpu_ms']:.2f}" if r.get("server_cpu_ms") else "-"
        cpu_ratio = f"{r['cpu_ratio']:.2f}" if r.get("cpu_ratio") is not None else "-"
        print(
            f"  {r['name']:<30} {r['path']:<26} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} "
            f"{ratio:>6} {cpu:>7} {cpu_ratio:>9}  {r['target']} {verdict}{wrong}"
        )


def database_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def dataset_for(url: str | None, workdir: Path, name: str, stays: int, pending: int, reset: bool):
    if url is None:  # the benchmark's own SQLite file, made afresh
        for leftover in workdir.glob(f"{name}*"):
            leftover.unlink()
        url = f"sqlite:///{workdir / name}"
    began = time.monotonic()
    data = build(url, stays=stays, pending=pending, reset=reset)
    print(
        f"dataset: {data.stays:,} stays ({data.approved:,} approved, {data.pending} pending) since "
        f"{data.first_arrival}, 8 rooms, {data.closures} closures, {database_label(url)}, built in "
        f"{time.monotonic() - began:.1f} s",
        flush=True,
    )
    return url, data


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk_path()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="mpab-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    load = Load(args.duration, args.connections, args.threads)
    report = {"meta": meta(args), "routes": [], "mail": {}, "scale": {}}
    print(f"MPAB benchmark, {report['meta']['started']}, load average {report['meta']['load_before']}")
    print(
        f"gunicorn {args.workers} workers; wrk {args.duration:g} s per route ({args.rounds} rounds for the pages), "
        f"{args.connections} connections"
    )
    url, data = dataset_for(args.database_url, workdir, "bench.db", args.stays, args.pending, args.reset)
    report["meta"]["dataset"] = asdict(data) | {"staff_password": "(generated)"}
    base_check = time_conflict_check(url, args.repeats)
    with SmtpSink() as smtp:
        print("\nroutes:")
        routes = [r for r in ROUTES if r.bare or not args.route or r.name in args.route]
        mail = not args.route or MAIL_DELAY in args.route
        report["routes"], report["mail"] = serve_and_measure(
            url, data, routes, load, args, workdir, smtp, mail
        )
        if args.scale_stays:
            scale_url, scale_data = dataset_for(
                args.database_url, workdir, "bench-scale.db", args.scale_stays, args.pending, args.reset
            )
            scale_check = time_conflict_check(scale_url, args.repeats)
            print(f"\nroutes with {args.scale_stays:,} stays:")
            chosen = [r for r in routes if r.name in SCALE_ROUTES]
            scaled, _ = serve_and_measure(scale_url, scale_data, chosen, load, args, workdir, smtp)
            report["scale"] = scale_report(
                data, base_check, scale_data, scale_check, report["routes"], scaled
            )
    report["meta"]["load_after"] = os.getloadavg()[0]
    print_report(report)
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nfigures written to {args.output}")
    broken = [r["name"] for r in report["routes"] if r.get("unexpected") or r.get("socket_errors")]
    if broken:
        print(f"wrong answers or socket errors under load: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


def scale_report(data, base_check, scale_data, scale_check, base_routes, scaled) -> dict:
    base = {r["name"]: r for r in base_routes}
    pages = []
    for entry in scaled:
        before = base.get(entry["name"], {})
        if "rps" in entry and "rps" in before:
            entry["ratio_to_small_history"] = round(entry["rps"] / before["rps"], 3)
        pages.append(entry)
    return {
        "stays": {"small": data.stays, "large": scale_data.stays},
        "conflict_check": {
            "target_ms": CONFLICT_CHECK_TARGET_MS,
            "small": base_check,
            "large": scale_check,
            "met": scale_check["p95_ms"] < CONFLICT_CHECK_TARGET_MS,
        },
        "routes": pages,
    }


def print_report(report: dict) -> None:
    meta = report["meta"]
    print_table(f"results ({meta['database']}, {meta['dataset']['stays']:,} stays)", report["routes"])
    if report["mail"]:
        print_mail(report["mail"])
    scale = report["scale"]
    if not scale:
        return
    check = scale["conflict_check"]
    print(f"\nscale: {scale['stays']['small']:,} stays, then {scale['stays']['large']:,}")
    for size in ("small", "large"):
        c = check[size]
        print(
            f"  conflict check ({c['rooms']} rooms, {c['nights']} nights, {c['conflicts_found']} conflicts), "
            f"{scale['stays'][size]:,} stays: p50 {c['p50_ms']:.2f} ms, p95 {c['p95_ms']:.2f} ms"
        )
    print(
        f"  target: under {check['target_ms']:g} ms with {scale['stays']['large']:,} stays: "
        f"{'met' if check['met'] else 'MISSED'}"
    )
    for r in scale["routes"]:
        if "rps" not in r:
            print(f"  {r['name']:<30} not measured: {r['not_measured']}")
        else:
            ratio = r.get("ratio_to_small_history")
            print(
                f"  {r['name']:<30} {r['rps']:>9.1f} req/s  p50 {r['p50_ms']:>7.2f} ms  p95 {r['p95_ms']:>7.2f} ms"
                + (f"  {ratio:.2f}× its throughput with {scale['stays']['small']:,} stays" if ratio else "")
            )


def meta(args) -> dict:
    # git from PATH, only to label the figures
    command = ["git", "rev-parse", "--short", "HEAD"]
    commit = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    return {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.stdout.strip() or None,
        "database": database_label(args.database_url or "sqlite"),
        "cpus": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 2),
        "gunicorn_workers": args.workers,
        "wrk": {
            "duration_s": args.duration,
            "rounds": args.rounds,
            "connections": args.connections,
            "threads": args.threads,
        },
        "smoke": args.smoke,
    }


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--reset", action="store_true", help="drop the PostgreSQL database's public schema")
    parser.add_argument("--stays", type=int, default=3000)
    parser.add_argument("--pending", type=int, default=100)
    parser.add_argument("--scale-stays", type=int, default=100_000, help="0 to skip the scale run")
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per route")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds the pages' load is split into (median kept)"
    )
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--repeats", type=int, default=300, help="timed conflict checks")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        type=lambda s: tuple(s.split("=", 1)),
        metavar="NAME=VALUE",
        help="an extra environment variable for the server",
    )
    parser.add_argument(
        "--route",
        action="append",
        default=[],
        choices=[route.name for route in ROUTES[1:]] + [MAIL_DELAY],
        metavar="NAME",
        help=f"measure only this route, or {MAIL_DELAY!r} (repeatable; the bare route is always measured)",
    )
    parser.add_argument("--workdir", help="where the SQLite files and server logs go (default: a temp dir)")
    parser.add_argument("--output", default="bench-results.json")
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny dataset and 1 s per route, to keep it working"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.stays, args.pending, args.scale_stays = 60, 5, 300
        args.duration, args.connections, args.threads, args.repeats, args.rounds = 1, 2, 1, 10, 1
    if args.database_url and not args.database_url.startswith("postgresql"):
        parser.error(
            "--database-url takes a postgresql+psycopg:// URL (SQLite files are made by the benchmark)"
        )
    return args


if __name__ == "__main__":
    sys.exit(main())

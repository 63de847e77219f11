"""The benchmark's figures, printed as they come and at the end, and written as a markdown table that
docs/performance.md points to (so that the docs never carry figures of their own)."""

from __future__ import annotations

from pathlib import Path

from bench.mail import print_mail

MAIL_DRAIN_TIMEOUT_S = 300.0
VERDICT = {True: "met", False: "MISSED", None: ""}


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
        f"p90 {entry['p90_ms']:>7.2f} ms  p95 {entry['p95_ms']:>7.2f} ms  "
        f"server CPU {entry['server_cpu_ms'] or 0:.2f} ms/request  "
        f"({entry['requests']} requests, {entry['connections']} connections{rounds})",
        flush=True,
    )


def print_table(title: str, results: list[dict]) -> None:
    print(f"\n{title}")
    print(
        f"  {'route':<30} {'path':<26} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p95 ms':>8} {'ratio':>6} "
        f"{'CPU ms':>7} {'CPU ratio':>9}  target"
    )
    for r in results:
        if "rps" not in r:
            print(f"  {r['name']:<30} {r['path']:<26} not measured: {r['not_measured']}")
            continue
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") is not None else "-"
        wrong = f"  {r['unexpected']} wrong answers ({r['unexpected_status']})" if r["unexpected"] else ""
        cpu = f"{r['server_cpu_ms']:.2f}" if r.get("server_cpu_ms") else "-"
        cpu_ratio = f"{r['cpu_ratio']:.2f}" if r.get("cpu_ratio") is not None else "-"
        print(
            f"  {r['name']:<30} {r['path']:<26} {r['rps']:>9.1f} {r['p50_ms']:>8.2f} {r['p90_ms']:>8.2f} "
            f"{r['p95_ms']:>8.2f} {ratio:>6} {cpu:>7} {cpu_ratio:>9}  {r['target']} {VERDICT[r['met']]}{wrong}"
        )


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
            continue
        ratio = r.get("ratio_to_small_history")
        print(
            f"  {r['name']:<30} {r['rps']:>9.1f} req/s  p50 {r['p50_ms']:>7.2f} ms  p90 {r['p90_ms']:>7.2f} ms  "
            f"p95 {r['p95_ms']:>7.2f} ms {VERDICT[r.get('met')]}"
            + (f"  {ratio:.2f}× its throughput with {scale['stays']['small']:,} stays" if ratio else "")
        )


def _row(cells: list) -> str:
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _figure(entry: dict, key: str, format: str = ".2f") -> str:
    value = entry.get(key)
    return "–" if value is None else f"{value:{format}}"


def markdown(report: dict) -> str:
    """The run's figures as markdown: what `make bench` last measured, with the conditions it ran in."""
    meta = report["meta"]
    data = meta["dataset"]
    wrk = meta["wrk"]
    lines = [
        f"# Benchmark: {meta['database']}",
        "",
        f"Written by `make bench` on {meta['started']} at commit `{meta['commit']}`: {meta['cpus']} CPUs, "
        f"load average {meta['load_before']} before the run and {meta.get('load_after', 0):.2f} after; "
        f"gunicorn {meta['gunicorn_workers']} workers; wrk {wrk['duration_s']:g} s per route "
        f"({wrk['rounds']} rounds for the pages, median kept), {wrk['connections']} connections. "
        f"Dataset: {data['stays']:,} stays ({data['approved']:,} approved, {data['pending']} pending).",
        "",
        "Ratio: the route's throughput over the bare route's (`/livez`) in the same run; CPU ratio: the same "
        "from the server's CPU time per request. Latencies in milliseconds.",
        "",
        _row(["route", "req/s", "p50", "p90", "p95", "ratio", "CPU ratio", "target", "verdict"]),
        _row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---", "---"]),
    ]
    for r in report["routes"]:
        if "rps" not in r:
            lines.append(
                _row([r["name"], "", "", "", "", "", "", r["target"], f"not measured: {r['not_measured']}"])
            )
            continue
        lines.append(
            _row(
                [
                    r["name"],
                    _figure(r, "rps", ".1f"),
                    _figure(r, "p50_ms"),
                    _figure(r, "p90_ms"),
                    _figure(r, "p95_ms"),
                    _figure(r, "ratio"),
                    _figure(r, "cpu_ratio"),
                    r["target"],
                    VERDICT[r["met"]] + (f", {r['unexpected']} wrong answers" if r["unexpected"] else ""),
                ]
            )
        )
    scale = report.get("scale")
    if scale:
        check = scale["conflict_check"]
        small, large = scale["stays"]["small"], scale["stays"]["large"]
        lines += [
            "",
            f"## With {large:,} stays",
            "",
            f"Conflict check p95: {check['small']['p95_ms']:.2f} ms with {small:,} stays, "
            f"{check['large']['p95_ms']:.2f} ms with {large:,} (target under {check['target_ms']:g} ms: "
            f"{VERDICT[check['met']]}).",
            "",
            _row(["route", "req/s", "p50", "p90", "p95", f"throughput vs {small:,} stays", "verdict"]),
            _row(["---", "---:", "---:", "---:", "---:", "---:", "---"]),
        ]
        for r in scale["routes"]:
            if "rps" not in r:
                lines.append(_row([r["name"], "", "", "", "", "", f"not measured: {r['not_measured']}"]))
                continue
            lines.append(
                _row(
                    [
                        r["name"],
                        _figure(r, "rps", ".1f"),
                        _figure(r, "p50_ms"),
                        _figure(r, "p90_ms"),
                        _figure(r, "p95_ms"),
                        _figure(r, "ratio_to_small_history"),
                        VERDICT[r.get("met")],
                    ]
                )
            )
    mail = report.get("mail") or {}
    quiet, burst = mail.get("quiet", {}), mail.get("burst", {})
    if "p50_s" in quiet:
        lines += [
            "",
            "## Mail",
            "",
            f"Quiet house, a change every {quiet['interval_s']:g} s: delay from the commit to the SMTP server "
            f"p50 {quiet['p50_s']:.2f} s, p95 {quiet['p95_s']:.2f} s (target p95 ≤ {quiet['target_p95_s']:g} s: "
            f"{VERDICT[quiet['met']]}).",
        ]
        if "all_accepted_after_first_change_s" in burst:
            lines.append(
                f"Burst of {burst['changes']} changes from {burst['clients']} clients: answered within "
                f"{burst['answered_within_s']:.2f} s, their {burst['mails']} mails all accepted "
                f"{burst['all_accepted_after_last_answer_s']:.2f} s after the last answer."
            )
    return "\n".join(lines) + "\n"


def write_markdown(report: dict, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{report['meta']['database'].lower()}.md"
    path.write_text(markdown(report))
    return path

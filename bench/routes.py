"""What `make bench` measures: its routes, the request it submits, the targets each must meet, and the
scale run's verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from guesthouse.database import today


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    expect: int = 200
    method: str = "GET"
    min_ratio: float | None = None  # target: throughput as a ratio to the bare route's
    max_p90_ms: float | None = None  # target: 90th percentile latency (the product owners' standard)
    max_p95_ms: float | None = None  # target: 95th percentile latency (the wording)
    staff: bool = False  # logged in as a staff member
    revalidate: bool = False  # sent again with the validators of a first answer: 304 expected
    submit_form: bool = False  # the request form, with its CSRF token and session cookie
    connections: int | None = None  # the concurrency a target is defined at, instead of --connections
    bare: bool = False  # the reference: no work at all


# What a person waits for a page at 10 clients, at most, with the 3,000 stays as with the 100,000.
PAGE_MS = 50.0
PAGE = {"max_p90_ms": PAGE_MS, "max_p95_ms": PAGE_MS}

# One entry per measured route; the first is the bare route every ratio refers to.
ROUTES = [
    Route("bare route", "/livez", bare=True),
    Route("health check", "/healthz"),
    Route("home", "/", min_ratio=0.35, **PAGE),
    Route("request form", "/requests/new", **PAGE),
    Route("availability calendar", "/availability", min_ratio=0.35, **PAGE),
    Route("occupancy feed", "/calendar/occupancy.ics", min_ratio=0.25, **PAGE),
    Route(
        "occupancy feed, not modified",
        "/calendar/occupancy.ics",
        expect=304,
        revalidate=True,
        min_ratio=0.7,
        **PAGE,
    ),
    Route("staff dashboard", "/staff/", staff=True, min_ratio=0.25, **PAGE),
    # Eight rooms by four weeks, with the pending requests, closures and notes of the period.
    Route("planning board", "/staff/planning", staff=True, connections=10, **PAGE),
    # The house's daily sheet: travellers, rooms, phones of everyone there this week.
    Route("daily sheet", "/staff/sheet", staff=True, **PAGE),
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
SCALE_ROUTES = [
    "bare route",
    "home",
    "request form",
    "availability calendar",
    "occupancy feed",
    "occupancy feed, not modified",
    "staff dashboard",
    "planning board",
    "daily sheet",
]
CONFLICT_CHECK_TARGET_MS = 10.0


def submission_form() -> dict:
    # Past the dataset's booked horizon (120 days): nights with free beds, as the form refuses full ones.
    arrival = today() + timedelta(days=200)
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


def verdict(route: Route, entry: dict) -> bool | None:
    """Whether the route met each of its targets (None: it has none)."""
    checks = []
    if route.min_ratio is not None and entry.get("ratio") is not None:
        checks.append(entry["ratio"] >= route.min_ratio)
    if route.max_p90_ms is not None:
        checks.append(entry["p90_ms"] <= route.max_p90_ms)
    if route.max_p95_ms is not None:
        checks.append(entry["p95_ms"] <= route.max_p95_ms)
    return all(checks) if checks else None


def target_text(route: Route) -> str:
    parts = []
    if route.min_ratio is not None:
        parts.append(f"ratio >= {route.min_ratio}")
    if route.max_p90_ms is not None:
        parts.append(f"p90 <= {route.max_p90_ms:g} ms")
    if route.max_p95_ms is not None:
        parts.append(f"p95 <= {route.max_p95_ms:g} ms")
    return ", ".join(parts)


def scale_report(data, base_check, scale_data, scale_check, base_routes, scaled) -> dict:
    base = {r["name"]: r for r in base_routes}
    routes = {route.name: route for route in ROUTES}
    pages = []
    for entry in scaled:
        before = base.get(entry["name"], {})
        if "rps" in entry and "rps" in before:
            entry["ratio_to_small_history"] = round(entry["rps"] / before["rps"], 3)
        if "rps" in entry:
            route = routes[entry["name"]]
            # Latency budgets only: the throughput ratios are the small history's targets.
            entry["met"] = verdict(
                Route(route.name, route.path, max_p90_ms=route.max_p90_ms, max_p95_ms=route.max_p95_ms), entry
            )
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

"""hypothesis drives every form with hostile values: never a 500, always a clear message, and a refused
submission writes nothing.

A new form is one more entry in CASES: its URL, who posts it, and a strategy per field.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guesthouse.database import today
from guesthouse.extensions import db, limiter
from guesthouse.rooms.models import Room
from guesthouse.staff.models import Role

from .conftest import STAFF_PASSWORD, csrf_from

ODD_TEXTS = [
    "",
    " ",
    "x" * 10_000,
    "\u202eلا تحزن\u202c مرحبا",  # RTL with a bidi override
    "👩🏽‍🔬🇲🇱🏳️‍🌈" * 20,
    "e\u0301\u0327\u0308" * 100,  # stacked combining marks
    "<script>alert(1)</script>",
    "Robert'); DROP TABLE stay_requests;--",
    "9" * 5000,
    "-1",
    "0",
    "1e309",
    "NaN",
    "2027-02-30",
    "0000-00-00",
    "9999-12-31",
    "\r\nBcc: x@example.org",
    "\x00",
    "%s%n{0}{{7*7}}",
]
text = st.one_of(
    st.sampled_from(ODD_TEXTS),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300),
)


def iso_in(days_from: int, days_to: int):
    return st.integers(days_from, days_to).map(lambda days: (today() + timedelta(days=days)).isoformat())


def dates():
    impossible = st.sampled_from(["2027-02-30", "2026-13-01", "0001-01-01", "99999-01-01", "31/12/2027"])
    return st.one_of(iso_in(-5, 90), impossible, text)


def numbers():
    return st.one_of(st.integers(-(10**30), 10**30).map(str), st.integers(-3, 8).map(str), text)


def valid(*values):
    return st.sampled_from(values)


@dataclass(frozen=True)
class F:
    """A field: values a person would send, and the hostile ones tried in their place."""

    valid: st.SearchStrategy
    hostile: st.SearchStrategy = text


@st.composite
def form_data(draw, fields: dict[str, F]):
    """Valid values everywhere but in up to three fields, so that the accepting path is walked too."""
    broken = draw(st.sets(st.sampled_from(sorted(fields)), max_size=min(3, len(fields))))
    return {name: draw(f.hostile if name in broken else f.valid) for name, f in fields.items()}


PEOPLE = valid("Awa Traoré", "محمد الأمين", "Zoé 👩🏽‍🔬", "Ngóc Ành", "O'Brien-Smith")
EMAILS = F(
    valid("claire@example.org", "a@b.fr", "Awa.Traore@Example.ORG"),
    st.one_of(valid("not an email", "x@" + "y" * 300 + ".fr", "a@b", "@example.org"), text),
)
STAFF_EMAILS = F(st.integers(0, 10**6).map(lambda n: f"agent{n}@angers.example"), EMAILS.hostile)


@dataclass
class Context:
    client: object
    make_stay: Callable
    colleague: Callable


@dataclass
class Case:
    name: str
    who: str | None  # None: anonymous; else the role of the logged-in staff member
    url: Callable[[Context], str]
    fields: dict[str, F]
    max_examples: int = 40
    # Whether the submission went through; by default a redirect without an error message queued.
    succeeded: Callable | None = None


def pending_stay_url(action: str):
    return lambda ctx: f"/staff/requests/{ctx.make_stay(contact_email='claire@example.org').id}/{action}"


_spread = iter(range(10**6))


def approved_stay(ctx, **overrides):
    """An approved stay in room 1, each on nights of its own (one room is never booked twice)."""
    start = today() + timedelta(days=40 + 4 * next(_spread) % 300)
    stay = ctx.make_stay(start=start, nights=3, **overrides)
    stay.approve(by=ctx.colleague(), rooms=[db.session.get(Room, 1)])
    db.session.commit()
    return stay


def party_of_two(ctx):
    """An approved stay of two travellers, one named: a known row and a row still to fill."""
    return approved_stay(ctx, guests=2, travellers="Awa Traoré")


def flight_times():
    """A landing or take-off time as the datetime-local input sends it, around the stays of approved_stay."""
    valid_times = st.integers(0, 400).map(
        lambda days: f"{(today() + timedelta(days=days)).isoformat()}T18:45"
    )
    impossible = valid("2027-02-30T10:00", "2027-03-14T25:00", "2027-03-14 10:00", "14/03/2027 10:00")
    return F(st.one_of(valid(""), valid_times), st.one_of(impossible, dates()))


PHONES = F(
    valid("", "+223 70 12 34 56", "0033 6 12 34 56 78", "+33 (0)6.12.34.56.78"),
    st.one_of(
        valid("70 12 34 56", "+0 12", "+223 70 12 34 56 78 90 12 34", "+２２３ ７０ １２ ３４ ５６"), text
    ),
)


def traveller_fields(row: int, name: F) -> dict[str, F]:
    fields = {
        "full_name": name,
        "phone": PHONES,
        "emergency_name": F(valid("", "Fatou Traoré")),
        "emergency_phone": PHONES,
        "ariane_registered": F(valid("yes", "no")),
        "arrival_flight": F(valid("", "AF 596", "ET 935")),
        "arrival_at": flight_times(),
        "departure_flight": F(valid("", "AF 597")),
        "departure_at": flight_times(),
        "pickup_wanted": F(valid("", "yes", "no")),
    }
    return {f"travellers-{row}-{key}": value for key, value in fields.items()}


TRAVELLERS = {
    **traveller_fields(0, F(valid("Awa Traoré", "Awa Traoré-Diallo"))),
    **traveller_fields(1, F(st.one_of(valid(""), PEOPLE))),
}

CASES = [
    Case(
        "request form",
        None,
        lambda ctx: "/requests/new",
        {
            "contact_name": F(PEOPLE),
            "contact_email": EMAILS,
            "contact_phone": F(valid("+223 70 00 00 00", "", "06 12 34 56 78")),
            "organisation": F(valid("CHU d'Angers", "Compagnie « Les Arts du Fleuve »", "ﻣﺴﺘﺸﻔﻰ")),
            "organisation_type": F(valid("association", "arts", "other_french_actor")),
            "angers_based": F(valid("yes", "no"), valid("", "oui", "1")),
            "cooperation_axis": F(valid("culture", "public_health", "other")),
            "arrival": F(iso_in(1, 10), dates()),
            "departure": F(iso_in(11, 35), dates()),
            "guests": F(valid("1", "2"), numbers()),
            "travellers": F(valid("Awa\nMoussa", "", "Zoé 👩🏽‍🔬")),
            "purpose": F(valid("Mission", "Résidence de création\navec le conservatoire")),
            "notes": F(valid("", "Arrivée tardive")),
            "accept_rules": F(valid("y")),
            "website": F(valid(""), valid("http://spam.example", "x")),
        },
        max_examples=60,
    ),
    Case(
        "login",
        None,
        lambda ctx: "/staff/login",
        {"email": F(valid("approver@angers.example"), EMAILS.hostile), "password": F(valid(STAFF_PASSWORD))},
        max_examples=20,  # each attempt costs an argon2 verification
    ),
    Case(
        "approve",
        "approver",
        pending_stay_url("approve"),
        {
            "rooms": F(
                valid(["1"], ["2"], ["1", "2"]), st.lists(valid("1", "999999999999", "x", ""), max_size=3)
            ),
            "message": F(valid("", "Bienvenue !")),
        },
    ),
    Case("reject", "approver", pending_stay_url("reject"), {"reason": F(valid("Complet à ces dates."))}),
    Case(
        "cancel",
        "approver",
        lambda ctx: f"/staff/requests/{approved_stay(ctx).id}/cancel",
        {"reason": F(valid("Mission reportée."))},
    ),
    Case(
        "new room",
        "admin",
        lambda ctx: "/staff/rooms",
        {
            "name": F(st.integers(0, 10**6).map(lambda n: f"Chambre {n}")),
            "beds": F(valid("1", "4", "50"), numbers()),
            "description": F(valid("", "Climatisée")),
            "active": F(valid("y", "")),
        },
    ),
    Case(
        "edit room",
        "admin",
        lambda ctx: "/staff/rooms/1",
        {
            "name": F(valid("Djoliba", "Djoliba 2")),
            "beds": F(valid("2", "3"), numbers()),
            "description": F(valid("", "Climatisée")),
            "active": F(valid("y", "")),
        },
    ),
    Case(
        "closure",
        "admin",
        lambda ctx: "/staff/closures",
        {
            "room_id": F(valid("", "1", "2"), st.one_of(valid("3", "-1", "1.5"), text)),
            "start_date": F(iso_in(0, 10), dates()),
            "end_date": F(iso_in(11, 40), dates()),
            "reason": F(valid("Travaux", "Peinture 🎨")),
        },
    ),
    Case(
        "password change",
        "approver",
        lambda ctx: "/staff/password",
        {
            "current_password": F(valid(STAFF_PASSWORD)),
            "new_password": F(valid("une nouvelle phrase de passe")),
            "confirm": F(valid("une nouvelle phrase de passe")),
        },
        max_examples=25,
    ),
    Case(
        "new staff account",
        "admin",
        lambda ctx: "/staff/accounts",
        {
            "name": F(PEOPLE),
            "email": STAFF_EMAILS,
            "role": F(valid("admin", "approver", "caretaker")),
            "password_mode": F(valid("generate", "set")),
            "password": F(valid("une phrase de passe solide")),
            "confirm": F(valid("une phrase de passe solide")),
        },
        max_examples=25,
        succeeded=lambda client, r: (
            r.status_code == 303
            or (r.status_code == 200 and "plus affiché" in unescape(r.get_data(as_text=True)))
        ),
    ),
    Case(
        "staff role",
        "admin",
        lambda ctx: f"/staff/accounts/{ctx.colleague().id}/role",
        {"role": F(valid("admin", "approver", "caretaker"))},
        max_examples=20,
    ),
    Case(
        "privacy lookup",
        "approver",
        lambda ctx: "/staff/privacy",
        {"email": EMAILS},
        succeeded=lambda client, r: r.status_code == 200,
    ),
    Case(
        "privacy export",
        "approver",
        lambda ctx: "/staff/privacy/export",
        {"email": EMAILS},
        succeeded=lambda client, r: r.status_code == 200 and r.mimetype == "application/json",
    ),
    Case(
        "lost link",
        None,
        lambda ctx: "/requests/lost",
        {"contact_email": EMAILS, "website": F(valid(""), valid("http://spam.example"))},
    ),
    Case(
        "withdraw",
        None,
        lambda ctx: f"/requests/{ctx.make_stay().access_token}/withdraw",
        {"reason": F(valid("", "Projet abandonné"))},
        max_examples=25,
    ),
    Case(
        "change request",
        None,
        lambda ctx: f"/requests/{approved_stay(ctx).access_token}/change",
        {
            "arrival": F(iso_in(5, 20), dates()),
            "departure": F(iso_in(21, 30), dates()),
            "guests": F(valid("1", "2"), numbers()),
            "travellers": F(valid("", "Awa\nMoussa")),
            "message": F(valid("", "Vol décalé")),
        },
        max_examples=30,
    ),
    Case(
        "correction",
        None,
        lambda ctx: f"/requests/{ctx.make_stay().access_token}/edit",
        {
            "arrival": F(iso_in(5, 20), dates()),
            "departure": F(iso_in(21, 30), dates()),
            "guests": F(valid("1", "2"), numbers()),
            "travellers": F(valid("", "Awa\nMoussa")),
            "purpose": F(valid("Mission corrigée", "Résidence\navec le conservatoire")),
        },
        max_examples=30,
    ),
    Case(
        "staff edit",
        "approver",
        lambda ctx: f"/staff/requests/{approved_stay(ctx).id}/edit",
        {
            "arrival": F(iso_in(400, 410), dates()),
            "departure": F(iso_in(411, 420), dates()),
            "guests_count": F(valid("1", "2"), numbers()),
            "travellers": F(valid("", "Awa")),
            "rooms": F(valid(["2"], ["1", "2"]), st.lists(valid("1", "999999999999", "x", ""), max_size=3)),
            "message": F(valid("", "Dates corrigées")),
        },
        max_examples=30,
    ),
    Case(
        "travellers (requester)",
        None,
        lambda ctx: f"/requests/{party_of_two(ctx).access_token}/travellers",
        TRAVELLERS,
        max_examples=30,
    ),
    Case(
        "travellers (caretaker)",
        "caretaker",
        lambda ctx: f"/staff/requests/{party_of_two(ctx).id}/travellers",
        TRAVELLERS,
        max_examples=30,
    ),
    Case(
        "house rules",
        "admin",
        lambda ctx: "/staff/house/",
        {
            "max_nights": F(valid("30", "10"), numbers()),
            "min_notice_days": F(valid("1", "3"), numbers()),
            "max_advance_days": F(valid("365", "90"), numbers()),
            "check_in_time": F(valid("14:00", "09:30")),
            "check_out_time": F(valid("11:00")),
            "rules_fr": F(valid("Règlement")),
            "rules_en": F(valid("Rules")),
            "practical_fr": F(valid("Infos")),
            "practical_en": F(valid("Info")),
        },
        max_examples=30,
    ),
    Case(
        "privacy erase",
        "approver",
        lambda ctx: "/staff/privacy/erase",
        {"email": EMAILS, "confirm": F(valid("y"), valid("", "n"))},
    ),
]

TABLES = (
    "stay_requests",
    "booking_events",
    "room_assignments",
    "rooms",
    "closures",
    "staff_users",
    "travellers",
)


def row_counts() -> dict[str, int]:
    db.session.expire_all()
    return {table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in TABLES}


def redirected_without_error(client, response) -> bool:
    if response.status_code not in (302, 303):
        return False
    with client.session_transaction() as session:  # read the flashes without consuming them
        return all(category != "error" for category, _message in session.get("_flashes", []))


def says_what_went_wrong(client, response) -> bool:
    if response.status_code in (302, 303):  # a refusal by redirect: the message is on the next page
        response = client.get(response.headers["Location"])
    html = unescape(response.get_data(as_text=True))
    return any(
        marker in html
        for marker in ('class="error"', "flash flash-error", "Requête invalide", "Trop de tentatives")
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_forms_hold_against_hostile_values(
    case, client, auth, make_stay, make_room, make_staff, french_typography
):
    make_room(name="Djoliba", beds=2)
    make_room(name="Niger", beds=3)
    colleague = []

    def get_colleague():
        if not colleague:
            colleague.append(make_staff(email="collegue@angers.example"))
        return colleague[0]

    french_typography.ignore()  # drawn text, not French
    ctx = Context(client, make_stay, get_colleague)
    if case.who:
        auth.login(make_staff(role=Role(case.who), email=f"{case.who}@angers.example"))
    else:
        make_staff(email="approver@angers.example")  # an account the login form can reach
    succeeded = case.succeeded or redirected_without_error

    @settings(
        max_examples=case.max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=form_data(case.fields))
    def run(data):
        limiter.reset()  # the examples are one robot's flood; the limits have their own tests
        url = case.url(ctx)
        token = csrf_from(client.get("/requests/new").get_data(as_text=True))
        before = row_counts()
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code < 500, (case.name, data)
        ok = succeeded(client, response)
        if not ok:
            assert 400 <= response.status_code < 500 or response.status_code in (302, 303), (case.name, data)
            assert says_what_went_wrong(client, response), (case.name, response.status_code, data)
            after = row_counts()
            if url.endswith(("/approve", "/reject", "/cancel", "/withdraw", "/change", "/edit")):
                before["stay_requests"] = after["stay_requests"]  # the example's own stay, made by url()
                before["booking_events"] = after["booking_events"]
            if case.name in ("staff role", "change request", "staff edit"):
                before["staff_users"] = after["staff_users"]  # the colleague made by url()
            if case.name in ("change request", "staff edit"):
                before["room_assignments"] = after["room_assignments"]
            assert after == before, (case.name, data)
        if case.who is None and response.status_code == 303 and case.name == "login":
            client.post(
                "/staff/logout", data={"csrf_token": csrf_from(client.get("/staff/").get_data(as_text=True))}
            )

    run()

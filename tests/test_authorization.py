"""Who gets what: every route of the URL map, as anonymous, caretaker, approver and admin.

The routes come from `app.url_map`, so a route added by any feature is walked too. Each endpoint needs an
expectation: listed in EXPECTATIONS, or given by its URL prefix (DEFAULT_BY_PREFIX). An endpoint with
neither fails the test, as does a URL argument without a sample value: a new route is never waved through.
"""

from dataclasses import dataclass
from html import unescape

import pytest

from guesthouse.closing.models import WaitlistEntry
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import STAFF_PASSWORD, RequestClient, csrf_from

PUBLIC = "public"  # anyone: 200 on GET, never refused
TOKEN = "token"  # a private link: 404 for any wrong token, whoever asks; the right one shows its own data
STAFF = "staff"  # anonymous users are sent to the login page; approvers and admins get in, caretakers get 403
HOUSE = "house"  # as STAFF, and caretakers get in too (the sheet, the stays' pages, arrivals and departures)
ADMIN = "admin"  # as STAFF, but approvers and caretakers get 403
SWITCH = "switch"  # anyone: a 303 back to a page of this site (the language switch)
DEV_ONLY = "dev"  # development pages: login first, then 404 outside MAIL_BACKEND=console (as in the tests)
LOGIN_STEP = "login step"  # the code after the password: without a password just given, the login page

EXPECTATIONS = {
    "static": PUBLIC,
    "main.home": PUBLIC,
    "main.healthz": PUBLIC,
    "main.livez": PUBLIC,
    "bookings.new": PUBLIC,
    "bookings.show": TOKEN,
    "bookings.withdraw": TOKEN,
    "bookings.cancel": TOKEN,
    "bookings.lost_link": PUBLIC,
    "bookings.ask_change": TOKEN,
    "bookings.withdraw_change": TOKEN,
    "bookings.correct": TOKEN,
    "bookings.again": TOKEN,
    "main.accessibility": PUBLIC,
    "main.legal_notice": PUBLIC,
    "main.availability_calendar": PUBLIC,
    "calendar.occupancy": PUBLIC,
    "calendar.room": PUBLIC,
    "calendar.staff": TOKEN,
    "calendar.stay": TOKEN,
    "calendar.help": STAFF,
    "main.set_language": SWITCH,
    "privacy.notice": PUBLIC,
    "staff.login": PUBLIC,
    "staff.login_code": LOGIN_STEP,
    "staff.planning": HOUSE,
    "staff.new_request": STAFF,
    "staff.add_note": HOUSE,
    "staff.logout": HOUSE,
    "staff.profile": HOUSE,
    "staff.request_detail": HOUSE,
    "accounts.password": HOUSE,
    "sheet.sheet": HOUSE,
    "sheet.sheet_csv": HOUSE,
    "sheet.evacuation": HOUSE,
    "sheet.evacuation_csv": HOUSE,
    "sheet.check_in": HOUSE,
    "sheet.check_out": HOUSE,
    "sheet.no_show": HOUSE,
    "travellers.staff_edit": HOUSE,
    "staff.two_factor": HOUSE,
    "staff.enable_two_factor": HOUSE,
    "staff.new_recovery_codes": HOUSE,
    "staff.sessions": HOUSE,
    "staff.end_session": HOUSE,
    "staff.end_other_sessions": HOUSE,
    "travellers.requester_edit": TOKEN,
    "rooms.rooms": ADMIN,
    "rooms.edit_room": ADMIN,
    "rooms.closures": ADMIN,
    "rooms.delete_closure": ADMIN,
    "mail.failed": ADMIN,
    "mail.resend": ADMIN,
    "mail.resend_all": ADMIN,
    "mail.kept": DEV_ONLY,
    "mail.kept_mail": DEV_ONLY,
    "mail.kept_html": DEV_ONLY,
    "mail.kept_raw": DEV_ONLY,
    "house.edit": ADMIN,
    "accounts.accounts": ADMIN,
    "accounts.account": ADMIN,
    "accounts.change_role": ADMIN,
    "accounts.deactivate": ADMIN,
    "accounts.reactivate": ADMIN,
    "accounts.reset_password": ADMIN,
    "closing.notice": ADMIN,
    "closing.remove_notice": ADMIN,
    "closing.suspension": ADMIN,
    "closing.reopen_house": ADMIN,
    "closing.notify": ADMIN,
    "closing.send_notice": ADMIN,
    "closing.waitlist": STAFF,
    "closing.join_dates": PUBLIC,
    "closing.join_reopening": PUBLIC,
    "closing.waitlist_entry": TOKEN,
    "closing.leave_waitlist": TOKEN,
    "accounts.reset_two_factor": ADMIN,
    "access_log.index": ADMIN,
    "access_log.export": ADMIN,
}
DEFAULT_BY_PREFIX = (("/staff/", STAFF),)

# A value for each URL argument, taken from the objects `world` creates.
SAMPLES = {
    "stay_id": lambda w: w.stay.id,
    "room_id": lambda w: w.room.id,
    "closure_id": lambda w: w.closure.id,
    "account_id": lambda w: w.colleague.id,
    "filename": lambda w: "app.css",
    "token": lambda w: "x" * 43,
    "code": lambda w: "en",
    "name": lambda w: "20260101-000000-x.eml",
    "message_id": lambda w: 1,
    "change_id": lambda w: 1,  # wrong on purpose; the right ones are in RIGHT_TOKENS
    "session_id": lambda w: 999_999,  # nobody's: ending one's own current session would end the walk
}
# Where one argument name means different things on different routes.
SAMPLES_BY_ENDPOINT = {
    "stats.export": {"name": lambda w: "summary"},
    "staff.edit_stay": {"stay_id": lambda w: w.approved.id},  # only approved stays are edited
    # Caretakers see the stays, not the requests still pending: the walk opens a stay.
    "staff.request_detail": {"stay_id": lambda w: w.approved.id},
    "staff.add_note": {"stay_id": lambda w: w.approved.id},  # caretakers see approved stays only
    "travellers.staff_edit": {"stay_id": lambda w: w.approved.id},
    "sheet.check_in": {"stay_id": lambda w: w.approved.id},
    "sheet.check_out": {"stay_id": lambda w: w.approved.id},
    "sheet.no_show": {"stay_id": lambda w: w.approved.id},
}
# For each TOKEN endpoint: the object whose page the right token opens, its token, and what identifies it.
RIGHT_TOKENS = {
    "bookings.show": lambda w: [
        (w.stay.access_token, w.stay.reference),
        (w.other_stay.access_token, w.other_stay.reference),
    ],
    "calendar.stay": lambda w: [
        (w.approved.access_token, w.approved.reference),
        (w.other_approved.access_token, w.other_approved.reference),
    ],
    # One feed for all staff: each member's token opens it (no identity of its own to compare).
    "calendar.staff": lambda w: [(w.calendar_token, None)],
    # The travellers' page opens once the stay is approved.
    "travellers.requester_edit": lambda w: [
        (w.approved.access_token, w.approved.reference),
        (w.other_approved.access_token, w.other_approved.reference),
    ],
    # Corrections are for pending requests only.
    "bookings.correct": lambda w: [
        (w.stay.access_token, w.stay.reference),
        (w.other_stay.access_token, w.other_stay.reference),
    ],
    # The new request's form shows no reference: the contact it copies tells whose request it came from.
    "bookings.again": lambda w: [
        (w.stay.access_token, w.stay.contact_name),
        (w.other_stay.access_token, w.other_stay.contact_name),
    ],
    # The change page exists for approved stays only.
    "bookings.ask_change": lambda w: [
        (w.approved.access_token, w.approved.reference),
        (w.other_approved.access_token, w.other_approved.reference),
    ],
    "closing.waitlist_entry": lambda w: [(entry.token, entry.email) for entry in w.waiting],
}


@dataclass
class World:
    stay: object
    other_stay: object
    room: object
    closure: object
    colleague: object
    approved: object
    other_approved: object
    calendar_token: str
    waiting: list


def login(app, user) -> RequestClient:
    app.test_client_class = RequestClient
    client = app.test_client()
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login", data={"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    return client


def expectation(rule) -> str | None:
    if rule.endpoint in EXPECTATIONS:
        return EXPECTATIONS[rule.endpoint]
    for prefix, kind in DEFAULT_BY_PREFIX:
        if rule.rule.startswith(prefix):
            return kind
    return None


def url_for_rule(rule, world: World) -> str:
    samples = {**SAMPLES, **SAMPLES_BY_ENDPOINT.get(rule.endpoint, {})}
    missing = [arg for arg in rule.arguments if arg not in samples]
    assert not missing, f"{rule.endpoint}: add a sample value for {missing} to SAMPLES"
    return rule.build({arg: samples[arg](world) for arg in rule.arguments}, append_unknown=False)[1]


def request(client, method: str, url: str):
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_from(client.get("/requests/new").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token})
    response.get_data()
    response.close()
    return response


def sent_to_login(response) -> bool:
    return response.status_code == 302 and "/staff/login" in response.headers.get("Location", "")


def let_in(response) -> bool:
    return (
        response.status_code < 500 and response.status_code not in (401, 403) and not sent_to_login(response)
    )


def as_expected(kind: str, who: str, method: str, response) -> bool:
    if kind == TOKEN:
        return response.status_code == 404  # the sample token is a wrong one
    if kind == DEV_ONLY:
        if who == "caretaker":
            return response.status_code == 403  # the office's tools, even in development
        return sent_to_login(response) if who == "anonymous" else response.status_code == 404
    if kind == LOGIN_STEP:
        return sent_to_login(response)
    if kind == SWITCH:
        return response.status_code == 303 and response.headers["Location"].startswith("/")
    if kind == PUBLIC:
        return let_in(response) and (method != "GET" or who != "anonymous" or response.status_code == 200)
    if who == "anonymous":
        return sent_to_login(response)
    if kind == ADMIN and who in ("approver", "caretaker"):
        return response.status_code == 403
    if kind == STAFF and who == "caretaker":
        return response.status_code == 403
    return let_in(response) and (method != "GET" or response.status_code == 200)


def walk_order(rule):
    # Reads first, then writes; logging out last, since it ends the session the walk relies on.
    return (rule.endpoint == "staff.logout", "POST" in rule.methods, rule.rule)


def test_every_endpoint_has_an_expectation(app):
    missing = sorted({rule.endpoint for rule in app.url_map.iter_rules() if expectation(rule) is None})
    assert missing == [], f"add these endpoints to EXPECTATIONS in {__name__}: {missing}"
    stale = sorted(set(EXPECTATIONS) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == [], f"no such endpoints any more: {stale}"
    # Pages behind a private link are opened with their right token; actions (POST) are walked above.
    tokens = sorted(
        {
            r.endpoint
            for r in app.url_map.iter_rules()
            if EXPECTATIONS.get(r.endpoint) == TOKEN and "GET" in r.methods
        }
    )
    assert sorted(RIGHT_TOKENS) == tokens, "each TOKEN page needs its right tokens in RIGHT_TOKENS"


@pytest.fixture
def world(make_room, make_stay, make_closure, make_staff) -> World:
    room = make_room(name="Djoliba")
    colleague = make_staff(email="collegue@angers.example", name="Collègue")
    approved = [make_stay(contact_name=f"Voyageur {n}", nights=2) for n in (1, 2)]
    for stay, other_room in zip(approved, (make_room(name="Niger"), make_room(name="Maine")), strict=True):
        stay.approve(by=colleague, rooms=[other_room])
    calendar_token = colleague.new_calendar_token()
    waiting = [
        WaitlistEntry(kind="reopening", email="attente-une@example.org"),
        WaitlistEntry(kind="reopening", email="attente-deux@example.org"),
    ]
    db.session.add_all(waiting)
    db.session.commit()
    return World(
        stay=make_stay(contact_name="Première Personne"),
        other_stay=make_stay(contact_name="Seconde Personne", organisation="Autre organisation"),
        room=room,
        closure=make_closure(),
        colleague=colleague,
        approved=approved[0],
        other_approved=approved[1],
        calendar_token=calendar_token,
        waiting=waiting,
    )


def test_walk_every_route_as_anonymous_caretaker_approver_and_admin(app, client, world, make_staff):
    clients = {
        "anonymous": client,
        "caretaker": login(app, make_staff(email="intendance@angers.example", role=Role.CARETAKER)),
        "approver": login(app, make_staff(email="valideur@angers.example", role=Role.APPROVER)),
        "admin": login(app, make_staff(email="admin@angers.example", role=Role.ADMIN)),
    }
    failures = []
    walked = 0
    for rule in sorted(app.url_map.iter_rules(), key=walk_order):
        kind = expectation(rule)
        url = url_for_rule(rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who, who_client in clients.items():
                response = request(who_client, method, url)
                walked += 1
                if not {"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} <= set(
                    response.headers.keys()
                ):
                    failures.append(f"{method} {url} as {who}: security headers missing")
                if not as_expected(kind, who, method, response):
                    failures.append(
                        f"{method} {url} ({rule.endpoint}, {kind}) as {who}: {response.status_code}"
                    )
    assert failures == []
    assert walked >= 4 * 20


def test_a_private_link_opens_its_own_request_and_nothing_else(app, client, world):
    for endpoint, tokens in RIGHT_TOKENS.items():
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        pairs = tokens(world)
        for token, identity in pairs:
            url = rule.build({"token": token}, append_unknown=False)[1]
            response = client.get(url)
            html = unescape(response.get_data(as_text=True))
            assert response.status_code == 200, endpoint
            if identity is not None:
                assert identity in html
                assert all(other not in html for _, other in pairs if other != identity)
            for wrong in (token[:-1], token + "x", token.upper(), token[:20], " " + token, "%2e%2e"):
                assert client.get(rule.build({"token": wrong}, append_unknown=False)[1]).status_code == 404

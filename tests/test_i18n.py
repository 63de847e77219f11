"""French and English: a complete catalogue, English pages with no French left, and the choice of language.

The checks read the catalogue rather than a list of strings: a string added anywhere is covered as soon as
`make i18n` has extracted it, and flagged until it is translated.
"""

import functools
import re
from datetime import timedelta
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import guesthouse
from guesthouse.bookings.changes import ChangeRequest
from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage, OutboxStatus
from guesthouse.mail.outbox import write_pending
from guesthouse.staff.models import Role

from .conftest import Auth, csrf_from, deliver_mail, valid_request_form

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(guesthouse.__file__).resolve().parent / "translations"
ENGLISH = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
WORD = re.compile(r"[^\W\d_]+")
SWITCH_TO_FRENCH = re.compile(r'<a href="([^"]+)" lang="fr" hreflang="fr">')


def read_catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def key(message) -> str | tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, list | tuple) else message.id


def translations(message) -> tuple[str, ...]:
    return tuple(message.string) if isinstance(message.string, list | tuple) else (message.string,)


@functools.cache
def french_fragments() -> tuple[str, ...]:
    """What an English page must not show: the French of every message whose English differs.

    Each msgid (and plural) is cut at its placeholders; pieces of two words or more that the English
    does not contain are kept. One-word labels are left out ("Total", "Description" read the same, and a
    single word could belong to a name or to data).
    """
    fragments = set()
    for message in read_catalogue(ENGLISH):
        if not message.id:
            continue
        english = " ".join(translations(message))
        ids = key(message) if isinstance(key(message), tuple) else (message.id,)
        for msgid in ids:
            for piece in PLACEHOLDER.split(msgid):
                piece = piece.strip(" \u00a0\u202f.,:;!?()«»“”—…\n")
                if len(WORD.findall(piece)) >= 2 and piece not in english:
                    fragments.add(piece)
    return tuple(sorted(fragments))


# French on purpose on an English page: a proper name or a text staff wrote in French, marked for screen
# readers (the `french` filter, the rules' own language).
MARKED_FRENCH = re.compile(r'<(?!html\b)(\w+)[^>]*\slang="fr"[^>]*>.*?</\1>', re.DOTALL)


def french_left(text: str) -> list[str]:
    text = unescape(MARKED_FRENCH.sub("", text))
    return [fragment for fragment in french_fragments() if fragment in text]


# -- (a) the catalogue --------------------------------------------------------------------------------
def extracted_ids() -> set:
    """The msgids of the code and templates, extracted as `make i18n` does."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config, str(ROOT / "babel.cfg"))
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(tuple(message) if isinstance(message, list | tuple) else message)
    return found


def test_the_catalogue_holds_every_string_of_the_code():
    catalogued = {key(m) for m in read_catalogue(ENGLISH) if m.id}
    template = {key(m) for m in read_catalogue(TRANSLATIONS / "messages.pot") if m.id}
    missing = sorted(map(str, extracted_ids() - catalogued))
    assert not missing, f"`make i18n`, then translate in {ENGLISH.relative_to(ROOT)}: {missing}"
    assert template == catalogued, "messages.pot and the English catalogue differ: run `make i18n`"


def test_every_message_has_an_english_translation():
    catalogue = read_catalogue(ENGLISH)
    assert not catalogue.fuzzy, "the catalogue's header is marked fuzzy: pybabel would not compile it"
    messages = [m for m in catalogue if m.id]
    assert len(messages) > 200
    empty = [key(m) for m in messages if not all(translations(m))]
    fuzzy = [key(m) for m in messages if m.fuzzy]
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy (check the guess, then remove the flag): {fuzzy}"
    # Placeholders and plural forms must match the French, or gettext fails at run time.
    problems = [(key(m), [str(error) for error in errors]) for m, errors in catalogue.check()]
    assert not problems, problems
    assert all(len(translations(m)) == 2 for m in messages if m.pluralizable)
    mo = ENGLISH.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= ENGLISH.stat().st_mtime, "run `make translations`"


def test_the_french_detector_finds_french():
    # The page checks below prove nothing if the fragments are empty or miss common strings.
    assert len(french_fragments()) > 200
    assert french_left("<p>Aucune demande en attente.</p>") == ["Aucune demande en attente"]
    assert french_left("<p>No pending requests.</p>") == []


# -- (b) English pages ----------------------------------------------------------------------------
@pytest.fixture
def house(app, make_room, make_stay, make_staff, make_closure):
    """Requests in every state, rooms, a closure, a change request and failed mails."""
    app.config["MAIL_BACKEND"] = "console"  # mails kept on disk: the development mail pages exist
    djoliba = make_room(name="Djoliba", beds=2, description="Double room on the courtyard")
    niger = make_room(name="Niger", beds=2)
    make_room(name="Sahel", beds=1, active=False)
    approver = make_staff(email="approver@angers.example")
    start = today() + timedelta(days=20)

    def stay(**overrides):
        overrides.setdefault("start", start)
        return make_stay(locale="en", contact_email="awa@example.org", purpose="Training nurses", **overrides)

    approved = stay(guests=2, travellers="Awa Traoré\nMoussa Keita")
    approved.approve(by=approver, rooms=[djoliba], message="Welcome to Bamako")
    pending = stay(guests=3, notes="Arriving late")
    neighbour = stay(start=start + timedelta(days=1))  # another pending request on the same nights
    refused = stay()
    refused.reject(by=approver, reason="The house is full")
    cancelled = stay(start=start + timedelta(days=40))
    cancelled.approve(by=approver, rooms=[niger])
    cancelled.cancel(by=approver, reason="Works in the house")
    withdrawn = stay()
    withdrawn.withdraw(reason="Trip postponed")
    db.session.commit()
    db.session.add(
        ChangeRequest.open(
            approved,
            arrival=approved.arrival,
            departure=approved.departure + timedelta(days=2),
            guests=2,
            travellers=approved.travellers,
            message="Longer mission",
            pending=None,
        )
    )
    make_closure(room_id=niger.id, start_date=start, end_date=start + timedelta(days=2), reason="Painting")
    # The service's own notices are French whatever the page's language: only English ones are failed.
    # Written by the mail worker's first half, never sent: the loop below decides how each one went.
    while write_pending():
        pass
    for row in db.session.scalars(sa.select(OutboxMessage)):
        row.status = OutboxStatus.FAILED if row.locale == "en" else OutboxStatus.SENT
        row.attempts, row.last_error = 5, "SMTPRecipientsRefused"
    db.session.commit()
    return SimpleNamespace(
        start=start,
        djoliba=djoliba,
        niger=niger,
        approver=approver,
        neighbour=neighbour,
        stays={
            "pending": pending,
            "approved": approved,
            "refused": refused,
            "cancelled": cancelled,
            "withdrawn": withdrawn,
        },
    )


class EnglishPages:
    """Checks a page in English, then that its switch brings the same page back in French."""

    def __init__(self, client):
        self.client = client
        self.checked: list[str] = []
        assert client.get("/lang/en").status_code == 303

    def get(self, url: str, status: int = 200, label: str | None = None):
        return self.check(label or url, self.client.get(url), status, same_page=url)

    def check(self, label: str, response, status: int = 200, same_page: str | None = None):
        html = response.get_data(as_text=True)
        assert response.status_code == status, f"{label}: {response.status_code}"
        assert '<html lang="en">' in html, label
        left = french_left(html)
        assert not left, f"{label}: French left untranslated: {left}"
        switch = SWITCH_TO_FRENCH.search(html)
        assert switch, f"{label}: no switch to French"
        switched = self.client.get(unescape(switch.group(1)))
        assert switched.status_code == 303, label
        target = switched.headers["Location"]
        if same_page is not None:
            assert target.rstrip("?") == same_page, label
        french = self.client.get(target)
        assert french.status_code in (status, 200), f"{label} in French: {french.status_code}"
        french_html = french.get_data(as_text=True)
        assert '<html lang="fr">' in french_html and french_left(french_html), f"{label} in French"
        assert self.client.get("/lang/en").status_code == 303
        self.checked.append(label)
        return response


def test_english_pages_show_no_french(client, auth, form_post, house, app):
    pages = EnglishPages(client)
    stays = house.stays
    token = {state: stay.access_token for state, stay in stays.items()}

    # The public side and the requester's pages.
    pages.get("/")
    pages.get("/availability")
    pages.get(f"/availability?arrival={house.start + timedelta(days=1)}")
    pages.get("/availability?month=1999-01")  # flashes that the month cannot be shown
    pages.get("/requests/new")
    pages.get("/requests/lost")
    for state in stays:
        pages.get(f"/requests/{token[state]}", label=f"requester page, {state}")
    pages.get(f"/requests/{token['approved']}/change")
    pages.get("/staff/login")
    pages.get("/no-such-page", 404)
    pages.check("GET on an action", client.get(f"/requests/{token['pending']}/withdraw"), 405)

    past = (today() - timedelta(days=3)).isoformat()
    bad_form = valid_request_form(
        contact_name="", contact_email="not an address", arrival=past, departure=past, guests="x"
    )
    pages.check("request form with errors", form_post("/requests/new", bad_form), 400)
    too_many = valid_request_form(guests="1", travellers="A\nB\nC", accept_rules="")
    pages.check("request form, too many names", form_post("/requests/new", too_many), 400)
    pages.check("missing CSRF token", client.post("/requests/new", data={}), 400)
    approved_page = f"/requests/{token['approved']}"
    pages.check(
        "stale withdrawal",
        form_post(f"{approved_page}/withdraw", {"reason": ""}, page=approved_page),
        409,
    )
    pages.check(
        "cancellation without a reason",
        form_post(f"{approved_page}/cancel", {"reason": " "}, page=approved_page),
        400,
    )
    approved = stays["approved"]
    unchanged = {
        "arrival": approved.arrival.isoformat(),
        "departure": approved.departure.isoformat(),
        "guests": "2",
        "travellers": approved.travellers,
    }
    pages.check("change without a change", form_post(f"{approved_page}/change", unchanged), 400)
    pages.check(
        "lost link sent",
        form_post("/requests/lost", {"contact_email": "awa@example.org"}, follow_redirects=True),
    )
    pages.check("lost link, bad address", form_post("/requests/lost", {"contact_email": "nope"}), 400)
    pages.check("login refused", form_post("/staff/login", {"email": "x@example.org", "password": "no"}), 401)

    # The staff side, as an admin.
    auth.login_admin()
    for url in (
        "/staff/",
        "/staff/requests",
        "/staff/requests?q=nothing-matches-this",
        f"/staff/requests?status=pending&organisation_type=association&start={house.start}",
        *(f"/staff/requests/{stay.id}" for stay in stays.values()),
        f"/staff/requests/{approved.id}/edit",
        "/staff/rooms",
        f"/staff/rooms/{house.djoliba.id}",
        "/staff/closures",
        "/staff/house/",
        "/staff/stats",
        f"/staff/stats?period=month&month={house.start:%Y-%m}",
        f"/staff/stats?period=custom&start={today()}&end={house.start + timedelta(days=60)}",
        "/staff/mail/",
        "/staff/mail/dev",
        "/staff/planning",
        f"/staff/planning?start={house.start}&weeks=2",
        "/staff/requests/new",
    ):
        pages.get(url)
    pages.get("/staff/stats?period=month&month=2027-13", 400)
    pages.get("/staff/planning?weeks=13", 400)
    pages.check("staff-entered stay with errors", form_post("/staff/requests/new", {"guests": "x"}), 400)
    deliver_mail()
    kept = sorted((Path(app.config["MAIL_CONSOLE_DIR"])).glob("*.eml"))
    assert kept, "the lost-link mail should have been kept"
    pages.get(f"/staff/mail/dev/{kept[-1].name}")  # the English lost-link mail

    pending = stays["pending"]
    detail = f"/staff/requests/{pending.id}"
    djoliba = {"rooms": [house.djoliba.id], "message": ""}
    pages.check("too few beds", form_post(f"{detail}/approve", djoliba, page=detail), 400)
    neighbour = f"/staff/requests/{house.neighbour.id}"
    pages.check("room taken", form_post(f"{neighbour}/approve", djoliba, page=neighbour), 409)
    pages.check("refusal without a reason", form_post(f"{detail}/reject", {"reason": ""}, page=detail), 400)
    edit = f"/staff/requests/{approved.id}/edit"
    move = {**unchanged, "guests_count": "2", "rooms": [house.niger.id], "message": ""}
    pages.check("edit conflict", form_post(edit, move), 409)
    change = db.session.scalar(sa.select(ChangeRequest))
    approved_detail = f"/staff/requests/{approved.id}"
    pages.check(
        "change refused without a message",
        form_post(f"/staff/changes/{change.id}/refuse", {"message": ""}, page=approved_detail),
        400,
    )
    pages.check(
        "link replaced",
        form_post(f"{detail}/revoke-link", {}, page=detail, follow_redirects=True),
    )
    bad_rules = {"max_nights": "0", "check_in_time": "25:00"}
    pages.check("bad house rules", form_post("/staff/house/", bad_rules), 400)
    pages.check("room name taken", form_post("/staff/rooms", {"name": "djoliba", "beds": "2"}), 400)
    closure = {
        "room_id": str(house.djoliba.id),
        "start_date": approved.arrival.isoformat(),
        "end_date": (approved.arrival + timedelta(days=1)).isoformat(),
        "reason": "Roof repairs",
    }
    asked = form_post("/staff/closures", closure)
    pages.check("closure over a stay, asked to confirm", asked, 409)
    confirmation = re.search(r'name="confirm" value="([^"]+)"', asked.get_data(as_text=True)).group(1)
    pages.check(
        "closure over a stay, confirmed",
        form_post("/staff/closures", {**closure, "confirm": confirmation}, follow_redirects=True),
    )
    pages.check("logged out", form_post("/staff/logout", {}, page="/staff/", follow_redirects=True))

    auth.login(house.approver)
    pages.get("/staff/house/", 403)
    assert len(pages.checked) > 50


# -- (c) choosing the language ---------------------------------------------------------------------
def language_of(response) -> str:
    return re.search(r'<html lang="(\w+)">', response.get_data(as_text=True)).group(1)


def test_first_visit_follows_the_browser_then_the_choice_is_remembered(client, auth):
    assert language_of(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})) == "en"
    assert language_of(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})) == "fr"
    assert language_of(client.get("/", headers={"Accept-Language": "de-DE,en;q=0.3"})) == "en"
    assert language_of(client.get("/", headers={"Accept-Language": "de-DE"})) == "fr"
    assert language_of(client.get("/")) == "fr"
    response = client.get("/", headers={"Accept-Language": "en"})
    assert {"Accept-Language", "Cookie"} <= set(response.vary)  # caches keep the languages apart

    # A choice on the site wins over the browser's, for a year, whatever page it was made on.
    response = client.get("/lang/fr?next=/availability%3Fmonth%3D2030-01")
    assert response.status_code == 303 and response.headers["Location"] == "/availability?month=2030-01"
    cookie = client.get_cookie("lang")
    assert cookie.value == "fr" and cookie.http_only and cookie.max_age and cookie.max_age >= 300 * 86400
    assert language_of(client.get("/", headers={"Accept-Language": "en-US"})) == "fr"
    client.get("/lang/en")
    assert language_of(client.get("/requests/new", headers={"Accept-Language": "fr"})) == "en"

    # Staff login and logout start a fresh session; the language stays.
    auth.login()
    assert language_of(client.get("/staff/")) == "en"
    page = client.get("/staff/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    logged_out = client.post("/staff/logout", data={"csrf_token": csrf}, follow_redirects=True)
    assert language_of(logged_out) == "en"
    client.get("/lang/fr")
    assert language_of(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_the_switch_stays_on_the_site_and_knows_its_languages(client, make_stay):
    assert client.get("/lang/de").status_code == 404
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
    # A page answered to a form (a POST-only URL) comes back as the page it belongs to.
    stay = make_stay()
    response = client.get("/lang/en", query_string={"next": f"/requests/{stay.access_token}/cancel?"})
    assert response.headers["Location"] == f"/requests/{stay.access_token}"


def test_dates_and_numbers_follow_the_language(client, auth, make_stay, make_room, make_staff):
    rooms = [make_room(beds=2), make_room(beds=2)]
    stay = make_stay(nights=3)
    stay.approve(by=make_staff(), rooms=rooms[:1])
    db.session.commit()
    url = f"/requests/{stay.access_token}"
    french = unescape(client.get(url).get_data(as_text=True))
    assert format_date(stay.arrival, "full", locale="fr") in french  # « vendredi 12 mars 2027 »
    client.get("/lang/en")
    english = unescape(client.get(url).get_data(as_text=True))
    # English as written in the UK: "Friday, 12 March 2027", not the American "Friday, March 12, 2027".
    assert format_date(stay.arrival, "full", locale="en_GB") in english
    assert format_date(stay.arrival, "full", locale="en_US") not in english
    assert "(3 nights)" in english

    # 3 occupied room-nights of 8 (two rooms, the four nights from arrival to departure included).
    auth.login(auth.make_staff(role=Role.ADMIN, email="admin@angers.example"))
    stats = f"/staff/stats?period=custom&start={stay.arrival}&end={stay.departure}"
    assert ">37.5%<" in client.get(stats).get_data(as_text=True)
    client.get("/lang/fr")
    assert ">37,5\xa0%<" in client.get(stats).get_data(as_text=True)


# -- (d) mails to an English requester ------------------------------------------------------------
SERVICE = "mpab@localhost"


def mail_parts(message) -> dict[str, str]:
    parts = {"subject": message["Subject"]}
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.is_attachment():
            parts[part.get_content_type()] = part.get_content()
    return parts


def assert_english(message):
    parts = mail_parts(message)
    assert message["Content-Language"] == "en", parts["subject"]
    assert '<html lang="en">' in parts["text/html"]
    for name, content in parts.items():
        assert not french_left(content), f"{parts['subject']} ({name}): {french_left(content)}"


def french_staff(app, make_staff):
    """The service's own browser, in French: what staff read must not change what the requester gets."""
    staff = app.test_client()
    Auth(staff, make_staff).login()
    return staff


def post(client, url: str, data: dict, page: str):
    token = csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def submit_in_english(client, form_post, **overrides) -> StayRequest:
    client.get("/lang/en")
    assert form_post("/requests/new", valid_request_form(**overrides)).status_code == 303
    stay = db.session.scalar(sa.select(StayRequest).order_by(StayRequest.id.desc()))
    assert stay.locale == "en"
    return stay


def test_an_english_requester_is_acknowledged_and_confirmed_in_english(
    client, app, form_post, make_room, make_staff, smtp_server
):
    room = make_room(name="Djoliba", beds=4)
    stay = submit_in_english(client, form_post)
    staff = french_staff(app, make_staff)
    detail = f"/staff/requests/{stay.id}"
    assert language_of(staff.get(detail)) == "fr"
    assert post(staff, f"{detail}/approve", {"rooms": [room.id], "message": ""}, detail).status_code == 303

    deliver_mail()
    ack = smtp_server.one("awa@example.org", "Stay request received")
    confirmation = smtp_server.one("awa@example.org", "Stay confirmed")
    for mail in (ack, confirmation):
        assert_english(mail)
    # Dates as written in English, in the subject and in the calendar invitation's summary.
    arrival = format_date(stay.arrival, "long", locale="en_GB")  # "12 March 2027"
    assert arrival in confirmation["Subject"]
    calendar = mail_parts(confirmation)["text/calendar"].replace("\r\n ", "")  # unfolded
    assert "SUMMARY:Stay — Maison du Partenariat Angers-Bamako" in calendar
    assert f"DESCRIPTION:Reference: {stay.reference}\\n" in calendar
    # The service's notice stays French: the check above would have caught French.
    notice = smtp_server.one(SERVICE, "Nouvelle demande")
    assert notice["Content-Language"] == "fr" and french_left(mail_parts(notice)["text/plain"])


def test_every_mail_to_an_english_requester_is_english(
    client, app, form_post, make_room, make_staff, runner, smtp_server
):
    rooms = [make_room(name=name, beds=4) for name in ("Djoliba", "Niger", "Sahel")]
    staff = french_staff(app, make_staff)
    kept = submit_in_english(client, form_post)
    refused = submit_in_english(client, form_post)
    dropped = submit_in_english(client, form_post)

    def staff_post(stay, action: str, **data):
        detail = f"/staff/requests/{stay.id}"
        response = post(staff, f"{detail}/{action}", data, detail)
        assert response.status_code == 303, (action, response.get_data(as_text=True))

    staff_post(kept, "approve", rooms=[rooms[0].id], message="Welcome")
    staff_post(refused, "reject", reason="The house is full")
    staff_post(dropped, "approve", rooms=[rooms[2].id])  # staff cancel confirmed stays only
    staff_post(dropped, "cancel", reason="Duplicate request")

    # The requester asks for a change; the service refuses it, then moves the stay itself.
    page = f"/requests/{kept.access_token}"
    later = kept.departure + timedelta(days=1)
    change = {"arrival": kept.arrival.isoformat(), "departure": later.isoformat(), "guests": "2"}
    response = form_post(f"{page}/change", {**change, "travellers": kept.travellers, "message": ""})
    assert response.status_code == 303
    change_request = db.session.scalar(sa.select(ChangeRequest))
    detail = f"/staff/requests/{kept.id}"
    refusal = {"message": "The house is full that night"}
    assert post(staff, f"/staff/changes/{change_request.id}/refuse", refusal, detail).status_code == 303
    edit = f"/staff/requests/{kept.id}/edit"
    moved = {**change, "guests_count": "2", "travellers": kept.travellers, "rooms": [rooms[1].id]}
    assert post(staff, edit, {**moved, "message": "We found a room"}, edit).status_code == 303
    staff_post(kept, "revoke-link")
    client.get("/lang/en")
    assert form_post("/requests/lost", {"contact_email": "awa@example.org"}).status_code == 303

    db.session.refresh(kept)
    kept.decided_at -= timedelta(days=60)  # confirmed long ago: a reminder is due
    db.session.commit()
    assert "1 reminder queued" in runner.invoke(args=["mail", "reminders", "--days", "40"]).output
    page = f"/requests/{kept.access_token}"
    assert form_post(f"{page}/cancel", {"reason": "Flight cancelled"}, page=page).status_code == 303

    deliver_mail()
    to_requester = smtp_server.to("awa@example.org")
    kinds = {row.kind for row in db.session.scalars(sa.select(OutboxMessage)) if row.locale == "en"}
    assert kinds >= {
        "request_received",
        "approved",
        "refused",
        "cancelled",
        "change_refused",
        "changed",
        "link_renewed",
        "lost_links",
        "reminder",
    }, kinds
    assert len(to_requester) >= 11
    for mail in to_requester:
        assert_english(mail)
    to_service = smtp_server.to(SERVICE)
    assert to_service and all(mail["Content-Language"] == "fr" for mail in to_service)

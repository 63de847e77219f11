"""Hostile input: markup is shown as text everywhere, SQL is just text, every field has a length limit."""

import ast
from datetime import timedelta
from html import unescape
from pathlib import Path

import sqlalchemy as sa
from flask_wtf import FlaskForm
from markupsafe import escape
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.forms import BaseForm
from guesthouse.staff.models import Role

from .conftest import csrf_from, valid_request_form

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&"
SQL = "Robert'); DROP TABLE stay_requests;--"
PACKAGE = Path(__file__).resolve().parent.parent / "guesthouse"


def assert_escaped(html: str, where: str, payload: str = PAYLOAD):
    assert payload not in html, f"raw markup on {where}"
    assert "<script>alert" not in html and "<img src=x" not in html, where
    assert str(escape(payload)) in html, f"payload missing on {where}"


def submit(form_post, **overrides):
    response = form_post("/requests/new", valid_request_form(**overrides))
    assert response.status_code == 303, response.get_data(as_text=True)
    return db.session.scalar(sa.select(StayRequest).order_by(StayRequest.id.desc()))


def test_markup_in_every_request_field_is_escaped_for_requester_and_staff(client, form_post, auth, make_room):
    make_room(beds=4)
    fields = ("contact_name", "organisation", "purpose", "notes")
    stay = submit(
        form_post,
        **{name: PAYLOAD for name in fields},
        contact_phone="<b>+33</b>\"'&",
        travellers=PAYLOAD + "\nSecond",
    )
    requester = client.get(f"/requests/{stay.access_token}").get_data(as_text=True)
    assert_escaped(requester, "the requester's page")
    assert str(escape("<b>+33</b>\"'&")) in requester
    auth.login()
    for url in ("/staff/", f"/staff/requests/{stay.id}"):
        assert_escaped(client.get(url).get_data(as_text=True), url)


def test_markup_in_staff_input_is_escaped_wherever_it_shows(client, form_post, auth, make_stay, make_staff):
    admin = auth.login_admin()
    admin.name = PAYLOAD
    db.session.commit()
    room_name = PAYLOAD[:80]
    response = form_post(
        "/staff/rooms", {"name": room_name, "beds": "4", "description": PAYLOAD, "active": "y"}
    )
    assert response.status_code == 303
    assert_escaped(client.get("/staff/rooms").get_data(as_text=True), "rooms (with the flash)")
    stay = make_stay(organisation=PAYLOAD)
    start = stay.arrival.isoformat()
    end = (stay.arrival + timedelta(days=1)).isoformat()
    form_post("/staff/closures", {"room_id": "", "start_date": start, "end_date": end, "reason": PAYLOAD})
    assert_escaped(client.get("/staff/closures").get_data(as_text=True), "closures")
    assert_escaped(client.get("/staff/").get_data(as_text=True), "dashboard with a closure")

    other = make_stay(start=today() + timedelta(days=60), contact_email="x@example.org", organisation=PAYLOAD)
    room_id = db.session.scalar(sa.text("SELECT id FROM rooms"))
    response = form_post(
        f"/staff/requests/{other.id}/approve",
        {"rooms": str(room_id), "message": PAYLOAD},
        page=f"/staff/requests/{other.id}",
    )
    assert response.status_code == 303
    staff_page = client.get(f"/staff/requests/{other.id}").get_data(as_text=True)
    assert_escaped(staff_page, "the staff request page (message, room, actor)")
    assert_escaped(
        client.get(f"/requests/{other.access_token}").get_data(as_text=True), "the requester's page"
    )

    colleague = make_staff(email="c@angers.example", name=PAYLOAD, role=Role.APPROVER)
    assert_escaped(client.get("/staff/accounts").get_data(as_text=True), "accounts")
    assert_escaped(client.get(f"/staff/accounts/{colleague.id}").get_data(as_text=True), "an account")

    token = csrf_from(client.get("/staff/privacy").get_data(as_text=True))
    found = client.post("/staff/privacy", data={"email": "x@example.org", "csrf_token": token})
    assert_escaped(found.get_data(as_text=True), "the privacy page")


def test_sql_looking_text_is_stored_as_text(client, form_post, auth, make_room):
    make_room(beds=4)
    stay = submit(form_post, contact_name=SQL, organisation=SQL, purpose=SQL, notes="1 OR 1=1; --")
    db.session.expire_all()
    stored = db.session.get(StayRequest, stay.id)
    assert stored.contact_name == stored.organisation == stored.purpose == SQL
    assert stored.notes == "1 OR 1=1; --"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest)) == 1
    for url in ("/requests/' OR '1'='1", "/requests/%27%20OR%201=1--", "/staff/requests/1%20OR%201=1"):
        assert client.get(url).status_code in (404, 302), url
    auth.login()
    token = csrf_from(client.get("/staff/privacy").get_data(as_text=True))
    response = client.post("/staff/privacy", data={"email": "' OR ''='", "csrf_token": token})
    assert response.status_code == 400
    assert SQL not in response.get_data(as_text=True)


def test_line_breaks_never_survive_in_one_line_fields(form_post, make_room):
    make_room(beds=4)
    stay = submit(
        form_post,
        contact_name="Awa\r\nBcc: victim@example.org",
        contact_email="awa@example.org\r\n",
        contact_phone="+223\n70",
        organisation="Org\u2028anisation\x0b",
        travellers="Awa\r\nMoussa",
    )
    assert stay.contact_name == "Awa Bcc: victim@example.org"
    assert stay.contact_email == "awa@example.org"
    assert stay.contact_phone == "+223 70"
    assert stay.organisation == "Org anisation"
    assert stay.traveller_names == ["Awa", "Moussa"]  # a text area keeps its lines


def app_form_classes() -> list[type]:
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("guesthouse.") and cls is not BaseForm:
            found.append(cls)
    return found


def test_every_form_is_a_base_form_and_every_text_field_has_a_length_limit(app):
    forms = app_form_classes()
    assert len(forms) >= 10
    not_base = [cls.__qualname__ for cls in forms if not issubclass(cls, BaseForm)]
    assert not_base == [], "derive these forms from guesthouse.forms.BaseForm"
    unbounded = []
    for cls in forms:
        for name in dir(cls):
            unbound = getattr(cls, name)
            field_class = getattr(unbound, "field_class", None)
            if field_class is None or not issubclass(field_class, StringField):
                continue
            validators = unbound.kwargs.get("validators") or (
                unbound.args[1] if len(unbound.args) > 1 else []
            )
            if not any(isinstance(v, Length) and v.max and v.max > 0 for v in validators):
                if not (issubclass(field_class, HiddenField) and name == "csrf_token"):
                    unbounded.append(f"{cls.__qualname__}.{name}")
    assert unbounded == []


SAFE_LAZY_ARGUMENTS = {"min", "max", "beds", "guests", "capacity", "days"}  # numbers from forms or settings


def test_lazy_strings_never_carry_user_data():
    """Jinja treats a lazy_gettext string as markup (it has __html__): text interpolated into one would
    reach the page unescaped. Only numbers from the configuration or the database may go in."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_l":
                for keyword in node.keywords:
                    if keyword.arg not in SAFE_LAZY_ARGUMENTS:
                        offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {keyword.arg}")
    assert offenders == []


def test_text_over_its_limit_is_refused_next_to_its_field(client, form_post, auth, make_room, make_stay):
    make_room(beds=4)
    limits = {"contact_name": 200, "contact_phone": 40, "organisation": 200, "purpose": 4000, "notes": 4000}
    for name, limit in limits.items():
        response = form_post("/requests/new", valid_request_form(**{name: "é" * (limit + 1)}))
        assert response.status_code == 400, name
        assert f'id="{name}-error">{limit} caractères au plus.' in unescape(
            response.get_data(as_text=True)
        ), name
    response = form_post(
        "/requests/new", valid_request_form(**{name: "é" * limit for name, limit in limits.items()})
    )
    assert response.status_code == 303  # exactly at the limit is fine
    stay = db.session.scalar(sa.select(StayRequest))
    assert len(stay.purpose) == 4000

    auth.login_admin()
    pending = make_stay()
    cases = [
        ("/staff/rooms", {"name": "x" * 81, "beds": "2"}, "80 caractères au plus."),
        ("/staff/rooms", {"name": "Salle", "beds": "2", "description": "x" * 501}, "500 caractères au plus."),
        (
            "/staff/closures",
            {"start_date": "2030-01-01", "end_date": "2030-01-02", "reason": "x" * 501},
            "500 caractères au plus.",
        ),
        (f"/staff/requests/{pending.id}/reject", {"reason": "x" * 4001}, "4000 caractères au plus."),
        (
            "/staff/accounts",
            {"name": "x" * 201, "email": "a@b.fr", "role": "approver"},
            "200 caractères au plus.",
        ),
        (
            "/staff/accounts",
            {"name": "A", "email": "a@" + "b" * 260 + ".fr", "role": "approver"},
            "254 caractères au plus.",
        ),
    ]
    for url, data, message in cases:
        response = form_post(url, data, page="/staff/rooms")
        assert response.status_code == 400, url
        assert message in unescape(response.get_data(as_text=True)), (url, message)

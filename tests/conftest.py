"""Fixtures: an app on a real database built by the migrations, clients, and factories."""

import contextvars
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from guesthouse import create_app
from guesthouse.bookings.models import StayRequest
from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.rooms.models import Closure, Room
from guesthouse.staff.models import Role, StaffUser

STAFF_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once with `flask db upgrade`, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path, migrated_template) -> str:
    path = tmp_path / "test.db"
    shutil.copyfile(migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        DEMO_CREDENTIALS_FILE=str(tmp_path / "demo-credentials.txt"),
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class RequestClient(FlaskClient):
    """Runs each request in a fresh context, as a server would.

    The tests keep an app context open for their own queries; without this, Flask would reuse it for
    every request, sharing `g` (the logged-in user, the CSRF token) and the database session.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = RequestClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def form_post(client):
    """POST a form the way a browser does: fetch the page for its CSRF token, then submit."""

    def post(url: str, data: dict, page: str | None = None, **kwargs):
        token = csrf_from(client.get(page or url).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": token}, **kwargs)

    return post


@pytest.fixture
def make_room(app):
    def make(**overrides) -> Room:
        overrides.setdefault(
            "name", f"Chambre {db.session.scalar(sa.select(sa.func.count()).select_from(Room)) + 1}"
        )
        overrides.setdefault("beds", 2)
        room = Room(**overrides)
        db.session.add(room)
        db.session.commit()
        return room

    return make


@pytest.fixture
def make_staff(app):
    def make(**overrides) -> StaffUser:
        password = overrides.pop("password", STAFF_PASSWORD)
        overrides.setdefault(
            "email",
            f"agent{db.session.scalar(sa.select(sa.func.count()).select_from(StaffUser)) + 1}@angers.example",
        )
        overrides.setdefault("name", "Agent du service")
        overrides.setdefault("role", Role.APPROVER)
        user = StaffUser(**overrides)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_stay(app):
    def make(**overrides) -> StayRequest:
        start = overrides.pop("start", today() + timedelta(days=10))
        nights = overrides.pop("nights", 3)
        overrides.setdefault("arrival", start)
        overrides.setdefault("departure", overrides["arrival"] + timedelta(days=nights))
        overrides.setdefault("contact_name", "Claire Moreau")
        overrides.setdefault("contact_email", "claire@example.org")
        overrides.setdefault("contact_phone", "+33 6 00 00 00 00")
        overrides.setdefault("organisation", "Association Angers-Bamako")
        overrides.setdefault("organisation_type", "association")
        overrides.setdefault("cooperation_axis", "public_health")
        overrides.setdefault("guests", 1)
        overrides.setdefault("purpose", "Mission santé")
        overrides.setdefault("rules_accepted_at", utcnow())
        stay = StayRequest(**overrides)
        stay.submit()
        db.session.add(stay)
        db.session.flush()
        stay.assign_reference()
        db.session.commit()
        return stay

    return make


@pytest.fixture
def make_closure(app):
    def make(**overrides) -> Closure:
        overrides.setdefault("start_date", today() + timedelta(days=10))
        overrides.setdefault("end_date", overrides["start_date"] + timedelta(days=2))
        overrides.setdefault("reason", "Travaux")
        closure = Closure(**overrides)
        db.session.add(closure)
        db.session.commit()
        return closure

    return make


class Auth:
    def __init__(self, client, make_staff):
        self.client = client
        self.make_staff = make_staff

    def login(self, user: StaffUser | None = None, password: str = STAFF_PASSWORD):
        user = user or self.make_staff()
        page = self.client.get("/staff/login").get_data(as_text=True)
        response = self.client.post(
            "/staff/login",
            data={"email": user.email, "password": password, "csrf_token": csrf_from(page)},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return user

    def login_admin(self):
        return self.login(self.make_staff(role=Role.ADMIN, email="admin@angers.example", name="Admin"))


@pytest.fixture
def auth(client, make_staff):
    return Auth(client, make_staff)


def valid_request_form(**overrides) -> dict:
    start = today() + timedelta(days=20)
    data = {
        "contact_name": "Awa Traoré",
        "contact_email": "awa@example.org",
        "contact_phone": "+223 70 00 00 00",
        "organisation": "Compagnie Les Arts du Fleuve",
        "organisation_type": "arts",
        "cooperation_axis": "culture",
        "arrival": start.isoformat(),
        "departure": (start + timedelta(days=5)).isoformat(),
        "guests": "2",
        "travellers": "Awa Traoré\nMoussa Keita",
        "purpose": "Résidence de création avec le conservatoire de Bamako",
        "notes": "",
        "accept_rules": "y",
    }
    data.update(overrides)
    return data


# -- calendar feeds (issue 4) ------------------------------------------------------------------------
@pytest.fixture
def approve(app, make_staff):
    """Approve a stay with these rooms, as the model does after the availability check, and commit."""

    def approve_(stay: StayRequest, *rooms: Room) -> StayRequest:
        approver = db.session.scalar(sa.select(StaffUser).order_by(StaffUser.id)) or make_staff()
        stay.approve(by=approver, rooms=list(rooms))
        db.session.commit()
        return stay

    return approve_


@pytest.fixture
def staff_token(app, make_staff):
    """A staff member's calendar token, as the profile page creates it."""

    def make(user: StaffUser | None = None) -> str:
        user = user or make_staff()
        token = user.new_calendar_token()
        db.session.commit()
        return token

    return make

"""Fixtures: an app on a real database built by the migrations, clients, and factories."""

import contextvars
import os
import re
import shutil
import socket
import threading
from collections import Counter
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from flask import current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from werkzeug.serving import make_server

from guesthouse import create_app
from guesthouse.bookings.models import StayRequest
from guesthouse.bookings.operations import approve_stay
from guesthouse.database import today, utcnow
from guesthouse.extensions import db, limiter
from guesthouse.mail import worker
from guesthouse.rooms.models import Closure, Room
from guesthouse.staff.models import Role, StaffUser

from .served_pages import HtmlChecker, ServedPages, checker_missing
from .typography import TypographyWatch

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
def database_url(request, tmp_path):
    """SQLite: a copy of the migrated template per test. PostgreSQL: one schema, emptied after each test."""
    if TEST_DATABASE_URL:
        postgres = request.getfixturevalue("postgres_database")
        yield postgres.url
        postgres.reset()
        return
    path = tmp_path / "test.db"
    shutil.copyfile(request.getfixturevalue("migrated_template"), path)
    yield f"sqlite:///{path}"


# -- PostgreSQL (TEST_DATABASE_URL) ----------------------------------------------------------------------
# `TEST_DATABASE_URL=postgresql+psycopg://user:pw@host/db pytest` runs the suite on PostgreSQL: the schema
# is dropped, recreated and migrated once per session; after each test every table is emptied and the rows
# the migrations seeded (a one-row table such as a feed version) are put back as they were.
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


class PostgresDatabase:
    def __init__(self, url: str):
        self.url = url
        self.engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.tables: list[sa.Table] = []
        self.seeds: dict[str, list[dict]] = {}

    def recreate(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=self.url)
        with app.app_context():
            upgrade()
            db.engine.dispose()
        metadata = sa.MetaData()
        metadata.reflect(self.engine)
        self.tables = [t for t in metadata.sorted_tables if t.name != "alembic_version"]
        with self.engine.connect() as conn:
            for table in self.tables:
                rows = [dict(row) for row in conn.execute(sa.select(table).limit(1001)).mappings()]
                assert len(rows) <= 1000, f"migrations seed {table.name} with too many rows to restore"
                if rows:
                    self.seeds[table.name] = rows

    def reset(self) -> None:
        """Empty every table, restart the ids, and restore the seeded rows."""
        names = ", ".join(f'"{t.name}"' for t in self.tables)
        with self.engine.begin() as conn:
            # A test that leaked a connection must fail loudly, not hang the suite on a lock.
            conn.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            for table in self.tables:
                if table.name not in self.seeds:
                    continue
                conn.execute(table.insert(), self.seeds[table.name])
                for column in table.primary_key.columns:
                    sequence = conn.scalar(
                        sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
                        {"table": table.name, "column": column.name},
                    )
                    if sequence:
                        conn.execute(
                            sa.text(
                                f'SELECT setval(:sequence, (SELECT max("{column.name}") FROM "{table.name}"))'
                            ),
                            {"sequence": sequence},
                        )


@pytest.fixture(scope="session")
def postgres_database():
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.fail(f"TEST_DATABASE_URL must be a postgresql+psycopg:// URL, not {TEST_DATABASE_URL!r}")
    database = PostgresDatabase(TEST_DATABASE_URL)
    database.recreate()
    yield database
    database.engine.dispose()


def pytest_report_header(config):
    return [
        f"database: {'PostgreSQL (TEST_DATABASE_URL)' if TEST_DATABASE_URL else 'SQLite (a file per test)'}",
        "HTML checker: "
        + (f"not run, {missing}" if (missing := checker_missing()) else "vnu.jar, on every page served"),
    ]


# -------------------------------------------------------------------------------------------------------


@pytest.fixture
def app(database_url, tmp_path, closed_port):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        DEMO_CREDENTIALS_FILE=str(tmp_path / "demo-credentials.txt"),
        # Mails go nowhere unless a test starts `smtp_server`: connecting to this port is refused.
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=closed_port,
        MAIL_CONSOLE_DIR=str(tmp_path / "mail"),
    )
    with app.app_context():
        # Security: the rate limits stay on in tests, each test starting with fresh counters.
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()


class RequestClient(FlaskClient):
    """Runs each request in a fresh context, as a server would.

    The tests keep an app context open for their own queries; without this, Flask would reuse it for
    every request, sharing `g` (the logged-in user, the CSRF token) and the database session.
    """

    def open(self, *args, **kwargs):
        # Buffered, the response is read and closed at once, as a server closes it after sending it.
        kwargs.setdefault("buffered", True)
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
def make_stay(app, french_typography):
    def make(**overrides) -> StayRequest:
        french_typography.typed(*overrides.values())  # what a requester typed, punctuation and all
        start = overrides.pop("start", today() + timedelta(days=10))
        nights = overrides.pop("nights", 3)
        overrides.setdefault("arrival", start)
        overrides.setdefault("departure", overrides["arrival"] + timedelta(days=nights))
        overrides.setdefault("contact_name", "Claire Moreau")
        overrides.setdefault("contact_email", "claire@example.org")
        overrides.setdefault("contact_phone", "+33 6 00 00 00 00")
        overrides.setdefault("organisation", "Association Angers-Bamako")
        overrides.setdefault("organisation_type", "association")
        overrides.setdefault("angers_based", True)
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
        "angers_based": "yes",
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


@pytest.fixture(autouse=True)
def french_typography(request):
    """Every French page the test's app serves and every French mail it sends reads as French
    (tests/typography.py); a fault fails the test at teardown, naming the page or mail."""
    watch = TypographyWatch()
    if "app" in request.fixturenames:
        request.getfixturevalue("app").after_request(watch.response)
    inbox = request.getfixturevalue("smtp_server") if "smtp_server" in request.fixturenames else None
    yield watch
    if inbox is not None:
        watch.mails(inbox.messages)
    if watch.found and not watch.ignored:
        pytest.fail(watch.report(), pytrace=False)


# -- Real browser (Playwright driving Debian's Chromium) ------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def html_checker(tmp_path_factory):
    """The W3C Nu HTML checker, one service for the session; None where it is missing, unless
    REQUIRE_BROWSER=1 (then it is a failure, as a missing Chromium is)."""
    if missing := checker_missing():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(missing)
        yield None  # the report's header says the pages are not checked
        return
    checker = HtmlChecker(tmp_path_factory.mktemp("vnu") / "vnu.log")
    yield checker
    checker.stop()


@pytest.fixture
def live_server(app, tmp_path, html_checker):
    """The app served over HTTP on 127.0.0.1 and a free port, each request in its own thread.

    Every HTML page it serves is kept, in both languages (tests/served_pages.py); after the test, the
    W3C Nu HTML checker reads them all and any error fails the test.
    """
    pages = ServedPages(app.wsgi_app, tmp_path / "served-pages", tuple(app.config["LANGUAGES"]))
    app.wsgi_app = pages
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in pages (calendar downloads) lead back to this server
    yield url
    server.shutdown()
    thread.join(timeout=10)
    if html_checker and (errors := pages.errors(html_checker)):
        pytest.fail(f"{len(errors)} HTML errors (W3C Nu HTML checker):\n" + "\n".join(errors), pytrace=False)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, headless; skipped with a message when absent unless REQUIRE_BROWSER=1."""
    if not Path(CHROMIUM).exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh browser profile at a laptop's size, failing the test on any console error."""
    context = watch_console(chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR"))
    yield context
    context.close()
    assert context.console_errors == [], f"console errors: {context.console_errors}"


def watch_console(context):
    """Record console errors and page errors of every page of the context.

    A form sent back with its errors (400), a refused login or code (401) or a refused decision (409) is
    an answer the app means to give; Chromium logs it as a failed load of the page itself, which is not an error of the page.
    """
    context.console_errors = []
    deliberate: set[str] = set()

    def on_response(response):
        if response.request.is_navigation_request() and response.status in (400, 401, 409):
            deliberate.add(response.url)

    def on_console(message):
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") in deliberate:
            return
        context.console_errors.append(f"{message.location.get('url')}: {message.text}")

    context.on("response", on_response)
    context.on("console", on_console)
    context.on("weberror", lambda error: context.console_errors.append(str(error.error)))
    return context


# -- Activity reports: the hand-built dataset of the statistics tests, as the `march` fixture.
from .stats_dataset import march  # noqa: E402, F401


# -- Mail: a real SMTP server on loopback, and servers that fail -----------------------------------
@pytest.fixture(scope="session")
def closed_port():
    """A loopback port bound but never listening: a connection to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def silent_smtp_port():
    """A loopback port that accepts connections and never says a word (a hung SMTP server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """What an aiosmtpd server received: each message parsed, with its SMTP envelope."""

    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # each message as it came over the wire, for parsers of one's choice
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()  # recipients answered with 550
        self.port = 0
        self.connections = 0  # SMTP sessions opened by the app
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.lock:
            self.messages.append(message)
            self.raw.append(envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [
            m for m, (_from, rcpts) in zip(self.messages, self.envelopes, strict=True) if address in rcpts
        ]

    def one(self, address: str, subject_contains: str) -> EmailMessage:
        found = [m for m in self.to(address) if subject_contains in m["Subject"]]
        assert len(found) == 1, [m["Subject"] for m in self.to(address)]
        return found[0]


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        with self.event_handler.lock:
            self.event_handler.connections += 1
        super().connection_made(transport)


class CountingController(Controller):
    def factory(self):
        return CountingSMTP(self.handler, **self.SMTP_kwargs)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1 and a free port; the app sends to it."""
    inbox = Inbox()
    controller = CountingController(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.connections = 0  # the controller's own probe at start, which has read the greeting
    inbox.port = controller.port
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    controller.stop()


def deliver_mail() -> Counter:
    """Do what the mail worker does a moment after a change: write its mails, then send them.

    The worker's own step (mail.worker.step), in an app context of its own as in the worker process,
    repeated until it would wait: nothing left to write or due, or the relay asks for a retry later.
    What became of the messages (sent, retry, failed).
    """
    totals: Counter = Counter()
    with current_app.app_context():
        for _ in range(1000):
            written, batch = worker.step()
            totals.update(batch)
            if worker.idle(written, batch):
                return totals
    raise AssertionError("the mail worker never ran out of work")


# -- calendar feeds ----------------------------------------------------------------------------------
@pytest.fixture
def approve(app, make_staff):
    """Approve a stay with these rooms as staff do (availability checked under the write lock), and commit."""

    def approve_(stay: StayRequest, *rooms: Room) -> StayRequest:
        approver = db.session.scalar(sa.select(StaffUser).order_by(StaffUser.id)) or make_staff()
        approve_stay(stay, by=approver, room_ids=[room.id for room in rooms], message="")
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

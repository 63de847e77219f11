"""Outages: the database unreachable, read-only or full, and the disk full, each say what happened.

The visitor gets a 503 in their language that says nothing was saved and to try again (with Retry-After),
and /healthz answers 503, so that monitors and the load balancer see it too.
"""

from html import unescape

import pytest
import sqlalchemy as sa

from guesthouse import create_app
from guesthouse.bookings.models import StayRequest
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage

from .conftest import TEST_DATABASE_URL, csrf_from, valid_request_form

sqlite_only = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite only: its own page limit")
postgresql_only = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only: make test runs it when TEST_DATABASE_URL is set"
)

SAID = {
    "fr": (
        "Service momentanément indisponible",
        "rien n'a été enregistré. Réessayez dans quelques minutes",
    ),
    "en": ("Service temporarily unavailable", "nothing was saved. Please try again in a few minutes"),
}
# More than a page of SQLite (4 KiB) once encoded: such a request needs room the database must find.
LONG_PURPOSE = ("Résidence de création à Bamako, répétitions à l'Institut. " * 70)[:4000]


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def assert_outage_page(response, language: str) -> None:
    assert response.status_code == 503
    assert 60 <= int(response.headers["Retry-After"]) <= 600
    page = text(response)
    title, said = SAID[language]
    assert f'<html lang="{language}">' in page
    assert f"<h1>{title}</h1>" in page and said in page
    assert "Erreur interne" not in page and "Internal error" not in page


def stored() -> tuple[int, int]:
    """Requests and mails in the database."""
    count = sa.select(sa.func.count())
    return (
        db.session.scalar(count.select_from(StayRequest)),
        db.session.scalar(count.select_from(OutboxMessage)),
    )


def post_request(client, token: str, language: str, address: str = "192.0.2.10"):
    client.set_cookie("lang", language)
    return client.post(
        "/requests/new",
        data={**valid_request_form(purpose=LONG_PURPOSE), "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def _no_room_to_grow(dbapi_connection, _record) -> None:
    # Per connection, and never below the file's size: 1 caps the file at the size it has now.
    dbapi_connection.execute("PRAGMA max_page_count = 1")


@sqlite_only
def test_a_full_sqlite_database_says_so_saves_nothing_and_fails_the_health_check(app, client, make_room):
    make_room(beds=4)
    assert client.get("/healthz").status_code == 200
    token = csrf_from(text(client.get("/requests/new")))
    # The database as on a full disk: no free page left inside the file, and the file cannot grow; SQLite
    # itself then refuses the next page with SQLITE_FULL ("database or disk is full").
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
    sa.event.listen(db.engine, "connect", _no_room_to_grow)
    db.engine.dispose()
    try:
        for language in ("fr", "en"):
            assert_outage_page(post_request(client, token, language), language)
        assert stored() == (0, 0)
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.get_json() == {"status": "error", "database": "full"}
    finally:
        sa.event.remove(db.engine, "connect", _no_room_to_grow)
        db.engine.dispose()
    # Room again: the same submission goes through, and the health check is green.
    assert post_request(client, token, "fr").status_code == 303
    assert stored()[0] == 1
    assert client.get("/healthz").status_code == 200


@pytest.fixture
def outage_app(tmp_path, closed_port):
    """An app on a database it cannot use, as gunicorn's workers would build it."""

    def build(database_url: str, **settings):
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=database_url,
            DEMO_CREDENTIALS_FILE=str(tmp_path / "demo-credentials.txt"),
            MAIL_SERVER="127.0.0.1",
            MAIL_PORT=closed_port,
            **settings,
        )
        apps.append(app)
        return app

    apps: list = []
    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("where", ["postgresql on a closed port", "sqlite in a missing directory"])
def test_an_unreachable_database_says_so_and_fails_the_health_check(outage_app, tmp_path, closed_port, where):
    url = {
        "postgresql on a closed port": f"postgresql+psycopg://mpab:mpab@127.0.0.1:{closed_port}/mpab",
        "sqlite in a missing directory": f"sqlite:///{tmp_path / 'unmounted' / 'guesthouse.db'}",
    }[where]
    client = outage_app(url).test_client()
    assert_outage_page(client.get("/"), "fr")
    # A form: the login page itself needs no database; signing in does.
    token = csrf_from(text(client.get("/staff/login")))
    client.set_cookie("lang", "en")
    signing_in = client.post(
        "/staff/login", data={"email": "agent@angers.example", "password": "x", "csrf_token": token}
    )
    assert_outage_page(signing_in, "en")
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json() == {"status": "error", "database": "unavailable"}
    assert client.get("/healthz", headers={"Accept": "application/json"}).status_code == 503


def test_json_clients_get_the_outage_in_json(outage_app, tmp_path):
    client = outage_app(f"sqlite:///{tmp_path / 'unmounted' / 'guesthouse.db'}").test_client()
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert response.get_json()["error"] == "Service momentanément indisponible"


@postgresql_only
def test_a_read_only_postgresql_says_so_and_fails_the_health_check(database_url, outage_app, make_room):
    make_room(beds=4)
    db.session.commit()
    # What a standby answers after a failover: every read works, every write is refused (SQLSTATE 25006).
    read_only = outage_app(
        database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"options": "-c default_transaction_read_only=on"}},
    )
    client = read_only.test_client()
    assert client.get("/").status_code == 200
    token = csrf_from(text(client.get("/requests/new")))
    assert_outage_page(post_request(client, token, "en"), "en")
    assert stored() == (0, 0)
    assert client.get("/healthz").status_code == 503


@postgresql_only
def test_postgresql_disk_full_says_so(app, client, make_room):
    """PostgreSQL's disk-full error (53100), raised by the server from a trigger.

    A real full disk is out of the suite's reach (it takes a mount): tried by hand with a tablespace on a
    small tmpfs, the same pages and health check came out.
    """
    make_room(beds=4)
    db.session.commit()
    token = csrf_from(text(client.get("/requests/new")))
    faults = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
    with faults.begin() as connection:
        connection.exec_driver_sql(
            "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
            "END $$"
        )
        for table in ("stay_requests", "health_check"):
            connection.exec_driver_sql(
                f"CREATE TRIGGER test_disk_full BEFORE INSERT OR UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_disk_full()"
            )
    try:
        for language in ("fr", "en"):
            assert_outage_page(post_request(client, token, language), language)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["database"] == "full"
    finally:
        with faults.begin() as connection:
            connection.exec_driver_sql("DROP FUNCTION test_disk_full() CASCADE")
        faults.dispose()
    assert stored() == (0, 0)
    assert client.get("/healthz").status_code == 200


def test_a_full_disk_outside_the_database_says_so(app, client):
    def export():
        # /dev/full: every write fails with ENOSPC, as on a full disk.
        with open("/dev/full", "w") as target:
            target.write("statistiques")
        return "written"

    app.add_url_rule("/test-export", view_func=export)
    assert_outage_page(client.get("/test-export"), "fr")


def test_a_mistake_in_the_code_stays_an_internal_error(app, client):
    def broken():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return "never"

    app.add_url_rule("/test-broken", view_func=broken)
    response = client.get("/test-broken")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "Erreur interne" in text(response)

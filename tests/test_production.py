"""Production: the start-up checks, the reverse proxy, and logs without tokens or personal data."""

import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import pytest
from flask import request

from config import DEFAULT_SECRET_KEY
from guesthouse import create_app
from guesthouse.logs import JsonFormatter, RedactFilter
from guesthouse.startup import production_problems

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"  # the shape of secrets.token_urlsafe(32)
COMPLETE = {
    "SECRET_KEY": "a-long-random-value-for-the-tests",
    "BASE_URL": "https://mpab.angers.example",
    "MAIL_SERVER": "localhost",
    "MAIL_DEFAULT_SENDER": "Maison du Partenariat <mpab@angers.example>",
    "STAFF_NOTIFICATION_EMAIL": "mpab@angers.example",
}


@pytest.fixture
def production(database_url, monkeypatch):
    """Build a production app from these settings, as gunicorn's workers would."""
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)

    def build(**settings):
        return create_app("production", **{"SQLALCHEMY_DATABASE_URI": database_url, **COMPLETE, **settings})

    return build


def test_production_starts_with_a_complete_configuration(production):
    app = production()
    assert app.config["GUESTHOUSE_ENV"] == "production" and app.config["PROXY_COUNT"] == 1


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("SECRET_KEY", DEFAULT_SECRET_KEY, "SECRET_KEY must be set to a long random value"),
        ("SECRET_KEY", "", "SECRET_KEY must be set"),
        ("BASE_URL", "", "BASE_URL must be set to the site's public address"),
        ("BASE_URL", "mpab.angers.example", "BASE_URL must be set"),
        ("MAIL_SERVER", "", "MAIL_SERVER must be set"),
        ("MAIL_DEFAULT_SENDER", " ", "MAIL_DEFAULT_SENDER must be set"),
        ("STAFF_NOTIFICATION_EMAIL", None, "STAFF_NOTIFICATION_EMAIL must be set"),
    ],
)
def test_production_refuses_to_start_without_each_setting(production, setting, value, said):
    with pytest.raises(RuntimeError) as refused:
        production(**{setting: value})
    assert said in str(refused.value)
    assert "set these environment variables" in str(refused.value)


def test_production_lists_every_missing_setting_at_once(production):
    with pytest.raises(RuntimeError) as refused:
        production(SECRET_KEY="", BASE_URL="", MAIL_SERVER="")
    assert str(refused.value).count("\n- ") == 3


def test_the_production_defaults_leave_the_site_address_and_mail_to_set():
    from config import ProductionConfig

    for name in ("BASE_URL", "MAIL_SERVER", "MAIL_DEFAULT_SENDER", "STAFF_NOTIFICATION_EMAIL"):
        assert getattr(ProductionConfig, name) == os.environ.get(name, ""), name


def test_sqlite_shared_by_several_workers_is_refused_unless_allowed(production, monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "1")
    production(SQLALCHEMY_DATABASE_URI="sqlite:////tmp/mpab-one-worker.db")
    for variable in ("GUNICORN_WORKERS", "WEB_CONCURRENCY"):
        monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
        monkeypatch.setenv(variable, "3")
        with pytest.raises(RuntimeError) as refused:
            production(SQLALCHEMY_DATABASE_URI="sqlite:////tmp/mpab-three-workers.db")
        assert "SQLite but 3 worker processes" in str(refused.value)
        assert "ALLOW_SQLITE_MULTIPLE_WORKERS=1" in str(refused.value)
        monkeypatch.delenv(variable)
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    shared_limits = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"}
    production(
        SQLALCHEMY_DATABASE_URI="sqlite:////tmp/mpab-allowed.db",
        ALLOW_SQLITE_MULTIPLE_WORKERS=True,
        **shared_limits,
    )
    production(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://mpab@db.example/mpab", **shared_limits)


def test_rate_limits_kept_in_each_of_several_workers_are_refused_unless_allowed(production, monkeypatch):
    postgres = "postgresql+psycopg://mpab@db.example/mpab"
    monkeypatch.setenv("GUNICORN_WORKERS", "1")
    production(SQLALCHEMY_DATABASE_URI=postgres)  # one process: its own counters are the only ones
    for variable in ("GUNICORN_WORKERS", "WEB_CONCURRENCY"):
        monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
        monkeypatch.setenv(variable, "3")
        for store in ("memory://", None):  # None: the default, memory://
            with pytest.raises(RuntimeError) as refused:
                production(SQLALCHEMY_DATABASE_URI=postgres, RATELIMIT_STORAGE_URI=store)
            said = str(refused.value)
            assert "3 worker processes would each count on their own" in said
            assert "RATELIMIT_STORAGE_URI=redis://" in said and "RATELIMIT_ALLOW_PER_PROCESS=1" in said
        monkeypatch.delenv(variable)
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    production(SQLALCHEMY_DATABASE_URI=postgres, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    production(SQLALCHEMY_DATABASE_URI=postgres, RATELIMIT_ALLOW_PER_PROCESS=True)
    # Nothing counted (the benchmarks). Asked of the checks alone: an app built with the limits off would
    # leave them off in every app the tests build next (Flask-Limiter keeps `enabled` on its one instance).
    disabled = {**COMPLETE, "SQLALCHEMY_DATABASE_URI": postgres, "RATELIMIT_ENABLED": False}
    assert production_problems(disabled, {"GUNICORN_WORKERS": "3"}) == []


def test_behind_the_proxy_the_app_sees_the_client_scheme_and_host(production):
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

    forwarded = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "mpab.angers.example",
    }
    hosts = ["mpab.angers.example", "localhost"]  # the test client's own host, for the exposed app
    behind = production(TRUSTED_HOSTS=hosts)
    behind.add_url_rule("/test-whoami", view_func=whoami)
    assert behind.test_client().get("/test-whoami", headers=forwarded).get_json() == {
        "addr": "203.0.113.7",
        "scheme": "https",
        "host": "mpab.angers.example",
    }
    exposed = production(
        PROXY_COUNT=0, TRUSTED_HOSTS=hosts
    )  # no proxy: such headers come from the client, never trusted
    exposed.add_url_rule("/test-whoami", view_func=whoami)
    assert exposed.test_client().get("/test-whoami", headers=forwarded).get_json() == {
        "addr": "127.0.0.1",
        "scheme": "http",
        "host": "localhost",
    }


def json_lines(logger_name: str, emit) -> list[dict]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_log_lines_are_json_without_tokens_or_email_addresses():
    def emit(logger):
        logger.warning("GET /requests/%s by %s", TOKEN, "awa.traore@example.org")
        logger.info("feed /calendar/staff/%s.ics?token=%s&lang=fr", TOKEN[:22], "s3cr3t")
        logger.info("GET /requests/new and /staff/requests/42/approve")
        try:
            raise ValueError(f"no stay for token {TOKEN} (claire@example.org)")
        except ValueError:
            logger.exception("unexpected error on GET /requests/%s", TOKEN)

    lines = json_lines("guesthouse.test", emit)
    text = json.dumps(lines)
    assert TOKEN not in text and TOKEN[:22] not in text and "s3cr3t" not in text
    assert "@example.org" not in text
    assert lines[0]["message"] == "GET /requests/[masked] by [email]"
    assert lines[0]["level"] == "WARNING" and lines[0]["logger"] == "guesthouse.test"
    assert lines[1]["message"] == "feed /calendar/staff/[masked].ics?token=[masked]&lang=fr"
    assert lines[2]["message"] == "GET /requests/new and /staff/requests/42/approve"
    assert "ValueError: no stay for token [masked] ([email])" in lines[3]["exception"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(database_url: str, *args: str, **env: str) -> subprocess.Popen:
    environ = {
        **os.environ,
        **COMPLETE,
        "GUESTHOUSE_ENV": "production",
        "DATABASE_URL": database_url,
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        # The test reaches gunicorn by its loopback address, not the site's public name.
        "TRUSTED_HOSTS": "mpab.angers.example,127.0.0.1",
        **env,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", *args, "wsgi:app"]
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def get(url: str) -> int:
    try:
        with urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL built here
            return response.status
    except OSError as error:
        return getattr(error, "code", 0)


def test_gunicorn_serves_the_app_with_json_access_logs_that_keep_no_secret(database_url):
    port = free_port()
    server = gunicorn(database_url, GUNICORN_BIND=f"127.0.0.1:{port}")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while get(f"{base}/livez") != 200:
            assert server.poll() is None, server.communicate()
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.1)
        assert get(f"{base}/healthz") == 200
        assert get(f"{base}/requests/{TOKEN}?email=awa@example.org") == 404
    finally:
        server.terminate()
        out, err = server.communicate(timeout=30)
    access = [json.loads(line) for line in out.splitlines()]
    errors = [json.loads(line) for line in err.splitlines()]
    assert {"method": "GET", "path": "/healthz", "status": 200}.items() <= access[-2].items()
    assert {"path": "/requests/[masked]", "status": 404, "logger": "gunicorn.access"}.items() <= access[
        -1
    ].items()
    assert all(isinstance(line["duration_ms"], int) for line in access)
    assert any("Booting worker" in line["message"] for line in errors)
    assert TOKEN not in out + err and "awa@example.org" not in out + err and '127.0.0.1"' not in out


def test_gunicorn_refuses_sqlite_shared_by_workers_set_on_its_command_line(tmp_path):
    server = gunicorn(f"sqlite:///{tmp_path / 'mpab.db'}", "--workers", "2", GUNICORN_BIND="127.0.0.1:0")
    _out, err = server.communicate(timeout=60)
    assert server.returncode != 0
    assert "DATABASE_URL is SQLite but 2 worker processes would share it" in err
    assert "RATELIMIT_STORAGE_URI is memory://, kept in each process, but 2 worker processes" in err

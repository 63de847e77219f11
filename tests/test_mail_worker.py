"""MAIL_DELIVERY=worker: requests only store their mails, `flask mail worker` sends them as they come."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from guesthouse import create_app
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage, OutboxStatus
from guesthouse.mail.worker import run

from .conftest import valid_request_form

ROOT = Path(__file__).resolve().parent.parent


def statuses() -> list[str]:
    db.session.expire_all()
    return [m.status for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]


def attempts() -> list[int]:
    db.session.expire_all()
    return [m.attempts for m in db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id))]


def wait_for(condition, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@contextmanager
def worker_thread(app) -> Iterator[Counter]:
    """`mail.worker.run` in a thread with an app context of its own, as the command runs it; its totals."""
    stop, totals = threading.Event(), Counter()

    def work():
        with app.app_context():
            totals.update(run(stop, poll=0.05))

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    try:
        yield totals
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_requests_leave_their_mails_to_the_worker_which_sends_them(app, form_post, make_room, smtp_server):
    make_room()
    app.config["MAIL_DELIVERY"] = "worker"
    response = form_post("/requests/new", valid_request_form())
    assert response.status_code == 303
    # The response has gone out and nothing was sent: the two mails wait in the outbox.
    assert smtp_server.messages == []
    assert statuses() == [OutboxStatus.QUEUED, OutboxStatus.QUEUED]

    with worker_thread(app) as totals:
        wait_for(lambda: len(smtp_server.messages) == 2)
        # A mail queued while the worker waits is sent on its next look.
        form_post("/requests/new", valid_request_form(contact_email="moussa@example.org"))
        wait_for(lambda: len(smtp_server.messages) == 4)
    assert totals == {"sent": 4}
    assert smtp_server.one("awa@example.org", "MPAB-")["To"] == "Awa Traoré <awa@example.org>"
    assert len(smtp_server.to("moussa@example.org")) == 1
    assert statuses() == [OutboxStatus.SENT] * 4


def test_worker_survives_an_unreachable_relay_and_retries_later(app, form_post, make_room):
    make_room()
    app.config["MAIL_DELIVERY"] = "worker"
    form_post("/requests/new", valid_request_form())
    # The app's relay port refuses connections: both mails are put back for a later attempt.
    with worker_thread(app):
        wait_for(lambda: attempts() == [1, 1])
    db.session.expire_all()
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    assert [m.status for m in messages] == [OutboxStatus.QUEUED] * 2
    assert all("ConnectionRefusedError" in m.last_error for m in messages)


def test_unknown_delivery_mode_is_refused_at_start(database_url):
    with pytest.raises(RuntimeError, match="MAIL_DELIVERY must be 'after_response' or 'worker'"):
        create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, MAIL_DELIVERY="later")


def test_flask_mail_worker_runs_until_sigterm(app, database_url, form_post, make_room, smtp_server):
    make_room()
    app.config["MAIL_DELIVERY"] = "worker"
    form_post("/requests/new", valid_request_form())
    environ = {
        **os.environ,
        "GUESTHOUSE_ENV": "development",
        "DATABASE_URL": database_url,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
        "MAIL_DELIVERY": "worker",
        "MAIL_WORKER_POLL_SECONDS": "0.1",
    }
    worker = subprocess.Popen(  # noqa: S603 - the test's own interpreter and arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", "mail", "worker"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(smtp_server.messages) == 2, seconds=30)
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err
    assert "Mail worker started: looking for mail every 0.1 s" in out
    assert "Mail worker stopped: sent 2, to retry later 0, failed 0." in out
    assert statuses() == [OutboxStatus.SENT] * 2

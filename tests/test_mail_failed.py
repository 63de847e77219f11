"""The admins' page of failed mails: after an outage, one button sends them all again."""

from html import unescape

import sqlalchemy as sa

from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage, OutboxStatus

from .conftest import csrf_from


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def send(runner) -> None:
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output


def outage(app, runner, make_stay, closed_port, stays: int) -> list[OutboxMessage]:
    """Stays whose mails all failed while the SMTP server was down, and one mail never written."""
    app.config.update(MAIL_PORT=closed_port, MAIL_MAX_ATTEMPTS=1)
    for number in range(stays):
        make_stay(contact_email=f"voyageur{number}@example.org")
    send(runner)
    unwritten = OutboxMessage(
        message_id="<unwritten@localhost>",
        kind="unwritten",
        sender="mpab@localhost",
        to=[],
        subject="E-mail non rédigé — MPAB-2026-0099 (approved)",
        text_body="",
        html_body="",
        status=OutboxStatus.FAILED,
        last_error="rédaction impossible : KeyError",
    )
    db.session.add(unwritten)
    db.session.commit()
    failed = rows()
    assert {row.status for row in failed} == {OutboxStatus.FAILED}
    return failed


def test_resend_all_requeues_every_failed_mail_and_the_sender_delivers_them(
    app, client, form_post, auth, runner, make_stay, smtp_server, closed_port
):
    failed = outage(app, runner, make_stay, closed_port, stays=2)
    assert len(failed) == 5
    app.config["MAIL_PORT"] = smtp_server.port  # the server is back
    auth.login_admin()
    page = unescape(client.get("/staff/mail/").get_data(as_text=True))
    assert "Tout renvoyer" in page and "voyageur0@example.org" in page

    response = form_post("/staff/mail/resend-all", {}, page="/staff/mail/")
    assert response.status_code == 303
    page = unescape(client.get("/staff/mail/").get_data(as_text=True))
    assert "4 e-mails remis en file d'attente\u00a0: ils partent dans la minute." in page
    states = {row.message_id: (row.status, row.attempts) for row in rows()}
    assert states.pop("<unwritten@localhost>") == (OutboxStatus.FAILED, 0)  # nothing to send
    assert set(states.values()) == {(OutboxStatus.QUEUED, 0)}  # a fresh set of attempts each

    send(runner)  # the worker or the every-minute `mail send`
    received = sorted(message["Message-ID"] for message in smtp_server.messages)
    assert received == sorted(states)  # each once, under the Message-ID it failed with
    assert {row.status for row in rows() if row.kind != "unwritten"} == {OutboxStatus.SENT}
    page = unescape(client.get("/staff/mail/").get_data(as_text=True))
    assert "voyageur0@example.org" not in page and "MPAB-2026-0099" in page

    # A second click (a stale page, a colleague) finds nothing more to send, and says why.
    response = form_post("/staff/mail/resend-all", {}, page="/staff/mail/")
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Aucun e-mail à renvoyer\u00a0: ceux de la liste n'ont jamais pu être rédigés." in page
    send(runner)
    assert len(smtp_server.messages) == 4


def test_one_failed_mail_is_counted_in_the_singular(
    app, client, form_post, auth, runner, make_stay, smtp_server, closed_port
):
    outage(app, runner, make_stay, closed_port, stays=1)
    requester, service, unwritten = rows()
    db.session.delete(service)
    db.session.delete(unwritten)
    db.session.commit()
    auth.login_admin()
    response = form_post("/staff/mail/resend-all", {}, page="/staff/mail/")
    page = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "1 e-mail remis en file d'attente\u00a0: il part dans la minute." in page
    assert [row.status for row in rows()] == [OutboxStatus.QUEUED]


def test_resend_all_is_for_admins_and_needs_the_forms_token(
    app, client, auth, runner, make_stay, make_staff, closed_port
):
    outage(app, runner, make_stay, closed_port, stays=1)
    auth.login()  # an approver
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    assert client.post("/staff/mail/resend-all", data={"csrf_token": token}).status_code == 403
    client.post("/staff/logout", data={"csrf_token": token})
    auth.login_admin()
    assert client.post("/staff/mail/resend-all").status_code == 400  # no CSRF token
    assert {row.status for row in rows()} == {OutboxStatus.FAILED}

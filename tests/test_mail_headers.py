"""Mail header injection: no value typed by a requester can add a header or a recipient."""

import pytest
import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.extensions import db
from guesthouse.mail.compose import UnsafeHeader, checked_address, one_line
from guesthouse.mail.models import OutboxMessage, OutboxStatus

from .conftest import deliver_mail, valid_request_form

VICTIM = "victim@evil.example"
BREAKS = ["\r\n", "\n", "\r", "\u2028", "\x85", "\x00", "\x0b"]


def assert_no_injection(inbox, expected_recipients: set[str]):
    assert inbox.messages, "no mail was sent at all"
    for message, (_sender, recipients) in zip(inbox.messages, inbox.envelopes, strict=True):
        assert set(recipients) <= expected_recipients
        assert message["Bcc"] is None and message["Cc"] is None
        for header in ("From", "To", "Reply-To"):
            if message[header]:  # one address each; the hostile text is at most a display name
                [address] = message[header].addresses
                assert address.addr_spec != VICTIM
        # The header block as it went over the wire, and the headers of every MIME part.
        header_block = message.as_bytes().split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        assert not any(line.lower().startswith((b"bcc:", b"x-spam:")) for line in header_block.splitlines())
        for part in message.walk():
            assert not {"bcc", "x-spam"} & {key.lower() for key in part.keys()}
        for header in ("Subject", "To", "Reply-To", "From"):
            if message[header]:
                assert "\n" not in str(message[header]) and "\r" not in str(message[header])


@pytest.mark.parametrize("line_break", BREAKS)
def test_public_form_values_cannot_add_headers_or_recipients(form_post, make_room, smtp_server, line_break):
    make_room(beds=4)
    response = form_post(
        "/requests/new",
        valid_request_form(
            contact_name=f"Eve{line_break}Bcc: {VICTIM}",
            organisation=f"Org{line_break}Bcc: {VICTIM}{line_break}X-Spam: yes",
        ),
    )
    assert response.status_code in (303, 400)
    if response.status_code == 400:  # the form refused the value: nothing stored, nothing sent
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest)) == 0
        return
    deliver_mail()
    assert_no_injection(smtp_server, {"awa@example.org", "mpab@localhost"})
    notice = smtp_server.one("mpab@localhost", "Nouvelle demande")
    assert notice["X-Spam"] is None
    assert f"Org Bcc: {VICTIM} X-Spam: yes" in notice["Subject"]  # flattened onto one line
    assert notice["Reply-To"].addresses[0].display_name == f"Eve Bcc: {VICTIM}"
    ack = smtp_server.one("awa@example.org", "Demande de séjour reçue")
    assert ack["To"].addresses[0].display_name == f"Eve Bcc: {VICTIM}"


@pytest.mark.parametrize(
    "address",
    [f"awa@example.org\r\nBcc: {VICTIM}", f"awa@example.org, {VICTIM}", f"Awa <awa@example.org>, {VICTIM}"],
)
def test_public_form_refuses_hostile_addresses(form_post, make_room, smtp_server, address):
    make_room(beds=4)
    response = form_post("/requests/new", valid_request_form(contact_email=address))
    assert response.status_code == 400
    deliver_mail()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    "address",
    [
        f"claire@example.org\r\nBcc: {VICTIM}",
        f"claire@example.org\nBcc: {VICTIM}",
        f"claire@example.org, {VICTIM}",
        f"claire@example.org <{VICTIM}>",
        "claire@example.org\x00",
    ],
)
def test_an_address_stored_by_another_path_is_refused_not_exploited(make_stay, runner, smtp_server, address):
    """The form validates addresses; a stay written by anything else must still be safe to mail."""
    if "\x00" in address and db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL byte at all: no other path can write this address there")
    make_stay(contact_email=address, organisation=f"Org\r\nBcc: {VICTIM}")
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    to_requester, to_service = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))
    assert to_requester.status == OutboxStatus.FAILED and to_requester.attempts == 1
    assert "refusé avant envoi" in to_requester.last_error
    # The service still hears of the request; the bad address is simply not its Reply-To.
    assert to_service.status == OutboxStatus.SENT
    assert_no_injection(smtp_server, {"mpab@localhost"})
    assert smtp_server.messages[0]["Reply-To"].addresses[0].addr_spec == "mpab@localhost"


def test_hostile_configuration_values_are_refused_too(app, make_stay, runner, smtp_server):
    app.config["MAIL_DEFAULT_SENDER"] = f"MPAB <mpab@localhost>\r\nBcc: {VICTIM}"
    make_stay()
    runner.invoke(args=["mail", "send"])
    assert smtp_server.messages == []
    assert {row.status for row in db.session.scalars(sa.select(OutboxMessage))} == {OutboxStatus.FAILED}


@pytest.mark.parametrize("line_break", BREAKS)
def test_header_helpers(line_break):
    assert one_line(f"a{line_break}Bcc: x@y.z") == "a Bcc: x@y.z"
    assert checked_address(f"Eve{line_break}Mallory", "eve@example.org") == ("Eve Mallory", "eve@example.org")
    with pytest.raises(UnsafeHeader):
        checked_address("Eve", f"eve@example.org{line_break}")


def test_internationalised_domains_travel_in_ascii(form_post, make_room, smtp_server):
    make_room(beds=4)
    assert form_post("/requests/new", valid_request_form(contact_email="awa@exämple.org")).status_code == 303
    deliver_mail()
    [ack] = smtp_server.to("awa@xn--exmple-cua.org")
    assert ack["To"].addresses[0].addr_spec == "awa@xn--exmple-cua.org"


def test_accented_local_parts_are_refused_by_the_form(form_post, make_room, smtp_server):
    make_room(beds=4)
    response = form_post("/requests/new", valid_request_form(contact_email="josé@example.org"))
    assert response.status_code == 400
    assert "Adresse e-mail invalide" in response.get_data(as_text=True)


def test_an_unsendable_address_fails_alone_without_holding_up_the_queue(make_stay, runner, smtp_server):
    make_stay(contact_email="josé@example.org")  # stored by a path without the form's check
    make_stay(contact_email="awa@example.org")
    for _ in range(2):
        result = runner.invoke(args=["mail", "send"])
        assert result.exit_code == 0, result.output
    rows = list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [(row.status, row.attempts) for row in rows] == [
        (OutboxStatus.FAILED, 1),
        (OutboxStatus.SENT, 1),
        (OutboxStatus.SENT, 1),
        (OutboxStatus.SENT, 1),
    ]
    assert "SMTPUTF8" in rows[0].last_error
    assert len(smtp_server.messages) == 3

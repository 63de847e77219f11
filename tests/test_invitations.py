"""Calendar invitations in mails: approve → change → cancel keeps one event in the traveller's calendar."""

from datetime import date, timedelta

import icalendar
import pytest
import sqlalchemy as sa
import vobject

from guesthouse.bookings.models import RoomAssignment
from guesthouse.bookings.operations import BookingConflict, change_stay
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage

from .conftest import deliver_mail

SERVICE = "mpab@localhost"


def calendar_parts(message):
    """The text/calendar alternative and the .ics attachment of a received mail."""
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in message.walk() if p.get_content_type() == "application/ics"]
    return inline, attached


def parse_both(ics: str):
    """The same calendar read by icalendar and by vobject, an independent parser."""
    return icalendar.Calendar.from_ical(ics), vobject.readOne(ics)


def check_invitation(message, method: str):
    inline, attached = calendar_parts(message)
    assert len(inline) == 1 and len(attached) == 1
    part = inline[0]
    assert part.get_param("method") == method  # the MIME parameter matches the file's METHOD
    assert part.get_content_charset() == "utf-8"
    ics = part.get_content()
    assert attached[0].get_content().decode("utf-8") == ics
    assert attached[0].get_filename() == "invitation.ics"
    ical, vcal = parse_both(ics)
    assert str(ical["METHOD"]) == vcal.method.value == method
    [event] = ical.walk("VEVENT")
    vevent = vcal.vevent
    assert str(event["UID"]) == vevent.uid.value
    assert int(event["SEQUENCE"]) == int(vevent.sequence.value)
    # All-day: DTSTART;VALUE=DATE and an exclusive DTEND;VALUE=DATE, in both parsers.
    assert "DTSTART;VALUE=DATE:" in ics and "DTEND;VALUE=DATE:" in ics
    for value in (event.decoded("DTSTART"), event.decoded("DTEND"), vevent.dtstart.value, vevent.dtend.value):
        assert type(value) is date
    assert event.decoded("DTSTART") == vevent.dtstart.value
    assert event.decoded("DTEND") == vevent.dtend.value
    assert str(event["ORGANIZER"]).lower() == f"mailto:{SERVICE}"
    assert vevent.organizer.value.lower() == f"mailto:{SERVICE}"
    assert str(event["ATTENDEE"]).lower() == "mailto:claire@example.org"
    assert vevent.attendee.value.lower() == "mailto:claire@example.org"
    return event, vevent


def test_approve_change_cancel_keep_one_event_in_sync(
    client, form_post, auth, make_room, make_stay, smtp_server
):
    djoliba = make_room(name="Djoliba", beds=2)
    niger = make_room(name="Niger", beds=2)
    start = today() + timedelta(days=30)
    stay = make_stay(start=start, nights=4, guests=2)
    staff = auth.login()

    # Approve: REQUEST.
    form_post(
        f"/staff/requests/{stay.id}/approve", {"rooms": [djoliba.id]}, page=f"/staff/requests/{stay.id}"
    )
    deliver_mail()
    approved = smtp_server.one("claire@example.org", "Séjour confirmé")
    event, vevent = check_invitation(approved, "REQUEST")
    assert str(event["UID"]) == stay.ical_uid
    assert str(event["STATUS"]) == vevent.status.value == "CONFIRMED"
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + timedelta(days=4)
    first_sequence = int(event["SEQUENCE"])

    # Change dates and rooms (the stay-edit view arrives later; the operation is what it will call).
    new_start = start + timedelta(days=7)
    db.session.refresh(stay)
    change_stay(
        stay,
        by=staff,
        arrival=new_start,
        departure=new_start + timedelta(days=2),
        room_ids=[niger.id],
        message="Vol décalé d'une semaine.",
    )
    db.session.commit()
    smtp_server_runs_after(client)
    changed = smtp_server.one("claire@example.org", "Séjour modifié")
    event2, vevent2 = check_invitation(changed, "REQUEST")
    assert str(event2["UID"]) == stay.ical_uid
    assert int(event2["SEQUENCE"]) > first_sequence
    assert event2.decoded("DTSTART") == new_start
    assert vevent2.dtend.value == new_start + timedelta(days=2)
    body = changed.get_body(preferencelist=("plain",)).get_content()
    assert (
        "Niger" in body and "Vol décalé d'une semaine." in body and "Auparavant" in body and "Djoliba" in body
    )

    # Cancel: CANCEL, same UID, higher SEQUENCE, STATUS:CANCELLED.
    response = form_post(
        f"/staff/requests/{stay.id}/cancel", {"reason": "Mission annulée."}, page=f"/staff/requests/{stay.id}"
    )
    assert response.status_code == 303
    deliver_mail()
    cancelled = smtp_server.one("claire@example.org", "Séjour annulé")
    event3, vevent3 = check_invitation(cancelled, "CANCEL")
    assert str(event3["UID"]) == stay.ical_uid
    assert int(event3["SEQUENCE"]) > int(event2["SEQUENCE"])
    assert str(event3["STATUS"]) == vevent3.status.value == "CANCELLED"
    assert event3.decoded("DTSTART") == new_start  # the event as the calendar holds it


def smtp_server_runs_after(client):
    """Changes made outside a request are sent by `mail send`, as a cron run would."""
    result = client.application.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output


def test_change_keeps_rooms_in_place_and_resets_the_reminder(auth, make_room, make_stay):
    room = make_room(beds=2)
    other = make_room(beds=2)
    staff = auth.make_staff()
    stay = make_stay(guests=2)
    stay.approve(by=staff, rooms=[room])
    stay.reminder_sent_at = stay.decided_at
    db.session.commit()
    sequence = stay.sequence
    change_stay(
        stay,
        by=staff,
        arrival=stay.arrival + timedelta(days=1),
        departure=stay.departure + timedelta(days=3),
        room_ids=[room.id, other.id],
    )
    db.session.commit()  # the kept room is updated in place: no unique-constraint clash
    rows = db.session.scalars(sa.select(RoomAssignment).order_by(RoomAssignment.room_id)).all()
    assert [(r.room_id, r.arrival, r.departure) for r in rows] == [
        (room.id, stay.arrival, stay.departure),
        (other.id, stay.arrival, stay.departure),
    ]
    assert stay.sequence == sequence + 1
    assert stay.reminder_sent_at is None  # the new arrival date gets its own reminder
    assert stay.events[-1].action == "changed"
    assert stay.events[-1].details["after"]["rooms"] == [room.name, other.name]


def test_change_onto_a_taken_room_is_refused_and_sends_nothing(auth, make_room, make_stay):
    room = make_room()
    other_room = make_room()
    staff = auth.make_staff()
    stay = make_stay(start=today() + timedelta(days=10), nights=3)
    neighbour = make_stay(start=today() + timedelta(days=13), nights=3)
    stay.approve(by=staff, rooms=[room])
    neighbour.approve(by=staff, rooms=[other_room])
    db.session.commit()
    deliver_mail()
    queued = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    with pytest.raises(BookingConflict):
        change_stay(
            stay,
            by=staff,
            arrival=stay.arrival,
            departure=stay.departure + timedelta(days=2),
            room_ids=[other_room.id],
        )
    db.session.rollback()
    deliver_mail()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == queued
    # Its own room does not conflict with itself: lengthening the stay in place works.
    change_stay(
        stay, by=staff, arrival=stay.arrival, departure=stay.departure + timedelta(days=1), room_ids=[room.id]
    )
    db.session.commit()
    deliver_mail()
    assert (
        db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "changed")).ics_method
        == "REQUEST"
    )


def test_invitation_survives_hostile_names(auth, make_room, make_stay):
    room = make_room()
    stay = make_stay(contact_name='Eve "Mallory";\r\nATTENDEE:mailto:victim@evil.example')
    stay.approve(by=auth.make_staff(), rooms=[room])
    db.session.commit()
    deliver_mail()
    ics = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "approved")).ics
    ical, vcal = parse_both(ics)
    [event] = ical.walk("VEVENT")
    assert str(event["ATTENDEE"]).lower() == "mailto:claire@example.org"  # still one attendee
    assert "victim@evil.example" not in [
        line.split(":", 1)[-1] for line in ics.splitlines() if line.startswith("ATTENDEE")
    ]
    assert len(vcal.vevent.contents["attendee"]) == 1

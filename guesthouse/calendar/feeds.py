"""What each calendar file contains and what it is called: queries in, iCalendar text out.

Feeds are written in the site's default language whatever the client sends, so that a feed's bytes,
and its ETag, depend on the data alone; a requester's stay, and its invitations, are in the language of
their request.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..bookings.choices import StayStatus
from ..bookings.models import StayRequest
from ..rooms.models import Room
from ..urls import external_url
from . import ical
from .operations import Window, approved_assignments, closures_in, staff_stays, with_rooms


def house_name() -> str:
    return current_app.config["CALENDAR_NAME"]


def feed_locale():
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def occupancy_feed(window: Window, room: Room | None = None) -> bytes:
    """The house's occupancy (or one room's), without personal data."""
    with feed_locale():
        if room is None:
            calendar = ical.new_calendar(
                name=_("%(house)s — occupation", house=house_name()),
                description=_(
                    "Chambres occupées et fermetures de la maison, sans aucune donnée personnelle."
                ),
                uid_seed="occupancy",
            )
        else:
            calendar = ical.new_calendar(
                name=_("%(house)s — %(room)s", house=house_name(), room=room.name),
                description=_(
                    "Occupation et fermetures de la chambre %(room)s, sans aucune donnée personnelle.",
                    room=room.name,
                ),
                uid_seed=f"room:{room.id}",
            )
        room_id = room.id if room else None
        assignments = approved_assignments(window, room_id)
        closures = closures_in(window, room_id)
        return ical.to_ics(ical.occupancy_calendar(calendar, assignments, closures))


def staff_feed(window: Window) -> bytes:
    """Confirmed stays, pending requests (a setting) and closures, for staff only."""
    config = current_app.config
    with feed_locale():
        calendar = ical.new_calendar(
            name=_("%(house)s — service", house=house_name()),
            description=_(
                "Séjours confirmés, demandes en attente et fermetures. Adresse personnelle : ne la partagez pas."
            ),
            uid_seed="staff",
        )
        stays = staff_stays(
            window,
            include_pending=config["STAFF_FEED_INCLUDE_PENDING"],
            max_pending=config["STAFF_FEED_MAX_PENDING"],
        )
        urls = {stay.id: external_url("staff.request_detail", stay_id=stay.id) for stay in stays}
        return ical.to_ics(ical.staff_calendar(calendar, stays, closures_in(window), urls))


def house_facts() -> ical.HouseFacts:
    """What a requester's event says of the house: its public page and the service's address."""
    config = current_app.config
    # Check-in and check-out times are left to the mails: admins change them in the house settings,
    # which the feeds' version does not follow, so a kept feed would go on showing the old ones.
    return ical.HouseFacts(
        name=house_name(),
        address=config["HOUSE_ADDRESS"],
        page_url=external_url("main.home"),
        contact_email=config["STAFF_NOTIFICATION_EMAIL"],
    )


def stay_calendar(stay: StayRequest, description: str):
    return ical.new_calendar(
        name=_("%(house)s — %(reference)s", house=house_name(), reference=stay.reference or ""),
        description=description,
        uid_seed=f"stay:{stay.ical_uid}",
    )


def stay_locale(stay: StayRequest):
    return force_locale(stay.locale or current_app.config["BABEL_DEFAULT_LOCALE"])


def stay_feed(stay: StayRequest) -> bytes:
    """The requester's approved stay; an empty calendar otherwise, so that a subscription made while it
    was approved drops the event once the stay is cancelled."""
    with stay_locale(stay):
        calendar = stay_calendar(stay, _("Votre séjour à Bamako (%(house)s).", house=house_name()))
        if stay.status == StayStatus.APPROVED:
            calendar.add_component(ical.requester_stay_event(with_rooms(stay), house_facts()))
        return ical.to_ics(calendar)


def replaced_link_feed(stay: StayRequest) -> bytes:
    """What the address of a replaced link shows: the same calendar without its event, so that a
    calendar subscribed to it drops the stay quietly instead of reporting errors for ever."""
    with stay_locale(stay):
        calendar = stay_calendar(
            stay,
            _("Cette adresse a été remplacée\u00a0: abonnez-vous à la nouvelle, reçue par courriel."),
        )
        return ical.to_ics(calendar)


def stay_invitation(stay: StayRequest, *, method: str, sequence: int, organizer: tuple[str, str]) -> str:
    """The invitation mailed to the requester: the download's event, under METHOD and this SEQUENCE.

    Written in the current locale (the mail's).
    """
    event = ical.requester_stay_event(stay, house_facts(), sequence=sequence, cancelled=method == ical.CANCEL)
    return ical.invitation(
        event, method=method, organizer=organizer, attendee=(stay.contact_name, stay.contact_email)
    )

"""The mails of the closing features: the service's message to a stay, and the waiting lists' news.

Like mail/notifications.py, each renders in the reader's language and adds its OutboxMessage to the
caller's transaction (the mail worker's) through `messages.queue`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _

from ..database import today
from ..i18n import babel_locale
from ..mail.messages import queue, requester
from ..urls import external_url
from .models import WaitlistEntry
from .operations import house_reopens_on

if TYPE_CHECKING:
    from ..bookings.models import BookingEvent, StayRequest


def notify_stay_message(stay: StayRequest, event: BookingEvent) -> None:
    """The service's message about a stay (closure, security), written once for every stay concerned."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "stay_notice",
            to=[requester(stay)],
            stay=stay,
            subject=_("Message du service au sujet de votre séjour %(reference)s", reference=stay.reference),
            message=event.message,
            status=stay.status,
            link=external_url("bookings.show", token=stay.access_token),
        )


def notify_waitlist_entry(entry: WaitlistEntry) -> None:
    """Beds free on the nights someone waited for, or the house reopening: one mail, with how to leave."""
    leave = external_url("closing.waitlist_entry", token=entry.token)
    with force_locale(babel_locale(entry.locale)):
        if entry.for_dates:
            queue(
                "waitlist_free",
                to=[(entry.contact_name, entry.email)],
                subject=_("Des lits se sont libérés pour vos dates à la Maison du Partenariat Angers-Bamako"),
                entry=entry,
                form=external_url(
                    "bookings.new",
                    arrival=entry.arrival.isoformat(),
                    departure=entry.departure.isoformat(),
                    guests=entry.guests,
                ),
                leave=leave,
            )
        else:
            queue(
                "waitlist_reopened",
                to=[(entry.contact_name, entry.email)],
                subject=_("La Maison du Partenariat Angers-Bamako rouvre"),
                entry=entry,
                reopens_on=house_reopens_on(today()),
                form=external_url("bookings.new"),
                leave=leave,
            )

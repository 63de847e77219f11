"""The waiting lists' news: beds freed on the nights someone waited for, or the house reopening.

Like mail/notifications.py (where the service's message to a stay is written, with the other mails of a
stay's events), it renders in the reader's language and adds its OutboxMessage to the caller's
transaction (the mail worker's) through `messages.queue`.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ..database import today
from ..i18n import babel_locale
from ..mail.messages import queue
from ..urls import external_url
from .models import WaitlistEntry
from .operations import house_reopens_on


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

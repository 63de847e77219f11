"""One `notify_<event>` function per email.

Each renders its text and HTML templates (`templates/emails/`) in the reader's language and adds
OutboxMessage rows to the session through `messages.queue`, in the caller's transaction (the mail
worker's, for the mails of changes: see outbox.py). None of them sends: delivery.py does, once that
transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..bookings.choices import StayStatus
from ..bookings.travellers import missing_details
from ..calendar.feeds import stay_invitation as calendar_invitation
from ..calendar.ical import CANCEL, REQUEST
from ..calendar.links import stay_subscription
from ..i18n import babel_locale, format_day
from ..urls import external_url
from .messages import organizer, queue, reply_to_requester, requester, service_mailbox, staff_locale

if TYPE_CHECKING:
    from ..bookings.models import BookingEvent, StayRequest


def stay_invitation(stay: StayRequest, method: str, event: BookingEvent) -> str:
    """The calendar part for the requester, in the current locale, numbered as of the event."""
    sequence = event.details.get("sequence", stay.sequence)
    return calendar_invitation(stay, method=method, sequence=sequence, organizer=organizer())


def was_invited(stay: StayRequest) -> bool:
    """Whether the requester got an invitation: every approval sends one, so a cancellation must follow."""
    return any(event.action == "approved" for event in stay.events)


def request_link(stay: StayRequest) -> str:
    return external_url("bookings.show", token=stay.access_token)


def travellers_link(stay: StayRequest) -> str:
    """Where the requester completes the travellers' details (open once the stay is approved)."""
    return external_url("travellers.requester_edit", token=stay.access_token)


def staff_link(stay: StayRequest) -> str:
    return external_url("staff.request_detail", stay_id=stay.id)


# -- one function per email -----------------------------------------------------------------------
def notify_submitted(stay: StayRequest, event: BookingEvent) -> None:
    """Acknowledgement to the requester; the new request to the service mailbox."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "request_received",
            to=[requester(stay)],
            stay=stay,
            subject=_("Demande de séjour reçue — %(reference)s", reference=stay.reference),
            status=StayStatus.PENDING,
            link=request_link(stay),
        )
    with force_locale(staff_locale()):
        queue(
            "staff_new_request",
            to=[service_mailbox()],
            stay=stay,
            reply_to=reply_to_requester(stay),  # staff answer the requester directly
            subject=_(
                "Nouvelle demande %(reference)s — %(organisation)s, arrivée le %(arrival)s",
                reference=stay.reference,
                organisation=stay.organisation,
                arrival=format_day(stay.arrival, "short"),
            ),
            status=StayStatus.PENDING,
            link=staff_link(stay),
        )


def notify_entered(stay: StayRequest, event: BookingEvent) -> None:
    """A stay staff entered: the requester gets its private link, unless it was approved at once (the
    confirmation carries the link) or there is no address to write to (see `queue`)."""
    if event.details.get("approved_at_once"):
        return
    with force_locale(babel_locale(stay.locale)):
        queue(
            "request_received",
            to=[requester(stay)],
            stay=stay,
            subject=_("Demande de séjour reçue — %(reference)s", reference=stay.reference),
            status=StayStatus.PENDING,
            link=request_link(stay),
        )


def notify_approved(stay: StayRequest, event: BookingEvent) -> None:
    """Confirmation with rooms, practicalities and the calendar invitation."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "approved",
            to=[requester(stay)],
            stay=stay,
            subject=_(
                "Séjour confirmé — %(reference)s, du %(arrival)s au %(departure)s",
                reference=stay.reference,
                arrival=format_day(stay.arrival, "long"),
                departure=format_day(stay.departure, "long"),
            ),
            ics=stay_invitation(stay, REQUEST, event),
            ics_method=REQUEST,
            message=event.message,
            status=StayStatus.APPROVED,
            link=request_link(stay),
            travellers_link=travellers_link(stay),
        )


def notify_rejected(stay: StayRequest, event: BookingEvent) -> None:
    """The refusal, its reason, and how to reach the service."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "refused",
            to=[requester(stay)],
            stay=stay,
            subject=_("Demande %(reference)s refusée", reference=stay.reference),
            reason=event.message,
            status=StayStatus.REJECTED,
            link=request_link(stay),
        )


def notify_cancelled(stay: StayRequest, event: BookingEvent) -> None:
    """Cancellation (by staff or by the requester), with a calendar cancellation if they were invited."""
    by_requester = event.actor_kind == "requester"
    invited = was_invited(stay)
    status = StayStatus.WITHDRAWN if event.action == "withdrawn" else StayStatus.CANCELLED
    with force_locale(babel_locale(stay.locale)):
        queue(
            "cancelled",
            to=[requester(stay)],
            stay=stay,
            subject=_("Séjour annulé — %(reference)s", reference=stay.reference)
            if invited
            else _("Demande annulée — %(reference)s", reference=stay.reference),
            ics=stay_invitation(stay, CANCEL, event) if invited else None,
            ics_method=CANCEL if invited else None,
            reason=event.message,
            by_requester=by_requester,
            was_approved=invited,
            status=status,
            link=request_link(stay),
        )
    if "notice" in event.details:
        return  # one of many cancelled by the service's message: the service wrote it, and knows
    with force_locale(staff_locale()):
        queue(
            "staff_cancelled",
            to=[service_mailbox()],
            stay=stay,
            subject=_(
                "Annulation %(reference)s — %(organisation)s",
                reference=stay.reference,
                organisation=stay.organisation,
            ),
            reason=event.message,
            by_requester=by_requester,
            actor=event.actor.name if event.actor else "",
            was_approved=invited,
            status=status,
            link=staff_link(stay),
        )


def notify_changed(stay: StayRequest, event: BookingEvent) -> None:
    """The new dates or rooms of an approved stay, with the updated invitation (same UID, next SEQUENCE)."""
    before = event.details.get("before", {})
    with force_locale(babel_locale(stay.locale)):
        queue(
            "changed",
            to=[requester(stay)],
            stay=stay,
            subject=_(
                "Séjour modifié — %(reference)s, du %(arrival)s au %(departure)s",
                reference=stay.reference,
                arrival=format_day(stay.arrival, "long"),
                departure=format_day(stay.departure, "long"),
            ),
            ics=stay_invitation(stay, REQUEST, event),
            ics_method=REQUEST,
            before_arrival=date.fromisoformat(before["arrival"]) if "arrival" in before else None,
            before_departure=date.fromisoformat(before["departure"]) if "departure" in before else None,
            before_rooms=before.get("rooms", []),
            message=event.message,
            status=StayStatus.APPROVED,
            link=request_link(stay),
            travellers_link=travellers_link(stay),
        )


def notify_change_requested(stay: StayRequest, event: BookingEvent) -> None:
    """The service learns of a requested change, as a before/after list."""
    before, after = event.details.get("before", {}), event.details.get("after", {})
    with force_locale(staff_locale()):
        labels = {"arrival": _("Arrivée"), "departure": _("Départ"), "guests": _("Voyageurs")}
        rows = []
        for key in ("arrival", "departure", "guests"):
            if key in before and before.get(key) != after.get(key):
                shown = [
                    format_day(date.fromisoformat(value), "long") if key != "guests" else value
                    for value in (before[key], after[key])
                ]
                rows.append((key, *shown))
        queue(
            "change_requested",
            to=[service_mailbox()],
            stay=stay,
            reply_to=reply_to_requester(stay),
            subject=_("Modification demandée — %(reference)s", reference=stay.reference),
            rows=rows,
            labels=labels,
            message=event.message,
            status=StayStatus.APPROVED,
            link=staff_link(stay),
        )


def notify_change_refused(stay: StayRequest, event: BookingEvent) -> None:
    """The requester learns that their stay stays as it was, and why."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "change_refused",
            to=[requester(stay)],
            stay=stay,
            subject=_("Modification refusée — %(reference)s", reference=stay.reference),
            reason=event.message,
            status=StayStatus.APPROVED,
            link=request_link(stay),
        )


def notify_link_renewed(stay: StayRequest, event: BookingEvent) -> None:
    """The requester's new private link, after staff replaced the old one."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "link_renewed",
            to=[requester(stay)],
            stay=stay,
            subject=_("Nouveau lien pour votre demande %(reference)s", reference=stay.reference),
            link=request_link(stay),
            subscription=stay_subscription(stay),
        )


def notify_lost_links(stays: list[StayRequest]) -> None:
    """The links of every request of one address, sent to that address only, in its latest language."""
    with force_locale(babel_locale(stays[0].locale)):
        queue(
            "lost_links",
            to=[requester(stays[0])],
            subject=_("Vos demandes de séjour à la Maison du Partenariat Angers-Bamako"),
            links=[(stay, request_link(stay)) for stay in stays],
        )


def notify_reminder(stay: StayRequest, today: date) -> None:
    """A few days before arrival: the dates, rooms and practicalities again, and what the travellers' details still lack."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "reminder",
            to=[requester(stay)],
            stay=stay,
            subject=_(
                "Votre arrivée à Bamako le %(arrival)s — %(reference)s",
                arrival=format_day(stay.arrival, "long"),
                reference=stay.reference,
            ),
            days=(stay.arrival - today).days,
            status=StayStatus.APPROVED,
            link=request_link(stay),
            # What the travellers' records still lack, and where the requester completes them.
            missing=missing_details(stay),
            travellers_link=travellers_link(stay),
        )


def notify_digest(stays: list[StayRequest], total: int, days: int) -> None:
    """One mail to the service listing the requests that have waited too long."""
    with force_locale(staff_locale()):
        queue(
            "staff_digest",
            to=[service_mailbox()],
            subject=ngettext(
                "%(num)s demande en attente depuis plus de %(days)s",
                "%(num)s demandes en attente depuis plus de %(days)s",
                total,
                days=ngettext("%(num)s jour", "%(num)s jours", days),
            ),
            stays=[(stay, staff_link(stay)) for stay in stays],
            total=total,
            days=days,
            dashboard=external_url("staff.dashboard"),
        )


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
            link=request_link(stay),
        )


# What each BookingEvent action sends (its keys are bookings.models.MAILED_ACTIONS); see outbox.py.
ON_EVENT: dict[str, Callable[[StayRequest, BookingEvent], None]] = {
    "submitted": notify_submitted,
    "entered": notify_entered,
    "approved": notify_approved,
    "rejected": notify_rejected,
    "cancelled": notify_cancelled,
    "withdrawn": notify_cancelled,
    "changed": notify_changed,
    "link_revoked": notify_link_renewed,
    "change_requested": notify_change_requested,
    "change_refused": notify_change_refused,
    "notified": notify_stay_message,
}


def notify_event(event: BookingEvent) -> None:
    stay = event.stay
    # An anonymised request has no one left to write to.
    if stay is None or stay.anonymised_at is not None:
        return
    handler = ON_EVENT.get(event.action)
    if handler is not None:
        handler(stay, event)

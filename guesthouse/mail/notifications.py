"""One `notify_<event>` function per email.

Each renders its text and HTML templates (`templates/emails/`) in the reader's language and adds
OutboxMessage rows to the session, in the caller's transaction (the mail worker's, for the mails of
changes: see outbox.py). None of them sends: delivery.py does, once that transaction has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ..bookings.travellers import missing_details
from ..calendar.feeds import stay_invitation as calendar_invitation
from ..calendar.ical import CANCEL, REQUEST
from ..calendar.links import stay_subscription
from ..extensions import db
from ..house.models import house_settings
from ..i18n import babel_locale, language
from .compose import UnsafeHeader, checked_address, one_line
from .models import LinkRequest, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from ..bookings.models import BookingEvent, StayRequest


# -- addresses and links --------------------------------------------------------------------------
def absolute_url(endpoint: str, **values) -> str:
    """A link for a mail, on BASE_URL: never the Host header of whoever caused the mail.

    Built from the URL map rather than url_for, which outside a request needs SERVER_NAME and inside
    one would use the request's host.
    """
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def service_mailbox() -> tuple[str, str]:
    """The service's name (from the sender) and its notification mailbox."""
    name, _address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return name, current_app.config["STAFF_NOTIFICATION_EMAIL"]


def organizer() -> tuple[str, str]:
    """The invitations' ORGANIZER: the address the mails come from, so that updates are accepted."""
    return parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])


def requester(stay: StayRequest) -> tuple[str, str]:
    return stay.contact_name, stay.contact_email


def reply_to_requester(stay: StayRequest) -> tuple[str, str] | None:
    """The requester as Reply-To of a staff mail, unless their address is unusable in a header.

    A bad address must cost only the mail to that address, never the service's own notification.
    """
    try:
        return checked_address(*requester(stay))
    except UnsafeHeader:
        return None


def staff_locale() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def default_signature() -> str:
    """The signature when none is configured: translated, so that an English mail ends in English."""
    return "\n".join(
        (
            _("Maison du Partenariat Angers-Bamako"),
            _("Ville d'Angers — Service des Relations Internationales"),
            current_app.config["STAFF_NOTIFICATION_EMAIL"],
        )
    )


def new_message_id(kind: str) -> str:
    _name, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    domain = sender.rpartition("@")[2] or urlsplit(current_app.config["BASE_URL"]).hostname or "mpab"
    return f"<{uuid.uuid4().hex}.{kind}@{domain}>"


def house() -> dict[str, str]:
    """What mails quote of the house: fixed facts from the config, rules as admins set them."""
    config = current_app.config
    settings = house_settings()
    locale = language()
    return {
        "address": config["HOUSE_ADDRESS"],
        "phone": config["HOUSE_PHONE"],
        "check_in": settings.check_in_time,
        "check_out": settings.check_out_time,
        "rules": settings.rules(locale),
        "practical": settings.practical(locale),
    }


# -- queueing -------------------------------------------------------------------------------------
def queue(
    kind: str,
    *,
    to: list[tuple[str, str]],
    subject: str,
    stay: StayRequest | None = None,
    reply_to: tuple[str, str] | None = None,
    ics: str | None = None,
    ics_method: str | None = None,
    **context,
) -> OutboxMessage:
    """Render emails/<kind>.txt and .html in the current locale and add the message to the session."""
    config = current_app.config
    context.update(
        stay=stay,
        house=house(),
        signature=config["MAIL_SIGNATURE"] or default_signature(),
        service_email=config["STAFF_NOTIFICATION_EMAIL"],
        locale=language(),
    )
    if reply_to is None:
        reply_to = parseaddr(config["MAIL_REPLY_TO"] or config["STAFF_NOTIFICATION_EMAIL"])
    message = OutboxMessage(
        message_id=new_message_id(kind),
        kind=kind,
        locale=language(),
        sender=config["MAIL_DEFAULT_SENDER"],
        to=[[one_line(name), address] for name, address in to],
        cc=[],
        reply_to=[one_line(reply_to[0]), reply_to[1]] if reply_to else None,
        subject=one_line(subject, 300),
        text_body=render_template(f"emails/{kind}.txt", **context),
        html_body=render_template(f"emails/{kind}.html", **context),
        ics=ics,
        ics_method=ics_method,
        stay_id=stay.id if stay is not None else None,
    )
    db.session.add(message)
    return message


def unwritten_mail(cause: BookingEvent | LinkRequest, error: str) -> OutboxMessage:
    """What admins see of the mails an event or a lost-link request should have caused, unwritten.

    Stored as failed, without recipients or text, so that nothing half-written ever leaves.
    """
    stay, action = (None, "lost_links") if isinstance(cause, LinkRequest) else (cause.stay, cause.action)
    with force_locale(staff_locale()):
        subject = _(
            "E-mail non rédigé — %(reference)s (%(action)s)",
            reference=stay.reference if stay is not None else "?",
            action=action,
        )
    return OutboxMessage(
        message_id=new_message_id("unwritten"),
        kind="unwritten",
        locale=staff_locale(),
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[],
        cc=[],
        reply_to=None,
        subject=one_line(subject, 300),
        text_body="",
        html_body="",
        status=OutboxStatus.FAILED,
        last_error=f"rédaction impossible : {error}"[:2000],
        stay_id=stay.id if stay is not None else None,
    )


def stay_invitation(stay: StayRequest, method: str, event: BookingEvent | None = None) -> str:
    """The calendar part for the requester, in the current locale, numbered as of the event."""
    sequence = (event.details or {}).get("sequence", stay.sequence) if event else stay.sequence
    return calendar_invitation(stay, method=method, sequence=sequence, organizer=organizer())


def was_invited(stay: StayRequest) -> bool:
    """Whether the requester got an invitation: every approval sends one, so a cancellation must follow."""
    return any(event.action == "approved" for event in stay.events)


def request_link(stay: StayRequest) -> str:
    return absolute_url("bookings.show", token=stay.access_token)


def staff_link(stay: StayRequest) -> str:
    return absolute_url("staff.request_detail", stay_id=stay.id)


# -- one function per email -----------------------------------------------------------------------
def notify_submitted(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """Acknowledgement to the requester; the new request to the service mailbox."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "request_received",
            to=[requester(stay)],
            stay=stay,
            subject=_("Demande de séjour reçue — %(reference)s", reference=stay.reference),
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
                arrival=format_date(stay.arrival, "short"),
            ),
            link=staff_link(stay),
        )


def notify_approved(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """Confirmation with rooms, practicalities and the calendar invitation."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "approved",
            to=[requester(stay)],
            stay=stay,
            subject=_(
                "Séjour confirmé — %(reference)s, du %(arrival)s au %(departure)s",
                reference=stay.reference,
                arrival=format_date(stay.arrival, "long"),
                departure=format_date(stay.departure, "long"),
            ),
            ics=stay_invitation(stay, REQUEST, event),
            ics_method=REQUEST,
            message=event.message if event else "",
            link=request_link(stay),
            show_rooms=True,
        )


def notify_rejected(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """The refusal, its reason, and how to reach the service."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "refused",
            to=[requester(stay)],
            stay=stay,
            subject=_("Demande %(reference)s refusée", reference=stay.reference),
            reason=event.message if event else "",
            link=request_link(stay),
        )


def notify_cancelled(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """Cancellation (by staff or by the requester), with a calendar cancellation if they were invited."""
    by_requester = event is not None and event.actor_kind == "requester"
    invited = was_invited(stay)
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
            reason=event.message if event else "",
            by_requester=by_requester,
            was_approved=invited,
            link=request_link(stay),
        )
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
            reason=event.message if event else "",
            by_requester=by_requester,
            actor=event.actor.name if event is not None and event.actor else "",
            was_approved=invited,
            link=staff_link(stay),
        )


def notify_changed(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """The new dates or rooms of an approved stay, with the updated invitation (same UID, next SEQUENCE)."""
    before = (event.details or {}).get("before", {}) if event else {}
    with force_locale(babel_locale(stay.locale)):
        queue(
            "changed",
            to=[requester(stay)],
            stay=stay,
            subject=_(
                "Séjour modifié — %(reference)s, du %(arrival)s au %(departure)s",
                reference=stay.reference,
                arrival=format_date(stay.arrival, "long"),
                departure=format_date(stay.departure, "long"),
            ),
            ics=stay_invitation(stay, REQUEST, event),
            ics_method=REQUEST,
            before_arrival=date.fromisoformat(before["arrival"]) if "arrival" in before else None,
            before_departure=date.fromisoformat(before["departure"]) if "departure" in before else None,
            before_rooms=before.get("rooms", []),
            message=event.message if event else "",
            link=request_link(stay),
            show_rooms=True,
        )


def notify_change_requested(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """The service learns of a requested change, as a before/after list."""
    details = (event.details or {}) if event else {}
    before, after = details.get("before", {}), details.get("after", {})
    with force_locale(staff_locale()):
        labels = {"arrival": _("Arrivée"), "departure": _("Départ"), "guests": _("Voyageurs")}
        rows = []
        for key in ("arrival", "departure", "guests"):
            if key in before and before.get(key) != after.get(key):
                shown = [
                    format_date(date.fromisoformat(value), "long") if key != "guests" else value
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
            message=event.message if event else "",
            link=staff_link(stay),
        )


def notify_change_refused(stay: StayRequest, event: BookingEvent | None = None) -> None:
    """The requester learns that their stay stays as it was, and why."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "change_refused",
            to=[requester(stay)],
            stay=stay,
            subject=_("Modification refusée — %(reference)s", reference=stay.reference),
            reason=event.message if event else "",
            link=request_link(stay),
        )


def notify_link_renewed(stay: StayRequest, event: BookingEvent | None = None) -> None:
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
    """A few days before arrival: the dates, rooms and practicalities again."""
    with force_locale(babel_locale(stay.locale)):
        queue(
            "reminder",
            to=[requester(stay)],
            stay=stay,
            subject=_(
                "Votre arrivée à Bamako le %(arrival)s — %(reference)s",
                arrival=format_date(stay.arrival, "long"),
                reference=stay.reference,
            ),
            days=(stay.arrival - today).days,
            link=request_link(stay),
            show_rooms=True,
            # What the travellers' records still lack, and where the requester completes them.
            missing=missing_details(stay),
            travellers_link=absolute_url("travellers.requester_edit", token=stay.access_token),
        )


def notify_digest(stays: list[StayRequest], total: int, days: int) -> None:
    """One mail to the service listing the requests that have waited too long."""
    with force_locale(staff_locale()):
        queue(
            "staff_digest",
            to=[service_mailbox()],
            subject=_(
                "%(count)s demande(s) en attente depuis plus de %(days)s jours", count=total, days=days
            ),
            stays=[(stay, staff_link(stay)) for stay in stays],
            total=total,
            days=days,
            dashboard=absolute_url("staff.dashboard"),
        )


# What each BookingEvent action sends (its keys are bookings.models.MAILED_ACTIONS); see outbox.py.
ON_EVENT: dict[str, Callable[[StayRequest, BookingEvent], None]] = {
    "submitted": notify_submitted,
    "approved": notify_approved,
    "rejected": notify_rejected,
    "cancelled": notify_cancelled,
    "withdrawn": notify_cancelled,
    "changed": notify_changed,
    "link_revoked": notify_link_renewed,
    "change_requested": notify_change_requested,
    "change_refused": notify_change_refused,
}


def notify_event(event: BookingEvent) -> None:
    stay = event.stay
    # An anonymised request has no one left to write to.
    if stay is None or stay.anonymised_at is not None:
        return
    handler = ON_EVENT.get(event.action)
    if handler is not None:
        handler(stay, event)

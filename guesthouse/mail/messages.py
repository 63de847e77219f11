"""Writing one mail: its addresses, its text in the reader's language, stored as an OutboxMessage.

The `notify_<event>` functions (notifications.py) say what each mail holds; `queue` renders and stores
it in the caller's transaction, and delivery.py sends it once that transaction has committed.
"""

from __future__ import annotations

import uuid
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from ..closing.models import WaitlistEntry, notice_row
from ..extensions import db
from ..house.models import house_settings
from ..i18n import babel_locale, language
from .compose import UnsafeHeader, checked_address, one_line
from .models import LinkRequest, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from ..bookings.models import BookingEvent, StayRequest


# -- addresses ------------------------------------------------------------------------------------
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
    if not stay.contact_email:  # a stay staff entered without an address
        return None
    try:
        return checked_address(*requester(stay))
    except UnsafeHeader:
        return None


def staff_locale() -> str:
    """The Babel locale of the service's mails (English dates as in the UK, as for requesters)."""
    return babel_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


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


def mail_notice(to: list[tuple[str, str]]) -> str:
    """The house notice at the top of a mail to a requester, when admins chose so; never to the service.

    Read afresh for each mail: the worker lives longer than any notice.
    """
    if [address for _name, address in to] == [current_app.config["STAFF_NOTIFICATION_EMAIL"]]:
        return ""
    notice = notice_row()
    return notice.text(language()) if notice is not None and notice.shown and notice.in_mails else ""


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
) -> OutboxMessage | None:
    """Render emails/<kind>.txt and .html in the current locale and add the message to the session.

    A mail about a stay is given the `status` it announces: the worker renders it after the commit, when
    a later change may already have moved the stay on, and a confirmation must still read "confirmed".
    Recipients without an address are left out, and a mail left with nobody is not written: a stay
    staff entered without an e-mail address (a phone call) has no requester to write to.
    """
    to = [(name, address) for name, address in to if address]
    if not to:
        return None
    config = current_app.config
    context.update(
        stay=stay,
        house=house(),
        signature=config["MAIL_SIGNATURE"] or default_signature(),
        service_email=config["STAFF_NOTIFICATION_EMAIL"],
        locale=language(),
        notice=mail_notice(to),
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


def unwritten_mail(cause: BookingEvent | LinkRequest | WaitlistEntry, error: str) -> OutboxMessage:
    """What admins see of the mails an event or a lost-link request should have caused, unwritten.

    Stored as failed, without recipients or text, so that nothing half-written ever leaves.
    """
    if isinstance(cause, LinkRequest):
        stay, action = None, "lost_links"
    elif isinstance(cause, WaitlistEntry):
        stay, action = None, f"waitlist_{cause.kind}"
    else:
        stay, action = cause.stay, cause.action
    with force_locale(staff_locale()):
        subject = _(
            "E-mail non rédigé — %(reference)s (%(action)s)",
            reference=stay.reference if stay is not None else "?",
            action=action,
        )
    return OutboxMessage(
        message_id=new_message_id("unwritten"),
        kind="unwritten",
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        to=[],
        cc=[],
        reply_to=None,
        subject=one_line(subject, 300),
        text_body="",
        html_body="",
        status=OutboxStatus.FAILED,
        last_error=f"rédaction impossible : {error}"[:2000],
        stay_id=stay.id if stay is not None else None,
    )

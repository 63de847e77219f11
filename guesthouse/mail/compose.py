"""Turn an outbox row into a MIME message, refusing anything that could forge a header."""

from __future__ import annotations

import re
from email import charset as email_charset
from email.mime.text import MIMEText
from email.utils import formataddr, parseaddr

from flask_mail import Message

from .models import OutboxMessage

# CR and LF end a header line; the other control characters and Unicode line breaks have no place in
# one either, and some mail software treats them as line ends.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# A plain addr-spec: no spaces, no angle brackets, commas or quotes that could smuggle in a second
# address or a header. The forms already validate addresses; this guards every other path.
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+")


class UnsafeHeader(ValueError):
    """A value that would reach a mail header carries a line break or is not an address."""


def one_line(value: object, limit: int = 200) -> str:
    """Text fit for a header: control characters become spaces, runs of spaces collapse."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())[:limit]


def checked_address(name: str, address: str) -> tuple[str, str]:
    """A (display name, address) pair safe for a header and the SMTP envelope, or UnsafeHeader.

    An internationalised domain is given in its ASCII (IDNA) form. A non-ASCII local part (josé@…)
    would need SMTPUTF8, which Flask-Mail cannot produce: it is refused here, and by the forms.
    """
    if _CONTROL.search(address) or not _ADDRESS.fullmatch(address):
        raise UnsafeHeader(f"address refused: {address!r}")
    local, _at, domain = address.rpartition("@")
    if not local.isascii():
        raise UnsafeHeader(f"non-ASCII local part (needs SMTPUTF8): {address!r}")
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise UnsafeHeader(f"domain refused: {address!r}") from error
    return one_line(name), f"{local}@{domain}"


def checked_mailbox(value: str) -> tuple[str, str]:
    """A configured "Name <address>" (or bare address), checked like any other."""
    if _CONTROL.search(value):
        raise UnsafeHeader(f"address refused: {value!r}")
    name, address = parseaddr(value)
    return checked_address(name, address)


class CalendarMessage(Message):
    """Flask-Mail's message, with its text parts quoted-printable and an iTIP method on the invitation.

    Flask-Mail sends text parts as 8-bit, unwrapped: a requester's long paragraph would give lines over
    SMTP's 998-octet limit. RFC 6047 asks the text/calendar part to say its METHOD in a `method=`
    parameter, which is how Gmail, Outlook and Apple Mail recognise an invitation or a cancellation.
    Both are done where Flask-Mail builds each text part; tests/test_invitations.py checks the result.
    """

    def __init__(self, *args, ics_method: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ics_method = ics_method

    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        utf8 = email_charset.Charset("utf-8")
        utf8.header_encoding = email_charset.SHORTEST
        utf8.body_encoding = email_charset.QP
        part = MIMEText(text or "", _subtype=subtype, _charset=utf8)
        if subtype == "calendar" and self.ics_method:
            part.set_param("method", self.ics_method)
        return part


def compose(row: OutboxMessage) -> CalendarMessage:
    """The message exactly as it goes out; the same bytes on every attempt but for the Date."""
    subject = row.subject
    if _CONTROL.search(subject):
        raise UnsafeHeader(f"subject refused: {subject!r}")
    message = CalendarMessage(
        subject=subject,
        sender=formataddr(checked_mailbox(row.sender)),
        recipients=[checked_address(name, address) for name, address in row.to],
        cc=[checked_address(name, address) for name, address in row.cc or []],
        reply_to=checked_address(*row.reply_to) if row.reply_to else None,
        body=row.text_body,
        html=row.html_body,
        date=row.created_at.timestamp(),
        extra_headers={
            # RFC 3834: no auto-replies, no vacation notices back to the service.
            "Auto-Submitted": "auto-generated",
            "Content-Language": one_line(row.locale, 8),
        },
        ics_method=row.ics_method,
    )
    message.msgId = row.message_id
    if row.ics:
        message.alts["calendar"] = row.ics
        message.attach("invitation.ics", "application/ics", row.ics.encode("utf-8"))
    if message.has_bad_headers():  # Flask-Mail's own check, on top of ours
        raise UnsafeHeader("a header would span several lines")
    return message

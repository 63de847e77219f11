"""Turn an outbox row into the message as it goes out, refusing anything that could forge a header.

The message is the standard library's: an `EmailMessage` under `policy.SMTP`, whose parts are as calendar
clients want them (see `compose`). The headers that carry what people type — names in From, To, Cc and
Reply-To, and the subject — are encoded here, by `_header`, because Python 3.11's folder does not keep
them intact: a quoted name longer than a line loses its quotes (`"Dupont, Jean, …" <jb@…>` becomes a list
of addresses), and a name or subject holding `=?…?=` is read as an encoded word and changed. `_header`
writes words that need no encoding as they are (a plain ASCII `From:`), quotes ASCII words with
specials, turns every other run of words into RFC 2047 encoded words of at most 75 characters, and
folds between words, never inside one; tests/test_mail_names.py reads the result back.
"""

from __future__ import annotations

import base64
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import parseaddr
from typing import NamedTuple

from .models import OutboxMessage

# CR and LF end a header line; the other control characters and Unicode line breaks have no place in
# one either, and some mail software treats them as line ends.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
# A plain addr-spec: no spaces, no angle brackets, commas or quotes that could smuggle in a second
# address or a header. The forms already validate addresses; this guards every other path.
_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"\\]+@[^\s@<>()\[\],;:\"\\]+")
_MESSAGE_ID = re.compile(r"<[^\s<>@]+@[^\s<>@]+>")


class UnsafeHeader(ValueError):
    """A value that would reach a mail header carries a line break or is not an address."""


def one_line(value: object, limit: int = 200) -> str:
    """Text fit for a header: control characters become spaces, runs of spaces collapse."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())[:limit]


def checked_address(name: str, address: str) -> tuple[str, str]:
    """A (display name, address) pair safe for a header and the SMTP envelope, or UnsafeHeader.

    An internationalised domain is given in its ASCII (IDNA) form. A non-ASCII local part (josé@…)
    would need SMTPUTF8, which the mails here do not use: it is refused here, and by the forms.
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


# -- headers --------------------------------------------------------------------------------------
class _Encoded(str):
    """A header value `_header` encoded and folded: written out exactly as it is."""


class _Policy(EmailPolicy):
    """`policy.SMTP` (CRLF line ends), writing the values `_header` made as they are."""

    def header_store_parse(self, name, value):
        if isinstance(value, _Encoded):
            return name, value
        return super().header_store_parse(name, value)


SMTP = _Policy(linesep="\r\n", refold_source="none")

_LINE = 78  # RFC 5322's recommended line length, which policy.SMTP folds to as well
_ENCODED_WORD = 75  # RFC 2047's limit, delimiters included
_CHROME = len("=?utf-8?q??=")
_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+")
_PRINTABLE = re.compile(r"[\x20-\x7e]+")
_Q_LITERAL = re.compile(r"[A-Za-z0-9!*+\-/]")  # what RFC 2047 allows unencoded in a phrase
_LONGEST_WORD = 60  # longer words are encoded, so that any word fits on a line after any header name


class _Run(str):
    """Words to write as encoded words, with the spaces between them."""


def _q(char: str) -> str:
    if char == " ":
        return "_"
    return char if _Q_LITERAL.fullmatch(char) else "".join(f"={byte:02X}" for byte in char.encode())


def _encoded_word(text: str, room: int) -> tuple[str, str]:
    """The longest start of `text` that fits in one encoded word of `room` characters, and the rest.

    Whole characters only (RFC 2047 §5). Q encoding, which leaves most of a French text readable in the
    raw message, unless most characters are not ASCII: base64 is shorter then.
    """
    if 2 * sum(char.isascii() for char in text) >= len(text):
        size, taken = _CHROME, 0
        for char in text:
            size += len(_q(char))
            if size > room:
                break
            taken += 1
        return f"=?utf-8?q?{''.join(_q(char) for char in text[:taken])}?=", text[taken:]
    most = (room - _CHROME) // 4 * 3  # bytes
    size, taken = 0, 0
    for char in text:
        size += len(char.encode())
        if size > most:
            break
        taken += 1
    encoded = base64.b64encode(text[:taken].encode()).decode("ascii")
    return f"=?utf-8?b?{encoded}?=", text[taken:]


def _words(text: str, literal) -> list[str]:
    """Words written as they are (`literal` says how, or None), and runs of the others to encode."""
    words = text.split(" ")
    if "" in words:  # leading, trailing or doubled spaces: only encoded words keep each one
        return [_Run(text)]
    out: list[str] = []
    for word in words:
        written = literal(word) if "=?" not in word else None
        if written is not None and len(written) <= _LONGEST_WORD:
            out.append(written)
        elif out and isinstance(out[-1], _Run):
            # Joined, not separate words: readers drop the space between two encoded words.
            out[-1] = _Run(f"{out[-1]} {word}")
        else:
            out.append(_Run(word))
    return out


def _phrase_word(word: str) -> str | None:
    if _ATOM.fullmatch(word):
        return word
    if _PRINTABLE.fullmatch(word):
        return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return None


def _text_word(word: str) -> str | None:
    return word if _PRINTABLE.fullmatch(word) else None


def _phrase(name: str) -> list[str]:
    """A display name: atoms when it can be, one quoted string when it is short ASCII, else word by word."""
    if "=?" not in name and not all(_ATOM.fullmatch(word) for word in name.split(" ")):
        quoted = _phrase_word(name)
        if quoted is not None and len(quoted) <= _LONGEST_WORD:
            return [quoted]
    return _words(name, _phrase_word)


def _header(name: str, words: list[str]) -> _Encoded:
    """The words separated by spaces, a line folded before it passes 78 characters."""
    start = f"{name}:"
    lines = [start]

    def place(word: str) -> None:
        if lines[-1] not in ("", start) and len(lines[-1]) + 1 + len(word) > _LINE:
            lines.append("")
        lines[-1] += " " + word

    for word in words:
        if not isinstance(word, _Run):
            place(word)
            continue
        rest = str(word)
        while rest:
            room = min(_ENCODED_WORD, _LINE - len(lines[-1]) - 1)
            if room < _CHROME + 12:  # not even one four-byte character: a new line
                lines.append("")
                room = _ENCODED_WORD
            encoded, rest = _encoded_word(rest, room)
            lines[-1] += " " + encoded
    return _Encoded("\r\n".join(lines)[len(name) + 2 :])


def _mailboxes(name: str, addresses: list[Address]) -> _Encoded:
    words: list[str] = []
    for index, address in enumerate(addresses):
        comma = "," if index < len(addresses) - 1 else ""
        if address.display_name:
            words += [*_phrase(address.display_name), f"<{address.addr_spec}>{comma}"]
        else:
            words.append(f"{address.addr_spec}{comma}")
    return _header(name, words)


def _address(name: str, address: str) -> Address:
    """An address already checked by checked_address, as the email package holds it."""
    try:
        return Address(display_name=name, addr_spec=address)
    except ValueError as error:  # what the regular expression let through and RFC 5322 does not
        raise UnsafeHeader(f"address refused: {address!r}") from error


def _message_id(value: str) -> _Encoded:
    if not _MESSAGE_ID.fullmatch(value):
        raise UnsafeHeader(f"Message-ID refused: {value!r}")
    left, _at, domain = value[1:-1].rpartition("@")
    return _Encoded(f"<{left}@{domain.encode('idna').decode('ascii')}>")


# -- the message ----------------------------------------------------------------------------------
class Composed(NamedTuple):
    message: EmailMessage
    envelope_from: str
    recipients: list[str]  # To and Cc, checked, internationalised domains in their ASCII form


def compose(row: OutboxMessage) -> Composed:
    """The message as it goes out; the same message, Message-ID and Date on every attempt.

    A multipart/alternative of the text, the HTML and, for an invitation, the text/calendar part with
    its iTIP method as a `method=` parameter (RFC 6047: how Gmail, Outlook and Apple Mail recognise an
    invitation or a cancellation), then wrapped in multipart/mixed with the same calendar as
    invitation.ics for the others. Text parts are quoted-printable: a requester's long paragraph stays
    under SMTP's 998-octet line limit. tests/test_invitations.py checks what calendar clients need.
    """
    if _CONTROL.search(row.subject):
        raise UnsafeHeader(f"subject refused: {row.subject!r}")
    sender = _address(*checked_mailbox(row.sender))
    to = [_address(*checked_address(name, address)) for name, address in row.to]
    cc = [_address(*checked_address(name, address)) for name, address in row.cc or []]
    message = EmailMessage(policy=SMTP)
    message["From"] = _mailboxes("From", [sender])
    message["To"] = _mailboxes("To", to)
    if cc:
        message["Cc"] = _mailboxes("Cc", cc)
    if row.reply_to:
        message["Reply-To"] = _mailboxes("Reply-To", [_address(*checked_address(*row.reply_to))])
    message["Subject"] = _header("Subject", _words(row.subject, _text_word))
    message["Date"] = row.created_at
    message["Message-ID"] = _message_id(row.message_id)
    # RFC 3834: no auto-replies, no vacation notices back to the service.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.text_body, cte="quoted-printable")
    message.add_alternative(row.html_body, subtype="html", cte="quoted-printable")
    if row.ics:
        method = {"method": row.ics_method} if row.ics_method else None
        message.add_alternative(row.ics, subtype="calendar", cte="quoted-printable", params=method)
        message.add_attachment(
            row.ics.encode(), maintype="application", subtype="ics", filename="invitation.ics"
        )
    for part in list(message.walk())[1:]:
        del part["MIME-Version"]  # the email package gives every part one; it belongs to the message
    # After the parts: making a message multipart moves its Content-* headers into the first part.
    message["Content-Language"] = one_line(row.locale, 8)
    return Composed(message, sender.addr_spec, [address.addr_spec for address in [*to, *cc]])

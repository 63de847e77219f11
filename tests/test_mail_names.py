"""Any name and any subject reach the reader unchanged: one address per header, the text as written.

Each mail is read back from the bytes the SMTP server received, by the standard library's strict parser.
"""

from email import policy
from email._header_value_parser import EWWhiteSpaceTerminal
from email.parser import BytesParser
from email.utils import parseaddr

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guesthouse.extensions import db, limiter
from guesthouse.forms import single_line
from guesthouse.mail.models import OutboxMessage

from .conftest import valid_request_form

STRICT = BytesParser(policy=policy.strict)
SERVICE = "mpab@localhost"
NAMES = [
    "Dupont, Jean-Baptiste (Association Angers Loire)",
    "Jean Dupont de la Fontaine-Martin des Vignes, <victim@evil.example>",
    'Eve "Mallory" O\'Brien; <victim@evil.example>, other@evil.example',
    'Back\\slash "quoted\\" ; semi: colon @ at',
    "Awa Traoré — Zoë Ñandú 🎉👩🏾‍🌾",
    "=?utf-8?q?victim=40evil.example?= =?utf-8?b?PHZpY3RpbUBldmlsLmV4YW1wbGU+?=",
    "J. R. R. Tolkien",
    ("Dupont, Jean-Baptiste (Association Angers Loire) " * 4)[:150].strip(),
    "a,b" * 50,
    "é" * 150,
    ("Zoë 👩🏾‍🌾 Ñandú, « Kéïta » <x@y>; " * 6)[:150].strip(),
]


def display_name(header) -> str:
    """The one display name of an address header, as mail programs read it.

    RFC 2047 §6.2: the white space between two encoded words is not text. Python 3.11's parser keeps it
    (CPython gh-128110), adding a space inside a long non-ASCII name that fills several encoded words;
    this drops it from the parsed tree the way the upstream fix does.
    """
    [mailbox] = header._parse_tree.all_mailboxes
    if mailbox[0].token_type != "name-addr" or mailbox[0][0].token_type != "display-name":
        return ""
    words = list(mailbox[0][0])

    def encoded(word) -> bool:
        return word.token_type == "atom" and any(token.token_type == "encoded-word" for token in word)

    for word, following in zip(words, words[1:], strict=False):
        if encoded(word) and encoded(following) and word[-1].token_type == "cfws":
            word[-1] = EWWhiteSpaceTerminal(str(word[-1]), "fws")
    return mailbox.display_name


def read_back(smtp_server) -> dict[str, object]:
    """Every received mail parsed again by the strict parser, by Message-ID."""
    messages = [STRICT.parsebytes(raw) for raw in smtp_server.raw]
    return {message["Message-ID"]: message for message in messages}


def assert_as_stored(message, row: OutboxMessage) -> None:
    """From, To, Reply-To: exactly one address each, the stored one; the subject exactly as stored."""
    expected = {"From": parseaddr(row.sender), "To": tuple(row.to[0]), "Reply-To": row.reply_to}
    for name, stored in expected.items():
        header = message[name]
        if stored is None:
            assert header is None
            continue
        assert header.defects == (), (name, header.defects)
        [address] = header.addresses  # one address, never two
        assert (display_name(header), address.addr_spec) == tuple(stored), (name, str(header))
    assert message["Subject"].defects == ()
    assert str(message["Subject"]) == row.subject


def new_rows(after: int) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id)
        )
    )


def last_id() -> int:
    return db.session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0


def submit_and_send(form_post, runner, **fields) -> list[OutboxMessage]:
    """Submit the public form, have the queue sent, and return the mails it caused."""
    before = last_id()
    response = form_post("/requests/new", valid_request_form(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return new_rows(before)


@pytest.mark.parametrize("name", NAMES)
def test_requester_names_stay_one_display_name(form_post, runner, make_room, smtp_server, name):
    make_room(beds=4)
    rows = submit_and_send(form_post, runner, contact_name=name, organisation=name)
    received = read_back(smtp_server)
    assert len(received) == len(rows) == 2
    for row in rows:
        assert_as_stored(received[row.message_id], row)
    ack, notice = (received[row.message_id] for row in rows)
    assert display_name(ack["To"]) == name and ack["To"].addresses[0].addr_spec == "awa@example.org"
    # Staff pressing Reply on the notification write to the requester, never to an address in a name.
    assert notice["Reply-To"].addresses[0].addr_spec == "awa@example.org"
    assert display_name(notice["Reply-To"]) == name
    assert notice["To"].addresses[0].addr_spec == SERVICE
    assert name in str(notice["Subject"])


def test_from_is_plain_ascii_when_the_name_is(form_post, runner, make_room, smtp_server):
    make_room(beds=4)
    submit_and_send(form_post, runner)
    assert len(smtp_server.raw) == 2
    for raw in smtp_server.raw:
        header_lines = raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert b"From: Maison du Partenariat Angers-Bamako <mpab@localhost>" in header_lines


def test_a_long_confirmation_subject_and_invitation_keep_their_text(
    client, form_post, auth, runner, make_room, make_stay, smtp_server
):
    """The confirmation's long dates used to be cut inside encoded words (`=?utf-8?q?6_d=C3=A9?=cembre`)."""
    room = make_room()
    name = NAMES[1]
    stay = make_stay(contact_name=name, organisation="Association Angers Loire " * 8)
    assert runner.invoke(args=["mail", "send"]).exit_code == 0  # the acknowledgements of the request
    auth.login()
    assert runner.invoke(args=["mail", "send"]).exit_code == 0  # the new request's own mails first
    before = last_id()
    response = form_post(
        f"/staff/requests/{stay.id}/approve", {"rooms": [room.id]}, page=f"/staff/requests/{stay.id}"
    )
    assert response.status_code == 303
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    [row] = new_rows(before)
    assert row.kind == "approved" and len(row.subject) > 70
    message = read_back(smtp_server)[row.message_id]
    assert_as_stored(message, row)
    assert str(message["Subject"]).startswith(f"Séjour confirmé — {stay.reference}, du ")
    [calendar] = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert calendar.get_param("method") == "REQUEST"


@pytest.fixture
def room(make_room):
    return make_room(beds=4)


# Anything a person can type and the database can store: no NUL, no lone surrogates. The form makes it one
# line and refuses a blank one, so only names it accepts are drawn.
storable = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
typed = st.one_of(st.sampled_from(NAMES), st.text(storable, min_size=1, max_size=200)).filter(single_line)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=typed, organisation=typed)
@pytest.mark.usefixtures("room")
def test_any_name_and_subject_reach_the_reader_unchanged(
    form_post, runner, make_room, smtp_server, french_typography, name, organisation
):
    french_typography.ignore()  # drawn text, not French
    limiter.reset()  # the examples are one person's flood of requests; the limits have their own tests
    rows = submit_and_send(form_post, runner, contact_name=name, organisation=organisation)
    received = read_back(smtp_server)
    assert len(rows) == 2
    for row in rows:
        assert_as_stored(received[row.message_id], row)

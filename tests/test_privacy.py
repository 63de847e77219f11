"""Privacy: the notice, retention (purge), export and erasure on request, no personal data in public."""

import json
from datetime import UTC, datetime, timedelta
from html import unescape

import sqlalchemy as sa
from flask import render_template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from guesthouse.bookings.choices import StayStatus
from guesthouse.bookings.models import BookingEvent, StayRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.privacy.models import ArchivedRequest
from guesthouse.privacy.operations import months_before
from guesthouse.rooms.models import Room
from guesthouse.staff.models import Role, StaffUser

from .conftest import csrf_from
from .test_authorization import PUBLIC, expectation


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


# -- the notice ------------------------------------------------------------------------------------


def test_notice_says_who_why_how_long_and_how_to_complain(app, client):
    app.config.update(
        PRIVACY_DPO_EMAIL="dpo@angers.example",
        PRIVACY_CONTACT_EMAIL="sri@angers.example",
        RETENTION_STAYS_MONTHS=18,
        RETENTION_CLOSED_MONTHS=4,
    )
    page = text(client.get("/confidentialite"))
    for expected in (
        "Ville d'Angers",
        "Service des Relations Internationales",
        "49020 Angers",
        "mission d'intérêt public",
        "6.1.e",
        "Destinataires",
        "18 mois après la date de départ",
        "supprimées 4 mois",
        "rectifier ou effacer",
        'href="mailto:sri@angers.example"',
        'href="mailto:dpo@angers.example"',
        "Commission nationale de l'informatique et des libertés",
        'href="https://www.cnil.fr/fr/plaintes"',
    ):
        assert expected in page, expected


def test_notice_is_linked_from_every_page_and_next_to_the_submit_button(client, make_room):
    make_room()
    for url in ("/", "/requests/new", "/staff/login", "/nowhere"):
        assert 'href="/confidentialite"' in text(client.get(url)), url
    form = text(client.get("/requests/new"))
    note = form.index('class="privacy-note"')
    assert form.index("Règlement de la maison") < note < form.index("Envoyer la demande")
    assert "responsable du traitement : Ville d'Angers" in form
    assert "Vos données et vos droits" in form


# -- retention ----------------------------------------------------------------------------------------


def test_months_before_clamps_to_the_end_of_the_month():
    assert months_before(datetime(2027, 3, 31).date(), 1) == datetime(2027, 2, 28).date()
    assert months_before(datetime(2028, 3, 31).date(), 1) == datetime(2028, 2, 29).date()
    assert months_before(datetime(2027, 1, 15).date(), 24) == datetime(2025, 1, 15).date()
    assert months_before(datetime(2027, 1, 15).date(), 0) == datetime(2027, 1, 15).date()


def ago(months: int, days: int = 0):
    return months_before(today(), months) - timedelta(days=days)


def decided(stay, when):
    stay.decided_at = datetime.combine(when, datetime.min.time(), UTC)
    db.session.commit()
    return stay


def test_purge_anonymises_old_stays_and_deletes_old_closed_requests(
    runner, client, make_stay, make_room, make_staff
):
    admin = make_staff(role=Role.ADMIN)
    room = make_room(name="Djoliba")

    def stay(status, departure, decided_on=None, **overrides):
        made = make_stay(
            start=departure - timedelta(days=3), contact_name=f"Personne {status} {departure}", **overrides
        )
        if status == "approved":
            made.approve(by=admin, rooms=[room], message="Bienvenue, Personne")
        elif status == "rejected":
            made.reject(by=admin, reason="Complet pour Personne")
        elif status == "cancelled":
            made.cancel(by=admin, reason="Reporté")
        elif status == "withdrawn":
            made.status = StayStatus.WITHDRAWN
        db.session.commit()
        return decided(made, decided_on or departure) if status != "pending" else made

    old_stay = stay("approved", ago(24, 1), travellers="Awa\nMoussa", notes="Allergie")
    old_link = f"/requests/{old_stay.access_token}"
    recent_stay = stay("approved", ago(23))
    old_refusal = stay("rejected", ago(6, 1))
    old_withdrawal = stay("withdrawn", ago(7))
    never_decided = stay("pending", ago(6, 10))
    late_cancel = stay("cancelled", ago(7), decided_on=ago(5))  # cancelled after its dates
    recent_cancel = stay("cancelled", ago(5))
    future = stay("rejected", today() + timedelta(days=30), decided_on=today())
    deleted = {s.id: s.reference for s in (old_refusal, old_withdrawal, never_decided)}
    kept = [old_stay, recent_stay, late_cancel, recent_cancel, future]
    figures = {s.reference: (s.organisation_type, s.arrival, s.departure, s.guests) for s in (old_refusal,)}

    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would anonymise 1 approved stay ended over 24 months ago: {old_stay.reference}" in dry.output
    assert "would delete 3 closed requests over 6 months old" in dry.output
    assert "Personne" not in dry.output and "@" not in dry.output  # cron mails this: references only
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StayRequest)) == 8
    assert db.session.get(StayRequest, old_stay.id).anonymised_at is None

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "anonymised 1 approved stay " in result.output and "deleted 3 closed requests " in result.output
    db.session.expire_all()

    anonymised = db.session.get(StayRequest, old_stay.id)
    for name in ("contact_name", "contact_email", "contact_phone", "travellers", "purpose", "notes"):
        assert getattr(anonymised, name) == "", name
    assert anonymised.anonymised_at is not None
    assert all(event.message == "" for event in anonymised.events)
    assert anonymised.events[-1].action == "anonymised" and anonymised.events[-1].actor_kind == "system"
    assert anonymised.status == StayStatus.APPROVED and [r.name for r in anonymised.rooms] == ["Djoliba"]
    assert anonymised.organisation == "Association Angers-Bamako" and anonymised.guests == 1
    assert client.get(old_link).status_code == 404  # the old private link leads nowhere

    for stay_id in deleted:
        assert db.session.get(StayRequest, stay_id) is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(BookingEvent).where(BookingEvent.stay_id.in_(deleted))
        )
        == 0
    )
    archived = db.session.scalars(sa.select(ArchivedRequest).order_by(ArchivedRequest.id)).all()
    assert sorted(a.status for a in archived) == sorted(
        [StayStatus.REJECTED, StayStatus.WITHDRAWN, StayStatus.PENDING]
    )
    refusal = next(a for a in archived if a.status == StayStatus.REJECTED)
    assert (refusal.organisation_type, refusal.arrival, refusal.departure, refusal.guests) == figures[
        old_refusal.reference
    ]
    for stay_ in kept:
        current = db.session.get(StayRequest, stay_.id)
        assert current is not None
        assert current.contact_name or current.id == old_stay.id

    again = runner.invoke(args=["privacy", "purge"])
    assert "anonymised 0 approved stays " in again.output and "deleted 0 closed requests " in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ArchivedRequest)) == 3


def test_purge_periods_come_from_the_configuration(app, runner, make_stay, make_staff, make_room):
    admin = make_staff(role=Role.ADMIN)
    stay = make_stay(start=ago(3, 10))
    stay.approve(by=admin, rooms=[make_room()])
    db.session.commit()
    app.config["RETENTION_STAYS_MONTHS"] = 3
    result = runner.invoke(args=["privacy", "purge"])
    assert "anonymised 1 approved stay ended over 3 months ago" in result.output


# -- export and erasure on request -----------------------------------------------------------------------


def lookup(client, email: str):
    token = csrf_from(text(client.get("/staff/privacy")))
    return client.post("/staff/privacy", data={"email": email, "csrf_token": token}), token


def test_export_gives_everything_held_about_an_address_and_notes_it(
    client, auth, make_stay, make_staff, make_room
):
    admin = make_staff(role=Role.ADMIN, email="admin@angers.example")
    first = make_stay(contact_email="Awa@Example.org", contact_name="Awa Traoré", travellers="Awa\nMoussa")
    first.approve(by=admin, rooms=[make_room(name="Djoliba")], message="Bienvenue Awa")
    db.session.commit()
    second = make_stay(
        contact_email="awa@example.org", notes="Végétarienne", start=today() + timedelta(days=40)
    )
    other = make_stay(contact_email="quelquun@example.org", contact_name="Quelqu'un d'autre")
    make_staff(email="awa@example.org", name="Awa (compte)")
    auth.login()

    found, token = lookup(client, " AWA@example.org ")
    assert found.status_code == 200
    page = text(found)
    assert first.reference in page and second.reference in page and other.reference not in page
    assert "Un compte du service utilise cette adresse" in page
    assert "1 demande en cours" not in page and "2 demandes en cours" in page

    response = client.post("/staff/privacy/export", data={"email": "awa@example.org", "csrf_token": token})
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="mpab-donnees-personnelles-'
    )
    assert "awa" not in response.headers["Content-Disposition"].lower()
    data = json.loads(response.get_data(as_text=True))
    assert data["controller"] == "Ville d'Angers"
    assert [r["reference"] for r in data["stay_requests"]] == [first.reference, second.reference]
    exported = data["stay_requests"][0]
    assert exported["contact_name"] == "Awa Traoré"
    assert [t["full_name"] for t in exported["travellers"]] == ["Awa", "Moussa"]
    assert exported["rooms"] == ["Djoliba"]
    assert [h["action"] for h in exported["history"]] == ["submitted", "approved"]
    assert exported["history"][1]["message"] == "Bienvenue Awa" and exported["history"][1]["by"] == "staff"
    assert data["stay_requests"][1]["notes"] == "Végétarienne"
    assert data["staff_accounts"] == [
        {
            "email": "awa@example.org",
            "name": "Awa (compte)",
            "role": "approver",
            "active": True,
            "created_at": data["staff_accounts"][0]["created_at"],
            "last_login_at": None,
            "sessions": [],
        }
    ]
    assert "password" not in response.get_data(as_text=True) and "token" not in response.get_data(
        as_text=True
    )
    assert "Quelqu'un" not in response.get_data(as_text=True)

    db.session.expire_all()
    for stay in (first, second):
        event = db.session.get(StayRequest, stay.id).events[-1]
        assert (event.action, event.message, event.details, event.actor_kind) == (
            "privacy_export",
            "",
            {},
            "staff",
        )
    assert "Données personnelles exportées" in text(client.get(f"/staff/requests/{first.id}"))
    assert db.session.get(StayRequest, other.id).events[-1].action == "submitted"


def test_erasure_asks_for_confirmation_cancels_open_stays_and_leaves_only_figures(
    client, auth, make_stay, make_staff, make_room
):
    admin = make_staff(role=Role.ADMIN, email="admin@angers.example")
    room = make_room(name="Djoliba")
    approved = make_stay(
        contact_email="awa@example.org", contact_name="Awa Traoré", purpose="Mission secrète"
    )
    approved.approve(by=admin, rooms=[room], message="Bienvenue Awa")
    db.session.commit()
    pending = make_stay(
        contact_email="awa@example.org", contact_name="Awa Traoré", start=today() + timedelta(days=50)
    )
    other = make_stay(contact_email="quelquun@example.org", contact_name="Quelqu'un d'autre")
    links = [f"/requests/{s.access_token}" for s in (approved, pending)]
    auth.login()

    found, token = lookup(client, "awa@example.org")
    assert "2 demandes en cours (en attente ou confirmées) seront d'abord annulées" in text(found)
    unconfirmed = client.post("/staff/privacy/erase", data={"email": "awa@example.org", "csrf_token": token})
    assert unconfirmed.status_code == 400
    assert "Cochez la case pour confirmer l'effacement" in text(unconfirmed)
    db.session.expire_all()
    assert db.session.get(StayRequest, approved.id).contact_name == "Awa Traoré"

    response = client.post(
        "/staff/privacy/erase", data={"email": "awa@example.org", "confirm": "y", "csrf_token": token}
    )
    assert response.status_code == 303
    assert "2 demandes effacées, dont 2 annulées au préalable" in text(
        client.get(response.headers["Location"])
    )

    db.session.expire_all()
    for stay_id in (approved.id, pending.id):
        stay = db.session.get(StayRequest, stay_id)
        assert stay.status == StayStatus.CANCELLED and stay.assignments == []  # the room is free again
        assert stay.anonymised_at is not None
        assert [e.action for e in stay.events][-2:] == ["cancelled", "privacy_erase"]
        dump = json.dumps(
            [
                getattr(stay, c.key)
                for c in StayRequest.__table__.columns
                if isinstance(getattr(stay, c.key), str)
            ]
            + [(e.message, e.details) for e in stay.events]
        )
        for secret in ("Awa", "awa@example.org", "Mission secrète", "Bienvenue"):
            assert secret not in dump
    for link in links:
        assert client.get(link).status_code == 404
    assert db.session.get(StayRequest, other.id).contact_name == "Quelqu'un d'autre"
    staff_page = text(client.get(f"/staff/requests/{approved.id}"))
    assert "ont été effacées" in staff_page and "Awa" not in staff_page
    assert "Données personnelles effacées à la demande de la personne" in staff_page
    assert "aucun compte n'utilise cette adresse" in text(lookup(client, "awa@example.org")[0])


# -- nothing personal on public pages ---------------------------------------------------------------------

# Random letters and digits, marked so that a value cannot match the page's own words by chance.
secrets_ = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=6, max_size=30).map(
    lambda value: f"§{value}§"
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    people=st.lists(
        st.tuples(
            secrets_, secrets_, st.sampled_from(list(StayStatus)), st.integers(0, 20), st.integers(1, 6)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_public_pages_carry_no_personal_data(app, client, make_stay, make_room, make_staff, people):
    # The fixtures live across examples: the house and its admin are made once.
    admin = db.session.scalar(sa.select(StaffUser).where(StaffUser.role == Role.ADMIN))
    admin = admin or make_staff(role=Role.ADMIN, email="admin@angers.example")
    written = []
    for name, words, status, offset, nights in people:
        stay = make_stay(
            start=today() + timedelta(days=offset),
            nights=nights,
            contact_name=name,
            contact_email=f"{name}@example.org",
            contact_phone=name[:20],
            organisation=words,
            travellers=f"{name}\n{words}",
            purpose=words,
            notes=name,
        )
        # The travellers' details too: phones, emergency contacts and flights stay off public pages.
        stay.traveller_records[0].emergency_name = words
        stay.traveller_records[0].arrival_flight = name[:20]
        stay.traveller_records[1].phone = f"+223{offset:08d}"
        written.append(stay.traveller_records[1].phone)
        if status == StayStatus.APPROVED:
            # A room of its own (examples share the database): overlapping assignments of one room are
            # refused, by PostgreSQL's constraint in particular.
            room = make_room(
                name=f"Chambre {db.session.scalar(sa.select(sa.func.count()).select_from(Room)) + 1}"
            )
            stay.approve(by=admin, rooms=[room], message=words)
        elif status != StayStatus.PENDING:
            stay.status = status
        db.session.commit()
        written += [name, words]
    public = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if expectation(rule) == PUBLIC and "GET" in rule.methods and not rule.arguments
    ]
    assert {"/", "/requests/new", "/confidentialite", "/healthz"} <= set(public)
    for url in public:
        body = client.get(url).get_data(as_text=True)
        for value in written:
            assert value not in body and str(escape(value)) not in body, url


def test_the_mail_notice_links_to_the_configured_site_only(app):
    app.config["BASE_URL"] = "https://mpab.angers.example/"
    with app.test_request_context("/", base_url="https://evil.example"):
        for name in ("privacy/_mail_notice.txt", "privacy/_mail_notice.html"):
            rendered = render_template(name)
            assert "https://mpab.angers.example/confidentialite" in rendered, name
            assert "evil" not in rendered
    assert "https://mpab.angers.example/confidentialite" in render_template(
        "privacy/_mail_notice.txt"
    )  # no request

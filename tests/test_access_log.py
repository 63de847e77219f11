"""Who read whom: one access record per page showing a person's details, browsed, exported, purged."""

from datetime import timedelta
from html import unescape

import sqlalchemy as sa

from guesthouse.access_log.models import AccessKind, AccessRecord
from guesthouse.database import utcnow
from guesthouse.extensions import db

from .conftest import Auth, csrf_from


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def table(response) -> str:
    """The log's rows, without the filter form (whose member list names everyone)."""
    page = text(response)
    return page[page.index("<tbody>") : page.index("</tbody>")] if "<tbody>" in page else ""


def records() -> list[AccessRecord]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AccessRecord).order_by(AccessRecord.id)))


def test_a_requests_staff_page_writes_one_record(client, auth, make_stay):
    member = auth.login()
    stay = make_stay()
    client.get("/staff/")
    client.get("/staff/requests")
    assert records() == []  # lists show no contact details
    assert client.get(f"/staff/requests/{stay.id}").status_code == 200
    [record] = records()
    assert (record.user_id, record.kind, record.reference_list) == (
        member.id,
        AccessKind.REQUEST,
        [stay.reference],
    )


def test_the_privacy_lookup_and_export_write_one_record_each(client, auth, make_stay):
    auth.login()
    first, second = make_stay(contact_email="awa@example.org"), make_stay(contact_email="Awa@example.org")
    make_stay(contact_email="other@example.org")
    token = csrf_from(client.get("/staff/privacy").get_data(as_text=True))
    assert (
        client.post("/staff/privacy", data={"email": "awa@example.org", "csrf_token": token}).status_code
        == 200
    )
    response = client.post("/staff/privacy/export", data={"email": "awa@example.org", "csrf_token": token})
    assert response.status_code == 200
    assert [(r.kind, r.reference_list) for r in records()] == [
        (AccessKind.PRIVACY_LOOKUP, [first.reference, second.reference]),
        (AccessKind.PRIVACY_EXPORT, [first.reference, second.reference]),
    ]


def test_admins_browse_the_log_by_member_and_by_request_and_export_it(
    app, client, auth, make_stay, make_staff
):
    one, other = make_stay(), make_stay(contact_name="Moussa Keita")
    reader = make_staff(name="Oumar Sangaré")
    reader_browser = app.test_client()
    Auth(reader_browser, make_staff).login(reader)
    reader_browser.get(f"/staff/requests/{one.id}")
    admin = auth.login_admin()
    client.get(f"/staff/requests/{other.id}")

    page = table(client.get("/staff/access-log"))
    assert (
        "Oumar Sangaré" in page and admin.name in page and one.reference in page and other.reference in page
    )
    by_member = table(client.get(f"/staff/access-log?member={reader.id}"))
    assert one.reference in by_member and other.reference not in by_member
    by_request = table(client.get(f"/staff/access-log?reference={other.reference.lower()}"))
    assert other.reference in by_request and "Oumar Sangaré" not in by_request
    assert client.get("/staff/access-log?member=999").status_code == 400
    # A blank member (spaces too) means every member, on the page and in the export.
    assert one.reference in table(client.get("/staff/access-log?member=+"))
    assert client.get("/staff/access-log.csv?member=+").status_code == 200

    export = client.get(f"/staff/access-log.csv?reference={one.reference}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0] == "Date (UTC);Membre du service;Adresse e-mail;Consultation;Demandes"
    assert len(rows) == 2 and f"Oumar Sangaré;{reader.email};Page d'une demande;{one.reference}" in rows[1]


def test_approvers_cannot_read_the_log(client, auth):
    auth.login()
    assert client.get("/staff/access-log").status_code == 403
    assert client.get("/staff/access-log.csv").status_code == 403


def test_the_purge_deletes_records_older_than_access_log_months(app, runner, client, auth, make_stay):
    app.config["ACCESS_LOG_MONTHS"] = 6
    auth.login()
    stay = make_stay()
    client.get(f"/staff/requests/{stay.id}")
    client.get(f"/staff/requests/{stay.id}")
    old, recent = records()
    old.accessed_at = utcnow() - timedelta(days=190)
    recent.accessed_at = utcnow() - timedelta(days=170)
    db.session.commit()

    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 access record over 6 months old" in result.output
    assert [r.id for r in records()] == [recent.id]


def test_the_privacy_notice_says_access_is_recorded(app, client):
    app.config["ACCESS_LOG_MONTHS"] = 12
    page = text(client.get("/confidentialite"))
    assert "chaque consultation de vos coordonnées par le service est enregistrée" in page
    assert "12 mois" in page

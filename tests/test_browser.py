"""The story told through a real browser: Playwright driving Debian's Chromium against the live app."""

import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import icalendar
import pytest
import sqlalchemy as sa

from guesthouse.bookings.changes import ChangeRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.mail.models import OutboxMessage, OutboxStatus
from guesthouse.staff.models import Role

from .conftest import AXE_SCRIPT, STAFF_PASSWORD, deliver_mail, watch_console

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}


def first_free_arrival():
    """A day far enough ahead, in a month that also holds the departure three days later."""
    day = today() + timedelta(days=10)
    while (day + timedelta(days=3)).month != day.month:
        day += timedelta(days=1)
    return day


def test_the_whole_story_in_a_browser(live_server, browser_context, make_room, make_staff):
    """Request from the calendar, approval, .ics download, a change request accepted, a cancellation."""
    make_room(name="Djoliba", beds=2)
    make_room(name="Niger", beds=2)
    staff = make_staff(role=Role.ADMIN, name="Aminata Coulibaly")
    page = browser_context.new_page()
    arrival = first_free_arrival()
    departure = arrival + timedelta(days=3)

    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Voir le calendrier des prochains mois et choisir ses dates").click()
    while page.locator(f'a[href*="arrival={arrival.isoformat()}"]').count() == 0:
        page.get_by_role("link", name="→").click()
    page.locator(f'a[href*="arrival={arrival.isoformat()}"]').click()
    page.locator(f'a[href*="departure={departure.isoformat()}"]').click()

    assert page.get_by_label("Arrivée").input_value() == arrival.isoformat()
    assert page.get_by_label("Départ").input_value() == departure.isoformat()
    page.get_by_label("Nom et prénom de la personne à contacter").fill("Awa Traoré")
    page.get_by_label("Adresse e-mail").fill("awa@example.org")
    page.get_by_label("Organisation *", exact=True).fill("Compagnie Les Arts du Fleuve")
    page.get_by_label("Type d'organisation").select_option("arts")
    page.get_by_label("Axe de coopération").select_option("culture")
    page.get_by_role("group", name="Votre structure est-elle basée à Angers").get_by_label("Oui").check()
    page.get_by_label("Objet de la mission").fill("Résidence de création")
    page.get_by_label("Nombre de voyageurs").fill("3")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert (
        page.locator("#accept_rules-error")
        .get_by_text("Cochez cette case pour accepter le règlement")
        .is_visible()
    )
    page.get_by_label("J'ai lu le règlement de la maison").check()
    page.get_by_role("button", name="Envoyer la demande").click()

    # Waits for the page after the redirect: on a busy machine the click returns before it is drawn.
    page.get_by_text("Votre demande a bien été reçue").wait_for()
    requester_url = page.url
    reference = page.locator("h1").inner_text().split()[-1]
    assert reference.startswith("MPAB-")

    staff_context = watch_console(browser_context.browser.new_context(locale="fr-FR"))
    staff_page = staff_context.new_page()
    staff_page.goto(f"{live_server}/staff/login")
    staff_page.get_by_label("Adresse e-mail").fill(staff.email)
    staff_page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    staff_page.get_by_role("button", name="Se connecter").click()
    staff_page.get_by_role("link", name=reference).click()
    staff_page.get_by_label("Djoliba").check()
    staff_page.get_by_role("button", name="Confirmer le séjour").click()
    assert staff_page.get_by_text("Ces chambres comptent 2 lits pour 3 voyageurs").is_visible()
    staff_page.get_by_label("Djoliba").check()
    staff_page.get_by_label("Niger").check()
    staff_page.get_by_label("Message au demandeur").fill("Bienvenue à Bamako !")
    staff_page.get_by_role("button", name="Confirmer le séjour").click()
    assert staff_page.get_by_text(f"Séjour {reference} confirmé.").is_visible()

    page.goto(requester_url)
    assert page.get_by_text("Votre séjour est confirmé.").is_visible()
    assert page.get_by_text("Bienvenue à Bamako !").is_visible()
    assert page.get_by_text("Djoliba, Niger", exact=True).is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le séjour (fichier .ics)").click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    [event] = calendar.walk("VEVENT")
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (arrival, departure)

    # The requester asks for one more night; staff accept it.
    later = departure + timedelta(days=1)
    page.get_by_role("link", name="Demander une modification (dates, voyageurs)").click()
    page.get_by_label("Départ").fill(later.isoformat())
    page.get_by_label("Explication pour le service").fill("Mission prolongée d'un jour")
    page.get_by_role("button", name="Envoyer la demande de modification").click()
    assert page.get_by_text("Votre demande de modification est envoyée au service.").is_visible()
    assert page.get_by_text("Modification en attente de réponse").is_visible()
    staff_page.goto(f"{live_server}/staff/")
    staff_page.get_by_role("region", name="Modifications demandées").get_by_role(
        "link", name=reference
    ).click()
    assert staff_page.get_by_text("Mission prolongée d'un jour").first.is_visible()
    staff_page.get_by_role("button", name="Accepter la modification").click()
    assert staff_page.get_by_text("Modification acceptée ; le demandeur en est informé.").is_visible()
    assert staff_context.console_errors == []
    staff_context.close()

    # The requester sees the new dates, then cancels the stay.
    page.goto(requester_url)
    assert page.get_by_text("Séjour modifié").is_visible()
    assert page.get_by_text("Modification en attente de réponse").count() == 0
    page.get_by_role("button", name="Annuler mon séjour").click()
    assert page.get_by_text("Indiquez le motif de l'annulation").is_visible()
    page.get_by_label("Motif de l'annulation").fill("Vol annulé")
    page.get_by_role("button", name="Annuler mon séjour").click()
    assert page.get_by_text(f"Votre séjour {reference} est annulé.").is_visible()
    assert page.get_by_text("Annulé", exact=True).first.is_visible()


@pytest.fixture
def house_in_use(app, make_room, make_stay, make_staff, make_closure, approve):
    """Rooms, a closure, a pending request, a confirmed stay with a change waiting, mails sent and failed.

    The pending request was corrected once, so that its page shows a correction in its history.

    Returns the paths of the public pages and of the staff pages in those states, and an admin.
    """
    app.config["MAIL_BACKEND"] = "console"  # so that the pages of kept mails exist
    djoliba = make_room(name="Djoliba", beds=2)
    make_room(name="Niger", beds=2)
    # Clear of the stays below: a closure to show, not a conflict with them.
    make_closure(start_date=today() + timedelta(days=60))
    pending = make_stay(start=today() + timedelta(days=40))
    pending.correct(
        arrival=pending.arrival,
        departure=pending.departure + timedelta(days=1),
        guests=1,
        travellers="Claire Moreau",
        purpose="Mission santé et formation",
    )
    db.session.commit()
    changed = approve(make_stay(contact_email="awa@example.org", guests=2), djoliba)
    ChangeRequest.open(
        changed,
        arrival=changed.arrival,
        departure=changed.departure + timedelta(days=1),
        guests=2,
        travellers="Awa Traoré\nMoussa Keita",
        message="Mission prolongée d'un jour",
        pending=None,
    )
    db.session.commit()
    admin = make_staff(role=Role.ADMIN, name="Aminata Coulibaly")
    colleague = make_staff(name="Oumar Sangaré")
    deliver_mail()  # the mail worker's step: write the mails of the changes above, then send them
    failed = db.session.scalars(sa.select(OutboxMessage)).first()
    failed.status, failed.last_error = OutboxStatus.FAILED, "SMTPRecipientsRefused"
    db.session.commit()
    [kept, *_] = sorted(p.name for p in Path(app.config["MAIL_CONSOLE_DIR"]).glob("*.eml"))
    public = [
        "/",
        "/availability",
        "/requests/new",
        f"/requests/{pending.access_token}",
        f"/requests/{changed.access_token}",
        f"/requests/{changed.access_token}/change",
        f"/requests/{changed.access_token}/travellers",
        f"/requests/{pending.access_token}/edit",
        f"/requests/{pending.access_token}/again",
        "/requests/lost",
        "/confidentialite",
        "/accessibilite",
        "/mentions-legales",
        "/staff/login",
    ]
    staff = [
        "/staff/",
        "/staff/requests",
        f"/staff/requests/{pending.id}",
        f"/staff/requests/{changed.id}",
        f"/staff/requests/{changed.id}/edit",
        f"/staff/requests/{changed.id}/travellers",
        "/staff/sheet",
        f"/staff/sheet?date={changed.arrival.isoformat()}",
        "/staff/sheet/evacuation?days=60",
        "/staff/stats",
        "/staff/rooms",
        f"/staff/rooms/{djoliba.id}",
        "/staff/closures",
        "/staff/accounts",
        f"/staff/accounts/{colleague.id}",
        "/staff/password",
        "/staff/privacy",
        "/staff/mail/",
        "/staff/mail/dev",
        f"/staff/mail/dev/{kept}",
        "/staff/profile",
        "/staff/two-factor",
        "/staff/sessions",
        "/staff/house/",
        "/calendar/help",
        "/staff/planning",
        "/staff/requests/new",
        "/staff/access-log",  # last: the request pages above are in it
    ]
    return SimpleNamespace(public=public, staff=staff, admin=admin)


def test_pages_fit_a_phone_without_horizontal_scrolling(live_server, chromium, house_in_use):
    context = watch_console(
        chromium.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    )
    page = context.new_page()
    for path in house_in_use.public:
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
    context.close()
    assert context.console_errors == []


def axe_violations(page, where: str) -> list[dict]:
    """axe-core's violations of any impact on the page as it is now."""
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"page": where, "id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_passes_axe_at_phone_and_laptop_widths(live_server, chromium, house_in_use, language):
    """Public and staff pages, and the answers to a form sent empty and to a privacy search."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm ci)")
    # axe is injected into each page as an inline script, which the site's CSP rightly refuses: this
    # context bypasses it. (Chromium compiles an init script once for all pages, an added tag on each.)
    context = watch_console(chromium.new_context(viewport=LAPTOP, locale="fr-FR", bypass_csp=True))
    context.add_init_script(path=str(AXE_SCRIPT))
    context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    page = context.new_page()
    violations = []

    def check(where: str) -> None:
        violations.extend(axe_violations(page, f"{where} at {LAPTOP['width']}px"))
        page.set_viewport_size(PHONE)
        violations.extend(axe_violations(page, f"{where} at {PHONE['width']}px"))
        page.set_viewport_size(LAPTOP)

    def visit(path: str) -> None:
        assert page.goto(live_server + path).status == 200, path
        check(path)

    for path in house_in_use.public:
        visit(path)
    page.goto(live_server + "/requests/new")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.locator(".field.has-error").count() > 0
    check("/requests/new sent empty")

    page.goto(live_server + "/staff/login")
    page.fill("#email", house_in_use.admin.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server + "/staff/")
    for path in house_in_use.staff:
        visit(path)
    page.goto(live_server + "/staff/privacy")
    page.fill("#email", "awa@example.org")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.locator("form[action$='/staff/privacy/erase']").count() == 1
    check("/staff/privacy search")

    context.close()
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert context.console_errors == []

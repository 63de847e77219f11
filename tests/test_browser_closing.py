"""The admin steps of closing the house, in a real browser; the new pages through axe and the HTML checker."""

import json
from datetime import timedelta

import pytest

from guesthouse.closing.models import WaitlistEntry
from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import AXE_SCRIPT, STAFF_PASSWORD, watch_console
from .test_browser import LAPTOP, PHONE, axe_violations

pytestmark = pytest.mark.browser


def log_in(page, live_server, user) -> None:
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server}/staff/")


def test_an_admin_writes_the_notice_suspends_the_house_and_writes_to_every_stay(
    live_server, browser_context, make_room, make_stay, make_staff, approve
):
    room = make_room(name="Djoliba", beds=4)
    start = today() + timedelta(days=10)
    stay = approve(make_stay(start=start + timedelta(days=2), contact_email="claire@example.org"), room)
    admin = make_staff(role=Role.ADMIN, name="Aminata Coulibaly")
    page = browser_context.new_page()
    log_in(page, live_server, admin)

    page.get_by_role("link", name="Avis", exact=True).click()
    page.get_by_label("Avis en français").fill("La maison ferme jusqu'à nouvel ordre.")
    page.get_by_label("Avis en anglais").fill("The house closes until further notice.")
    page.get_by_label("Alerte").check()
    page.get_by_role("button", name="Enregistrer l'avis").click()
    assert page.get_by_text("Avis enregistré").is_visible()
    assert page.get_by_role("alert").filter(has_text="La maison ferme jusqu'à nouvel ordre.").is_visible()

    page.get_by_role("link", name="Suspension", exact=True).click()
    page.get_by_label("Première nuit fermée").fill(start.isoformat())
    page.get_by_label("Motif affiché au public (français)").fill(
        "Sur avis du ministère des Affaires étrangères"
    )
    page.get_by_label("Motif affiché au public (anglais)").fill("On the French foreign ministry's advice")
    page.get_by_role("button", name="Suspendre la maison").click()
    assert page.get_by_text("Maison suspendue à partir du").is_visible()
    assert page.get_by_text("1 séjour ou demande tombe pendant cette suspension.").is_visible()

    page.get_by_role("link", name="Écrire à leurs demandeurs").click()
    assert page.get_by_role("link", name=stay.reference).is_visible()
    page.get_by_label("Message en français").fill("Nous vous appelons pour organiser votre retour.")
    page.get_by_label("Message en anglais").fill("We will call you to organise your return.")
    page.get_by_label("Prévenir et annuler tous ces séjours").check()
    page.get_by_role("button", name="Voir l'aperçu").click()
    assert page.get_by_role("heading", name="Aperçu avant envoi").is_visible()
    assert page.get_by_role("cell", name="Nous vous appelons pour organiser votre retour.").is_visible()
    page.get_by_role("button", name="Confirmer : prévenir et annuler").click()
    assert page.get_by_text("1 séjour annulé ; son demandeur reçoit le message.").is_visible()
    db.session.refresh(stay)
    assert stay.status.value == "cancelled"

    # Lifted in one action: the house reopens today.
    page.get_by_role("link", name="Suspension", exact=True).click()
    page.get_by_role("button", name="Lever ou raccourcir la suspension").click()
    assert page.get_by_text("Aucune suspension : la maison est ouverte.").is_visible()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_closing_pages_pass_axe_at_phone_and_laptop_widths(
    live_server, chromium, make_room, make_stay, make_staff, make_closure, approve, language
):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm ci)")
    room = make_room(name="Djoliba", beds=2)
    start = today() + timedelta(days=20)
    approve(make_stay(start=start, guests=2), room)
    make_closure(
        start_date=today() + timedelta(days=60),
        end_date=today() + timedelta(days=90),
        reason="Fermée",
        public_reason_fr="Fermée",
        public_reason_en="Closed",
    )
    entries = [
        WaitlistEntry(
            kind="dates",
            email="awa@example.org",
            contact_name="Awa Traoré",
            arrival=start,
            departure=start + timedelta(days=3),
            guests=2,
        ),
        WaitlistEntry(kind="reopening", email="jane@example.org", locale="en", told_at=utcnow()),
    ]
    db.session.add_all(entries)
    db.session.commit()
    admin = make_staff(role=Role.ADMIN)
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

    full = f"arrival={start.isoformat()}&departure={(start + timedelta(days=3)).isoformat()}&guests=2"
    for path in (
        f"/requests/new?{full}",
        f"/waitlist/dates?{full}",
        "/waitlist/reopening",
        f"/waitlist/{entries[0].token}",
    ):
        assert page.goto(live_server + path).status == 200, path
        check(path)
    page.goto(live_server + "/waitlist/reopening")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    check("/waitlist/reopening sent empty")

    page.goto(f"{live_server}/staff/login")
    page.fill("#email", admin.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server + "/staff/")
    for path in (
        "/staff/notice",
        "/staff/suspension",
        "/staff/waitlist",
        f"/staff/stays/notify?start={today().isoformat()}",
    ):
        assert page.goto(live_server + path).status == 200, path
        check(path)
    page.fill("#message_fr", "Message")
    page.fill("#message_en", "Message")
    with page.expect_navigation():
        page.click("form.form button.secondary >> nth=-1")
    assert page.locator("input[name=confirm]").count() == 1
    check("/staff/stays/notify preview")
    page.goto(live_server + "/staff/notice")
    page.fill("#text_fr", "Avis")
    page.fill("#text_en", "Notice")
    page.check("#level-1")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    page.goto(live_server + "/")
    check("/ with an alert")

    context.close()
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert context.console_errors == []

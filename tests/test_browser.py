"""The story told through a real browser: Playwright driving Debian's Chromium against the live app."""

import json
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from guesthouse.database import today
from guesthouse.staff.models import Role

from .conftest import AXE_SCRIPT, STAFF_PASSWORD, watch_console

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


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
    page.get_by_label("Organisation", exact=True).fill("Compagnie Les Arts du Fleuve")
    page.get_by_label("Type d'organisation").select_option("arts")
    page.get_by_label("Axe de coopération").select_option("culture")
    page.get_by_label("Objet de la mission").fill("Résidence de création")
    page.get_by_label("Nombre de voyageurs").fill("3")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert page.get_by_text("Cochez cette case pour accepter le règlement de la maison.").is_visible()
    page.get_by_label("J'ai lu le règlement de la maison").check()
    page.get_by_role("button", name="Envoyer la demande").click()

    assert page.get_by_text("Votre demande a bien été reçue").is_visible()
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
    staff_page.get_by_label("Message au demandeur").fill("Bienvenue à Bamako !")
    staff_page.get_by_role("button", name="Confirmer le séjour").click()
    assert staff_page.get_by_text(f"Séjour {reference} confirmé.").is_visible()

    page.goto(requester_url)
    assert page.get_by_text("Votre séjour est confirmé.").is_visible()
    assert page.get_by_text("Bienvenue à Bamako !").is_visible()
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
    assert staff_page.get_by_text("Modification acceptée ; le demandeur en est informé.").is_visible()
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


def page_urls(live_server, make_stay) -> list[str]:
    stay = make_stay()
    return [
        f"{live_server}/",
        f"{live_server}/availability",
        f"{live_server}/requests/new",
        f"{live_server}/requests/{stay.access_token}",
        f"{live_server}/staff/login",
    ]


def test_pages_fit_a_phone_without_horizontal_scrolling(live_server, chromium, make_room, make_stay):
    make_room(beds=2)
    context = watch_console(
        chromium.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    )
    page = context.new_page()
    for url in page_urls(live_server, make_stay):
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
    context.close()
    assert context.console_errors == []


def test_main_pages_have_no_serious_accessibility_violations(live_server, chromium, make_room, make_stay):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm install)")
    make_room(beds=2)
    # axe is injected as an inline script, which the site's CSP rightly refuses: this context bypasses it.
    context = watch_console(chromium.new_context(locale="fr-FR", bypass_csp=True))
    page = context.new_page()
    for url in page_urls(live_server, make_stay):
        page.goto(url)
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{url}: {json.dumps(serious, ensure_ascii=False)}"
    context.close()
    assert context.console_errors == []

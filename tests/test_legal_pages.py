"""What the law asks of the City's site: the footer's mention, the accessibility statement, the legal
notice, the service's contact where a visitor needs it, and French names marked as French in English."""

from html import unescape

import pytest

from guesthouse.extensions import db
from guesthouse.house.models import house_settings

NBSP = "\u00a0"


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("url", ["/", "/requests/new", "/availability", "/confidentialite", "/requests/lost"])
def test_every_page_has_the_legal_footer(client, url):
    html = text_of(client.get(url))
    footer = html[html.index('<footer class="site-footer">') :]
    assert f"Accessibilité{NBSP}: partiellement conforme" in footer
    for target in ('href="/accessibilite"', 'href="/mentions-legales"', 'href="/confidentialite"'):
        assert target in footer
    assert 'href="mailto:mpab@localhost"' in footer
    client.get("/lang/en")
    footer = text_of(client.get(url)).split('<footer class="site-footer">')[1]
    assert "Accessibility: partially compliant" in footer and "Legal notice" in footer


def test_the_footer_and_statement_say_what_the_setting_declares(app, client):
    app.config["ACCESSIBILITY_STATUS"] = "full"
    html = text_of(client.get("/accessibilite"))
    assert f"Accessibilité{NBSP}: totalement conforme" in html
    assert "Ce site est totalement conforme au référentiel général" in html
    # A value the statement does not know claims nothing rather than conformity.
    app.config["ACCESSIBILITY_STATUS"] = "yes"
    html = text_of(client.get("/mentions-legales"))
    assert f"Accessibilité{NBSP}: non conforme" in html and "partiellement" not in html


def test_the_accessibility_statement_follows_the_rgaa_model(app, client):
    app.config["ACCESSIBILITY_STATEMENT_DATE"] = "2026-11-30"
    app.config["SERVICE_CONTACT_EMAIL"] = "sri@angers.example"
    response = client.get("/accessibilite")
    html = text_of(response)
    assert response.status_code == 200
    assert (
        "Ce site est partiellement conforme au référentiel général d'amélioration de l'accessibilité" in html
    )
    assert "Aucun audit complet de conformité au RGAA n'a encore été mené" in html
    for measured in ("axe-core", "Nu Html Checker", "clavier seul", "Chromium", "390 pixels"):
        assert measured in html, measured
    assert "Cette déclaration a été établie le 30 novembre 2026." in html
    assert 'href="mailto:sri@angers.example"' in html
    assert "Défenseur des droits" in html and "https://formulaire.defenseurdesdroits.fr/" in html
    client.get("/lang/en")
    html = text_of(client.get("/accessibilite"))
    assert (
        "This site is partially compliant" in html
        and "This statement was drawn up on 30 November 2026." in html
    )


def test_an_audit_replaces_the_no_audit_sentence(app, client):
    app.config["ACCESSIBILITY_AUDIT"] = "Audit RGAA du 2 mars 2027 par la DSI : 82 % des critères respectés."
    html = text_of(client.get("/accessibilite"))
    assert "82 % des critères respectés" in html and "Aucun audit complet" not in html


def test_the_legal_notice_names_publisher_director_host_and_contact(app, client):
    app.config.update(
        LEGAL_PUBLICATION_DIRECTOR="Jeanne Martin, maire d'Angers",
        LEGAL_HOST="Hébergeur Exemple SAS, 1 rue de l'Exemple, 75000 Paris, 01 23 45 67 89",
        SERVICE_CONTACT_PHONE="+33 2 41 00 00 00",
    )
    html = text_of(client.get("/mentions-legales"))
    assert "Ville d'Angers" in html and "boulevard de la Résistance et de la Déportation" in html
    assert "Jeanne Martin, maire d'Angers" in html
    assert "Hébergeur Exemple SAS, 1 rue de l'Exemple" in html
    assert 'href="tel:+33241000000"' in html and 'href="mailto:mpab@localhost"' in html


def test_the_contact_block_is_on_the_form_the_private_page_and_error_pages(app, client, make_stay):
    app.config["SERVICE_CONTACT_PHONE"] = "+33 2 41 00 00 00"
    stay = make_stay()
    for url, status in (
        ("/requests/new", 200),
        (f"/requests/{stay.access_token}", 200),
        ("/requests/no-such-token", 404),
        ("/nowhere", 404),
    ):
        response = client.get(url)
        html = text_of(response)
        assert response.status_code == status, url
        block = html[html.index('class="contact-block"') :]
        assert "Contacter le service" in block, url
        assert "mpab@localhost" in block and "+33 2 41 00 00 00" in block, url


def test_english_pages_mark_french_names_as_french(client):
    html = text_of(client.get("/mentions-legales"))
    assert 'lang="fr"' not in html.split('hreflang="en"')[1]  # no mark needed on a French page
    client.get("/lang/en")
    html = text_of(client.get("/mentions-legales"))
    assert '<span lang="fr">Ville d\'Angers</span>' in html
    assert '<span lang="fr">Service des Relations Internationales</span>' in html
    assert '<span class="brand-name" lang="fr">Maison du Partenariat Angers-Bamako</span>' in html


def test_house_rules_written_only_in_french_are_marked_french(client):
    with client.application.test_request_context():
        settings = house_settings()
        settings.rules_en = ""
        db.session.commit()
    client.get("/lang/en")
    html = text_of(client.get("/requests/new"))
    assert '<p class="prose" lang="fr">La maison est gardée jour et nuit' in html

"""The request form to RGAA, in a real browser and with the keyboard only: required fields marked,
and after a failed submission a summary that takes the focus and leads to each field to correct."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.database import today
from guesthouse.extensions import db

from .conftest import AXE_SCRIPT, watch_console
from .test_browser import axe_violations

pytestmark = pytest.mark.browser

WORDS = {
    "fr": {
        "title": "Erreur\u00a0: Demander un séjour",
        "summary": "2 champs sont à corriger",
        "sent": "Votre demande a bien été reçue",
    },
    "en": {
        "title": "Error: Request a stay",
        "summary": "2 fields need correcting",
        "sent": "Your request has been received",
    },
}


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def press_until(page, key: str, focused: str, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching the CSS selector has the focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", focused):
            return
        page.keyboard.press(key)
    pytest.fail(f"{focused} never got the focus with {key}")


def tab_to(page, focused: str) -> None:
    press_until(page, "Tab", focused)


def type_into(page, element_id: str, text: str) -> None:
    tab_to(page, f"#{element_id}")
    page.keyboard.type(text)


def choose(page, element_id: str, value: str) -> None:
    """A closed select changes with the arrow keys."""
    tab_to(page, f"#{element_id}")
    for _ in range(12):
        if page.evaluate(f"document.getElementById('{element_id}').value") == value:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"#{element_id} never reached {value}")


SUBMIT = "form.form button[type=submit]"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_request_form_with_the_keyboard_only(live_server, chromium, make_room, language):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm ci)")
    make_room(beds=4)
    words = WORDS[language]
    context = watch_console(chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True))
    context.add_init_script(path=str(AXE_SCRIPT))
    context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    page = context.new_page()
    arrival = today() + timedelta(days=30)
    # Dates as the availability calendar passes them; everything else typed.
    page.goto(
        f"{live_server}/requests/new?arrival={arrival.isoformat()}"
        f"&departure={(arrival + timedelta(days=4)).isoformat()}"
    )
    assert page.locator("label[for=contact_name] .required-mark").inner_text() == "*"
    assert page.locator("#contact_name").get_attribute("required") is not None
    assert page.locator("label[for=contact_phone] .required-mark").count() == 0  # optional

    type_into(page, "contact_name", "Awa Traoré")
    type_into(page, "contact_email", "awa@example.org")
    type_into(page, "organisation", "Compagnie Les Arts du Fleuve")
    choose(page, "organisation_type", "arts")
    choose(page, "cooperation_axis", "culture")
    tab_to(page, "#accept_rules")
    page.keyboard.press("Space")
    # Whether the organisation is based in Angers, and the purpose, are left out.
    tab_to(page, SUBMIT)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.title().startswith(words["title"])
    assert focused_id(page) == "error-summary"
    summary = page.locator("#error-summary")
    assert words["summary"] in summary.inner_text()
    assert [link.get_attribute("href") for link in summary.locator("a").all()] == [
        "#angers_based-0",
        "#purpose",
    ]
    violations = axe_violations(page, "form with errors")

    # The first link leads to the question, answered with the arrow keys ("no").
    tab_to(page, "#error-summary a[href='#angers_based-0']")
    page.keyboard.press("Enter")
    assert focused_id(page) == "angers_based-0"
    page.keyboard.press("ArrowDown")
    assert page.locator("#angers_based-1").is_checked()
    # Back up to the second link, which leads to the purpose.
    press_until(page, "Shift+Tab", "#error-summary a[href='#purpose']")
    page.keyboard.press("Enter")
    assert focused_id(page) == "purpose"
    page.keyboard.type("Résidence de création")
    assert page.locator("#accept_rules").is_checked()  # kept from the first submission
    tab_to(page, SUBMIT)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert words["sent"] in page.locator("main").inner_text()
    stay = db.session.scalar(sa.select(StayRequest))
    assert (stay.angers_based, stay.purpose, stay.organisation_type) == (
        False,
        "Résidence de création",
        "arts",
    )
    context.close()
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert context.console_errors == []

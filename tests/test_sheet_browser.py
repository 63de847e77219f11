"""The daily sheet in a real browser: accessible at a laptop's and a phone's width, printable on A4."""

import json
import re
from datetime import UTC, datetime, time, timedelta

import pytest

from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import AXE_SCRIPT, STAFF_PASSWORD, watch_console
from .test_browser import LAPTOP, PHONE, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_house(make_room, make_stay, make_staff, approve):
    """A week of a full house: eight rooms, stays arriving, leaving and staying, with their travellers."""
    rooms = [make_room(name=f"Chambre {n}", beds=3) for n in range(1, 9)]
    day = today()
    for index, room in enumerate(rooms):
        start = day - timedelta(days=index % 3)
        stay = approve(
            make_stay(
                start=start,
                nights=3,
                guests=3,
                organisation=f"Organisation partenaire {index}",
                travellers=f"Awa Traoré {index}\nMoussa Keita {index}",
            ),
            room,
        )
        for position, traveller in enumerate(stay.traveller_records):
            traveller.phone = f"+223 70 12 3{index} 5{position}"
            traveller.emergency_name, traveller.emergency_phone = "Fatou Traoré", "+33 6 12 34 56 78"
            traveller.arrival_flight = "AF 596"
            traveller.arrival_at = datetime.combine(start, time(18, 45), UTC)
            traveller.pickup_wanted = position == 0
        later = approve(
            make_stay(start=day + timedelta(days=4), nights=2, guests=2, travellers="Julien Lebrun"), room
        )
        later.traveller_records[0].arrival_flight = "ET 934"
    db.session.commit()
    return make_staff(role=Role.CARETAKER, email="intendance@angers.example", name="Boubacar Intendant")


def log_in(page, live_server: str, user) -> None:
    page.goto(f"{live_server}/staff/login")
    page.fill("#email", user.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/sheet")


def test_the_sheet_passes_axe_at_laptop_and_phone_widths(live_server, chromium, busy_house):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm ci)")
    context = watch_console(chromium.new_context(viewport=LAPTOP, locale="fr-FR", bypass_csp=True))
    context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    log_in(page, live_server, busy_house)
    assert page.get_by_role("heading", name=re.compile("Arrivées du jour")).is_visible()
    violations = axe_violations(page, f"/staff/sheet at {LAPTOP['width']}px")
    page.set_viewport_size(PHONE)
    violations += axe_violations(page, f"/staff/sheet at {PHONE['width']}px")
    # Nothing but the tables' own regions scrolls sideways on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert overflow <= 0, f"the sheet scrolls sideways by {overflow}px"
    assert context.console_errors == []


def test_the_sheet_prints_on_two_a4_pages_at_most_without_header_nor_buttons(
    live_server, chromium, busy_house
):
    context = watch_console(chromium.new_context(viewport=LAPTOP, locale="fr-FR"))
    page = context.new_page()
    log_in(page, live_server, busy_house)
    assert (
        page.locator(".site-header").is_visible()
        and page.get_by_role("button", name=re.compile("^Arrivée")).count()
    )
    page.emulate_media(media="print")
    for hidden in (".site-header", "nav", ".site-footer", ".sheet-tools", "form"):
        assert all(not element.is_visible() for element in page.locator(hidden).all()), hidden
    assert page.get_by_role("heading", name=re.compile("Présents ce soir")).is_visible()
    assert page.get_by_text("+223 70 12 30 50").is_visible()
    assert page.get_by_text("Julien Lebrun").first.is_visible()
    pdf = page.pdf(format="A4", print_background=False)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    context.close()
    assert 1 <= pages <= 2, f"the sheet prints on {pages} A4 pages"
    assert context.console_errors == []


def test_a_caretaker_records_an_arrival_with_the_sheets_button(live_server, chromium, busy_house):
    context = watch_console(chromium.new_context(viewport=LAPTOP, locale="fr-FR"))
    page = context.new_page()
    log_in(page, live_server, busy_house)
    arrivals = page.locator('section[aria-labelledby="arrivals"]')
    button = arrivals.get_by_role("button", name=re.compile("^Arrivée MPAB-")).first
    reference = button.inner_text().removeprefix("Arrivée").strip()
    button.click()
    page.wait_for_url(f"{live_server}/staff/sheet")
    assert page.get_by_text(f"Arrivée de {reference} enregistrée.").is_visible()
    assert arrivals.get_by_role("button", name=f"Arrivée {reference}").count() == 0
    assert arrivals.get_by_role("button", name=f"Départ {reference}").is_visible()
    context.close()
    assert context.console_errors == []

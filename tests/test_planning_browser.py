"""The planning board in a real browser: a laptop and a phone, axe-core, sideways scrolling in its own
region, and printing on A4 landscape without the site's header and navigation."""

import json
import re
from datetime import timedelta

import pytest

from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import AXE_SCRIPT, STAFF_PASSWORD, watch_console
from .test_browser import LAPTOP, PHONE, axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def busy_house(make_room, make_stay, make_closure, make_staff):
    """Eight rooms, stays, overlapping pending requests, closures and a note; returns an admin."""
    admin = make_staff(role=Role.ADMIN, name="Aminata Coulibaly")
    rooms = [
        make_room(name=name, beds=2)
        for name in ("Baobab", "Djoliba", "Fleuve", "Karité", "Niger", "Sahel", "Sénou", "Tamarinier")
    ]
    monday = today() - timedelta(days=today().weekday())
    for i, room in enumerate(rooms):
        stay = make_stay(start=monday + timedelta(days=i * 2), nights=4, organisation=f"Organisation {i}")
        stay.approve(by=admin, rooms=[room])
        if i == 0:
            stay.add_note(by=admin, body="Arrivée tardive : clé au gardien")
    db.session.commit()
    make_stay(start=monday + timedelta(days=3), nights=5, guests=3)
    make_stay(start=monday + timedelta(days=4), nights=2, guests=2)
    make_closure(room=rooms[1], start_date=monday + timedelta(days=10), end_date=monday + timedelta(days=12))
    make_closure(
        room=None, start_date=monday + timedelta(days=20), end_date=monday + timedelta(days=21), reason="Fête"
    )
    return admin


def poll(page, expression: str, seconds: float = 5) -> bool:
    """Whether the expression becomes true within the time, evaluated without eval inside the page."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):
            return True
        page.wait_for_timeout(100)
    return bool(page.evaluate(expression))


def logged_in_page(chromium, live_server, admin, viewport, **options):
    context = watch_console(chromium.new_context(viewport=viewport, locale="fr-FR", **options))
    page = context.new_page()
    page.goto(f"{live_server}/staff/login")
    page.fill("#email", admin.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")
    return context, page


def test_the_board_at_laptop_and_phone_widths_passes_axe(live_server, chromium, busy_house):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm ci)")
    context, page = logged_in_page(chromium, live_server, busy_house, LAPTOP, bypass_csp=True)
    context.add_init_script(path=str(AXE_SCRIPT))
    violations = []
    for language in ("fr", "en"):
        context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
        for path in ("/staff/planning", "/staff/planning?weeks=12", "/staff/requests/new"):
            assert page.goto(live_server + path).status == 200
            violations.extend(axe_violations(page, f"{path} ({language}) at 1366px"))
            page.set_viewport_size(PHONE)
            violations.extend(axe_violations(page, f"{path} ({language}) at 390px"))
            page.set_viewport_size(LAPTOP)
    context.close()
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert context.console_errors == []


def test_on_a_phone_the_board_scrolls_sideways_in_its_region_not_the_page(live_server, chromium, busy_house):
    context, page = logged_in_page(chromium, live_server, busy_house, PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{live_server}/staff/planning")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    region = page.get_by_role("region", name=re.compile("^Chambres et nuits du"))
    assert region.evaluate("r => r.scrollWidth - r.clientWidth") > 300  # four weeks do not fit a phone
    # By keyboard: the region takes the focus and the arrow keys scroll it.
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    # Polled from here: wait_for_function evaluates its expression with eval, which the CSP refuses once the
    # scroll takes longer than its first check (a busy machine).
    assert poll(page, "document.querySelector('.planning-scroll').scrollLeft > 0")
    assert page.evaluate("window.scrollX") == 0
    # The room names stay in view while the nights scroll under them.
    room = page.get_by_role("rowheader", name=re.compile("^Baobab"))
    assert room.bounding_box()["x"] < 20
    # A bar is a link to its request, with the note in its tooltip.
    link = page.locator("td.bar-stay a[title]").first
    assert "Arrivée tardive" in link.get_attribute("title")
    context.close()
    assert context.console_errors == []


def test_the_board_prints_on_a4_landscape_without_header_or_navigation(live_server, chromium, busy_house):
    context, page = logged_in_page(chromium, live_server, busy_house, LAPTOP)
    page.goto(f"{live_server}/staff/planning")
    assert page.locator(".site-header").is_visible() and page.locator(".planning-nav").is_visible()
    page.emulate_media(media="print")
    for hidden in (".site-header", ".admin-nav", ".planning-nav", ".planning-period", ".site-footer"):
        assert not page.locator(hidden).is_visible(), hidden
    assert page.locator("table.planning").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    width, height = (float(n) for n in re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    context.close()
    assert context.console_errors == []


def test_the_request_list_keeps_references_and_dates_on_one_line_on_a_laptop(
    live_server, chromium, busy_house
):
    context, page = logged_in_page(chromium, live_server, busy_house, LAPTOP)
    page.goto(f"{live_server}/staff/requests")
    lines = page.evaluate(
        """() => [...document.querySelectorAll('td.reference, td.dates')].map(td => {
            const style = getComputedStyle(td);
            const inner = td.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            return Math.round(inner / parseFloat(style.lineHeight));
        })"""
    )
    assert lines and set(lines) == {1}, lines
    context.close()

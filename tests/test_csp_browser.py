"""The strict Content-Security-Policy in a real Chromium: pages render, nothing is refused."""

import pytest

from guesthouse.staff.models import Role

from .conftest import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_pages_render_under_the_csp_without_a_violation(
    live_server, browser_context, make_room, make_stay, make_staff
):
    page = browser_context.new_page()
    problems = []
    # A CSP refusal shows as a console error; a 404 there is the browser's own /favicon.ico request.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type in ("error", "warning") and "404 (NOT FOUND)" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    make_room(name="Djoliba", beds=2)
    stay = make_stay()
    admin = make_staff(role=Role.ADMIN, email="admin@angers.example")

    for path in (
        "/",
        "/availability",
        "/requests/new",
        "/requests/lost",
        "/confidentialite",
        f"/requests/{stay.access_token}",
    ):
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
    # the stylesheet applied: the honeypot is out of sight, and the header has its colour
    page.goto(live_server + "/requests/new")
    box = page.locator(".hp").bounding_box()
    assert box is not None and box["x"] < -1000
    assert (
        page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
        == "rgb(138, 59, 18)"
    )
    assert page.locator("#website").evaluate("e => e.tabIndex") == -1

    page.goto(live_server + "/staff/login")
    page.fill("#email", admin.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/staff/")
    for path in (
        "/staff/",
        f"/staff/requests/{stay.id}",
        "/staff/accounts",
        "/staff/privacy",
        "/staff/password",
        "/staff/requests",
        "/staff/stats",
        "/staff/house/",
        "/staff/rooms",
        "/staff/closures",
        "/staff/mail/",
    ):
        assert page.goto(live_server + path).status == 200, path
    assert problems == []


def test_the_copy_button_runs_under_the_csp(live_server, browser_context, make_staff):
    """The profile's copy button is a script file the policy allows; without it the field stays usable."""
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = browser_context.new_page()
    staff = make_staff()
    page.goto(live_server + "/staff/login")
    page.fill("#email", staff.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/staff/")
    page.goto(live_server + "/staff/profile")
    assert page.get_by_role("button", name="Copier l'adresse").count() == 0  # no address to copy yet
    page.get_by_role("button", name="Générer mon adresse d'agenda").click()
    page.wait_for_url(live_server + "/staff/profile#agenda")
    address = page.locator("#feed-url").input_value()
    assert "/calendar/staff/" in address
    page.get_by_role("button", name="Copier l'adresse").click()
    page.get_by_text("Adresse copiée.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == address
    page.reload()  # a reload shows the page again, not a second address
    assert page.locator("#feed-url").count() == 0
    assert page.get_by_text("Une adresse privée est active").count() == 1

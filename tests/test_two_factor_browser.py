"""Two-factor sign-in in a real browser: enrolment from the profile, then logins with a code from the app
(computed here with pyotp from the key the page shows) and with a recovery code; axe on its pages."""

import json
import time

import pyotp
import pytest

from .conftest import AXE_SCRIPT, STAFF_PASSWORD, watch_console
from .test_browser import LAPTOP, PHONE, axe_violations

pytestmark = pytest.mark.browser


def password_step(page, live_server, email: str) -> None:
    page.goto(live_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server + "/staff/login/code")


def sign_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/staff/login")


def test_enrolment_and_logins_with_a_code_and_a_recovery_code(live_server, browser_context, make_staff):
    member = make_staff(name="Oumar Sangaré")
    page = browser_context.new_page()
    page.goto(live_server + "/staff/login")
    page.fill("#email", member.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server + "/staff/")

    page.get_by_role("link", name="Mon profil").click()
    assert page.get_by_text("pas encore activée").is_visible()
    page.get_by_role("link", name="Double authentification").click()
    assert page.locator(".qr-code svg").is_visible()
    totp = pyotp.TOTP(page.locator("code.secret").inner_text())
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Activer la double authentification").click()
    assert page.get_by_text("Double authentification activée").is_visible()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.reload()
    assert page.locator(".recovery-codes").count() == 0  # shown once
    sign_out(page)

    password_step(page, live_server, member.email)
    page.get_by_label("Code").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(live_server + "/staff/")
    sign_out(page)

    password_step(page, live_server, member.email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(live_server + "/staff/")
    page.goto(live_server + "/staff/two-factor")
    assert page.get_by_text("Il vous reste 9 codes de secours.").is_visible()
    sign_out(page)

    password_step(page, live_server, member.email)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Valider").click()
    assert page.get_by_text("Code incorrect ou déjà utilisé").is_visible()
    assert page.url == live_server + "/staff/login/code"


def test_the_code_and_sessions_pages_pass_axe(live_server, chromium, make_staff):
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}: run `make install` (npm ci)")
    member = make_staff()
    context = watch_console(chromium.new_context(viewport=LAPTOP, locale="fr-FR", bypass_csp=True))
    context.add_init_script(path=str(AXE_SCRIPT))
    page = context.new_page()
    violations = []

    def check(where: str) -> None:
        violations.extend(axe_violations(page, f"{where} at {LAPTOP['width']}px"))
        page.set_viewport_size(PHONE)
        violations.extend(axe_violations(page, f"{where} at {PHONE['width']}px"))
        page.set_viewport_size(LAPTOP)

    page.goto(live_server + "/staff/login")
    page.fill("#email", member.email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(live_server + "/staff/")
    page.goto(live_server + "/staff/two-factor")
    check("/staff/two-factor, to set up")
    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Activer la double authentification").click()
    check("/staff/two-factor, a wrong first code")
    totp = pyotp.TOTP(page.locator("code.secret").inner_text())
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Activer la double authentification").click()
    check("/staff/two-factor, recovery codes shown")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    sign_out(page)

    password_step(page, live_server, member.email)
    check("/staff/login/code")
    page.get_by_label("Code").fill("123456")
    page.get_by_role("button", name="Valider").click()
    check("/staff/login/code, a wrong code")
    page.get_by_label("Code").fill(codes[1])
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(live_server + "/staff/")
    page.goto(live_server + "/staff/sessions")
    check("/staff/sessions")
    page.goto(live_server + "/staff/two-factor")
    check("/staff/two-factor, on")

    context.close()
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    assert context.console_errors == []

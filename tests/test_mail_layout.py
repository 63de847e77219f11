"""Mails read at a glance, on a phone: every kind, as received from the SMTP server, in French and English.

The HTML part is drawn by Chromium at a phone's width (390 px) and at 800 px; the text part is read on
its own. Each mail opens with its outcome, then the facts, then what to do, then the details.
"""

import re
from html import unescape

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from guesthouse.bookings.models import StayRequest
from guesthouse.extensions import db
from guesthouse.i18n import babel_locale

from .conftest import STAFF_PASSWORD, deliver_mail, valid_request_form
from .every_mail import LONG_BASE_URL, every_mail

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 800, "height": 900}
ARIANE = "https://pastel.diplomatie.gouv.fr/fildariane/"
LANGUAGES = ["fr", "en"]

# What Chromium measures of a mail: the first heading, the biggest text, where the text lies, the links.
MEASURE = """() => {
  const size = element => parseFloat(getComputedStyle(element).fontSize);
  const heading = document.querySelector('h1, h2, h3, h4, h5, h6');
  let left = Infinity, right = -Infinity, biggest = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects()) {
      left = Math.min(left, box.left);
      right = Math.max(right, box.right);
    }
    if (!heading || !heading.contains(node)) biggest = Math.max(biggest, size(node.parentElement));
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth, innerHeight,
    heading: heading && {tag: heading.tagName, text: heading.textContent.trim(),
                         bottom: heading.getBoundingClientRect().bottom, size: size(heading),
                         font: getComputedStyle(heading).fontFamily},
    biggestOther: biggest,
    textLeft: left, textRight: right,
    links: [...document.querySelectorAll('a')].map(a => ({
      text: a.textContent, lines: a.getClientRects().length,
      right: Math.max(...[...a.getClientRects()].map(box => box.right)),
    })),
    sheetsOrScripts: document.querySelectorAll('script, style, link').length,
  };
}"""


def first_heading(html: str) -> str | None:
    found = re.search(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else None


def facts(html: str) -> list[tuple[str, str]]:
    """The label and value of each row of the mail's fact tables, as a reader sees them."""
    rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td>', html, re.S)
    return [tuple(" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in row) for row in rows]


def stays_of(mail) -> list[StayRequest]:
    """The requests a mail is about: its own, or those it lists."""
    if mail.row.stay_id is not None:
        return [db.session.get(StayRequest, mail.row.stay_id)]
    listed = re.findall(r"MPAB-\d{4}-\d{4}", mail.part("plain"))
    return [
        db.session.scalar(sa.select(StayRequest).filter_by(reference=ref)) for ref in dict.fromkeys(listed)
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_part_reads_on_its_own_outcome_first(
    app, client, form_post, make_room, make_staff, runner, smtp_server, language
):
    mails = every_mail(app, client, form_post, make_room, make_staff, runner, smtp_server, language)
    for mail in mails:
        text, html = mail.part("plain"), mail.part("html")
        outcome = first_heading(html)
        assert outcome, f"{mail.kind} ({mail.locale}): no outcome heading"
        where = f"{mail.kind} ({mail.locale})"
        # The outcome is the first line, underlined, and the same as the HTML's heading.
        first, underline = text.split("\n")[:2]
        assert (first, underline) == (outcome, "=" * len(outcome)), where
        # The reference and dates of each request the mail is about: before any link, or in a list
        # (lost links, digest) before the request's own link.
        first_link = text.index(LONG_BASE_URL)
        listing = mail.row.stay_id is None
        for stay in stays_of(mail):
            start = text.index(stay.reference)
            assert 0 < start < (text.index(LONG_BASE_URL, start) if listing else first_link), where
            arrival = [
                format_date(stay.arrival, f, locale=babel_locale(mail.locale)) for f in ("full", "long")
            ]
            assert any(day in text for day in arrival), (where, arrival)
            if not listing:
                assert format_date(stay.departure, "full", locale=babel_locale(mail.locale)) in text, where
        # Every fact of the HTML part is in the text part, its label and value on one line.
        lines = [" ".join(line.split()) for line in text.split("\n")]
        for label, value in facts(html):
            label = label.rstrip(" :\u00a0")
            assert any(label in line and value in line for line in lines), (where, label, value)
        # A stay that will take place: where and when to arrive, then what to do, then the house's rules.
        if mail.kind in ("approved", "changed", "reminder"):
            house = app.config["HOUSE_ADDRESS"]  # in the facts, then the steps, then the private link
            order = [stay.reference, house, "14:00", ARIANE, LONG_BASE_URL]
            positions = [text.index(marker) for marker in order]
            assert positions == sorted(positions), (where, order)
            # Among the steps, the page where the requester gives the travellers' flights and phones; the
            # reminder lists, traveller by traveller, what is still missing there.
            travellers = re.search(r"https?://\S+/requests/[\w-]+/travellers\n", text)
            assert travellers and text.index(ARIANE) < travellers.start(), where
            assert (f'href="{travellers.group().strip()}"') in html, where
            if mail.kind == "reminder":
                missing = text[text.index(ARIANE) : travellers.start()].split("\n")
                assert any(line.startswith("- ") and " — " in line for line in missing), where


def measure(page, html: str) -> dict:
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(html)
    found = page.evaluate(MEASURE)
    found["requests"] = requests
    return found


@pytest.mark.browser
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_mail_reads_at_a_glance_on_a_phone(
    app, client, form_post, make_room, make_staff, runner, smtp_server, chromium, html_checker, language
):
    """At 390 px: no sideways scroll, long links wrap, the outcome is the first and biggest heading, on the
    first screen. At 800 px: one column of at most 600 px. Nothing loaded, no script; valid HTML."""
    mails = every_mail(app, client, form_post, make_room, make_staff, runner, smtp_server, language)
    context = chromium.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    problems = []
    for mail in mails:
        html = mail.part("html")
        where = f"{mail.kind} ({mail.locale})"
        page.set_viewport_size(PHONE)
        phone = measure(page, html)
        assert phone["innerWidth"] == PHONE["width"]
        if phone["scrollWidth"] > phone["innerWidth"] or phone["textRight"] > phone["innerWidth"]:
            problems.append(
                f"{where}: scrolls sideways at 390 px ({phone['scrollWidth']}, text to {phone['textRight']})"
            )
        heading = phone["heading"]
        if heading is None or heading["tag"] != "H1" or heading["text"] != first_heading(html):
            problems.append(f"{where}: the first heading is {heading}, not the outcome")
            heading = heading or {"bottom": 0, "size": 0, "font": "none"}
        if heading["bottom"] >= PHONE["height"]:
            problems.append(f"{where}: the outcome ends at {heading['bottom']} px, below the first screen")
        if heading["size"] <= phone["biggestOther"]:
            problems.append(f"{where}: text as big as the outcome ({phone['biggestOther']} px)")
        if "sans-serif" not in heading["font"]:
            problems.append(f"{where}: unstyled font {heading['font']}")
        long_links = [link for link in phone["links"] if len(link["text"]) > 60]
        if not long_links:
            problems.append(f"{where}: no long link to try")
        for link in phone["links"]:
            if link["right"] > phone["innerWidth"] or (link in long_links and link["lines"] < 2):
                problems.append(f"{where}: link runs off the screen: {link}")
        if phone["sheetsOrScripts"] or phone["requests"]:
            problems.append(f"{where}: loads or runs something: {phone['requests']}")

        page.set_viewport_size(WIDE)
        wide = measure(page, html)
        if wide["textRight"] - wide["textLeft"] > 600 or wide["scrollWidth"] > wide["innerWidth"]:
            problems.append(f"{where}: {wide['textRight'] - wide['textLeft']} px wide at 800 px")
        if html_checker:
            problems += [
                f"{where}, line {message.get('lastLine', '?')}: {message['message']}"
                for message in html_checker.messages(html.encode())
                if message["type"] != "info"
            ]
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_development_mail_page_shows_a_mail_as_it_looks(
    app, live_server, chromium, form_post, make_room, make_staff
):
    """`make run` keeps mails for /staff/mail/dev: their HTML part there is drawn with its styles."""
    app.config["MAIL_BACKEND"] = "console"
    make_room(beds=4)
    staff = make_staff()
    assert form_post("/requests/new", valid_request_form()).status_code == 303
    deliver_mail()
    context = chromium.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("Adresse e-mail").fill(staff.email)
    page.get_by_label("Mot de passe").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server}/staff/mail/dev")
    page.get_by_role("link", name=re.compile("Demande de séjour reçue")).click()
    page.get_by_role("link", name="Voir la version HTML").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Demande de séjour reçue"
    assert "sans-serif" in heading.evaluate("h => getComputedStyle(h).fontFamily")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    context.close()

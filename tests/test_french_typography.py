"""French that reads as French: the typography check itself, the first of a month, and counts.

Every test of the suite runs under the check of tests/typography.py (the autouse `french_typography`
fixture of conftest.py): these tests pin down what it flags, and the wording it guards through routes.
"""

from datetime import date, timedelta
from html import unescape

import pytest
from flask_babel import force_locale

from guesthouse.database import today, utcnow
from guesthouse.extensions import db
from guesthouse.i18n import format_day

from .conftest import deliver_mail
from .typography import NBSP as NB
from .typography import NNBSP as NNB
from .typography import faults, html_text


# -- the check ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "Message du service :",  # a plain space: the colon may start the next line
        "Message du service:",  # glued, as in English
        "Supprimer la fermeture ?",
        f"Supprimer la fermeture{NB}?",  # the wide space before ? ; ! is too wide
        "Modification acceptée ; le demandeur en est informé.",
        "Bienvenue!",
        "chaque séjour apparaît comme « Occupé »",
        "comme «Occupé»",
        f"Référence{NNB}: MPAB-2027-0001",  # before a colon, the space is the full one
        "2 demande(s) en attente",
    ],
)
def test_the_check_flags_french_without_its_spaces(text):
    assert faults(text, "fr")


@pytest.mark.parametrize(
    "text",
    [
        f"Message du service{NB}:",
        f"Supprimer la fermeture{NNB}?",
        f"acceptée{NNB}; le demandeur",
        f"comme «{NB}Occupé{NB}»",
        "Arrivée à partir de 14:00, départ avant 11:30.",
        "Collez l'adresse https://mpab.example/calendar/abc.ics?lang=fr dans l'agenda.",
        "Écrivez à mpab@angers.fr ou webcal://mpab.example/x.ics",
    ],
)
def test_the_check_passes_french_typography_times_and_addresses(text):
    assert faults(text, "fr") == []


def test_english_gets_no_french_spaces_and_no_maybe_plurals():
    assert faults("Message from the service: see you soon! Questions? Rooms; beds.", "en") == []
    assert faults(f"Message from the service{NB}:", "en")
    assert faults("2 request(s) pending", "en")


def test_page_text_leaves_out_markup_scripts_styles_and_what_a_visitor_typed():
    html = (
        '<p style="color: red">Adresse<strong>\u00a0:</strong> <a href="https://x.example/?a=b">ici</a></p>'
        "<script>if (a) { b: c; }</script><style>p { margin: 0; }</style>"
        "<textarea>Mon texte : à moi</textarea>"
    )
    text = html_text(html)
    assert "margin" not in text and "b: c" not in text and "Mon texte" not in text
    assert faults(text, "fr") == []
    assert faults(html_text("<p>Adresse<strong> :</strong></p>"), "fr")


# -- the first of a month ----------------------------------------------------------------------------
def test_the_first_of_a_month_is_1er_in_french_only(app):
    first, second = date(2027, 1, 1), date(2027, 1, 2)
    with app.test_request_context(), force_locale("fr"):
        assert format_day(first, "long") == "1er janvier 2027"
        assert format_day(first, "full") == "vendredi 1er janvier 2027"
        assert format_day(first, "medium") == "1er janv. 2027"
        assert format_day(first, "EEE d MMM") == "ven. 1er janv."
        assert format_day(first, "short") == "01/01/2027"  # digits, no ordinal
        assert format_day(second, "long") == "2 janvier 2027"
    with app.test_request_context(), force_locale("en_GB"):
        assert format_day(first, "long") == "1 January 2027"


def test_a_stay_arriving_on_the_first_reads_1er_on_its_page_and_in_its_mail(
    client, auth, make_room, make_stay, form_post, smtp_server
):
    soon = today() + timedelta(days=40)
    first = date(soon.year + (soon.month == 12), soon.month % 12 + 1, 1)
    stay = make_stay(arrival=first, nights=3)
    page = unescape(client.get(f"/requests/{stay.access_token}").get_data(as_text=True))
    assert "1er " in page
    auth.login()
    url = f"/staff/requests/{stay.id}"
    assert form_post(f"{url}/approve", {"rooms": [make_room().id]}, page=url).status_code == 303
    deliver_mail()
    confirmation = smtp_server.one("claire@example.org", "Séjour confirmé")
    month = format_month(first)
    assert f"du 1er {month}" in confirmation["Subject"]


def format_month(day: date) -> str:
    return "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()[
        day.month - 1
    ]


# -- counts ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("beds", "guests", "shown"), [(1, 3, "1 lit pour 3 voyageurs"), (2, 3, "2 lits pour 3 voyageurs")]
)
def test_the_approval_page_counts_beds_and_travellers(
    client, auth, make_room, make_stay, form_post, beds, guests, shown
):
    auth.login()
    room = make_room(beds=beds)
    stay = make_stay(guests=guests)
    url = f"/staff/requests/{stay.id}"
    response = form_post(f"{url}/approve", {"rooms": [room.id]}, page=url)
    assert response.status_code == 400
    assert f"Ces chambres comptent {shown}{NB}: ajoutez une chambre." in unescape(
        response.get_data(as_text=True)
    )


@pytest.mark.parametrize(("waiting", "subject"), [(1, "1 demande en attente"), (2, "2 demandes en attente")])
def test_the_digest_subject_counts_requests(client, make_stay, runner, smtp_server, waiting, subject):
    for index in range(waiting):
        stay = make_stay(organisation=f"Organisation {index}")
        stay.created_at = utcnow() - timedelta(days=10)
    db.session.commit()
    runner.invoke(args=["mail", "send"])
    smtp_server.messages.clear()
    result = runner.invoke(args=["mail", "digest", "--days", "1"])
    assert result.exit_code == 0, result.output
    deliver_mail()
    [digest] = smtp_server.messages
    assert digest["Subject"] == f"{subject} depuis plus de 1 jour"

"""The planning board through its route: rooms by nights, bars, lanes, closures, free counts, bad values."""

from datetime import timedelta
from html import unescape

import pytest

from guesthouse.bookings.changes import ChangeRequest
from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.staff.models import Role

from .conftest import Auth
from .planning_board import Board, nights_before


def monday(weeks_ahead: int = 2):
    return today() - timedelta(days=today().weekday()) + timedelta(weeks=weeks_ahead)


def board(client, **params) -> Board:
    response = client.get("/staff/planning", query_string=params)
    assert response.status_code == 200, response.status_code
    return Board(response.get_data(as_text=True))


@pytest.fixture
def rooms(make_room):
    return make_room(name="Djoliba", beds=2), make_room(name="Niger", beds=3)


def test_an_approved_stay_is_one_bar_across_its_nights_in_each_of_its_rooms(
    client, auth, rooms, make_stay, make_room
):
    staff = auth.login()
    djoliba, niger = rooms
    make_room(name="Baobab", beds=1)
    start = monday()
    stay = make_stay(start=start + timedelta(days=2), nights=3, guests=4, organisation="Mairie d'Angers")
    stay.approve(by=staff, rooms=[djoliba, niger])
    db.session.commit()

    shown = board(client, start=start.isoformat(), weeks=1)
    assert len(shown.columns) == 7
    assert [c.text.split()[0] for c in shown.columns] == [
        "lun.",
        "mar.",
        "mer.",
        "jeu.",
        "ven.",
        "sam.",
        "dim.",
    ]
    assert {"weekend"} <= shown.columns[5].classes and {"weekend"} <= shown.columns[6].classes
    assert [g.header for g in shown.groups] == [
        "À attribuer",
        "Baobab 1 lit",
        "Djoliba 2 lits",
        "Niger 3 lits",
    ]
    for name in ("Djoliba", "Niger"):
        [lane] = shown.group(name).lanes
        [bar] = shown.group(name).bars()
        assert bar.span == 3 and nights_before(lane, bar) == 2
        assert stay.reference in bar.text and "Mairie d'Angers" in bar.text
        assert bar.href == f"/staff/requests/{stay.id}"
        assert sum(cell.span for cell in lane) == 7
    assert shown.group("Baobab").bars() == []


def test_a_bar_is_cut_at_the_edges_of_the_period(client, auth, rooms, make_stay):
    staff = auth.login()
    start = monday()
    stay = make_stay(start=start - timedelta(days=2), nights=12)
    stay.approve(by=staff, rooms=[rooms[0]])
    db.session.commit()
    [bar] = board(client, start=start.isoformat(), weeks=1).group("Djoliba").bars()
    assert bar.span == 7 and {"from-before", "to-after"} <= bar.classes


def test_pending_requests_that_overlap_go_to_separate_lanes(client, auth, rooms, make_stay):
    auth.login()
    start = monday()
    first = make_stay(start=start, nights=3, guests=1)
    overlapping = make_stay(start=start + timedelta(days=1), nights=3, guests=2)
    after_first = make_stay(start=start + timedelta(days=3), nights=2, guests=1)  # leaves the day it arrives
    pending = board(client, start=start.isoformat(), weeks=1).pending
    assert pending.header == "À attribuer"
    lanes = [[c.text.split()[0] for c in lane if "bar" in c.classes] for lane in pending.lanes]
    assert lanes == [[first.reference, after_first.reference], [overlapping.reference]]
    bars = {bar.text.split()[0]: bar for bar in pending.bars()}
    assert bars[overlapping.reference].span == 3
    assert bars[overlapping.reference].href == f"/staff/requests/{overlapping.id}"
    assert "2 voyageurs" in bars[overlapping.reference].text


def test_closures_show_their_reason_in_their_room_or_in_every_row(client, auth, rooms, make_closure):
    auth.login()
    djoliba, niger = rooms
    start = monday()
    make_closure(room=niger, start_date=start, end_date=start + timedelta(days=2), reason="Peinture")
    make_closure(
        room=None, start_date=start + timedelta(days=4), end_date=start + timedelta(days=6), reason="Fête"
    )
    shown = board(client, start=start.isoformat(), weeks=1)
    niger_bars = shown.group("Niger").bars()
    assert [(b.text, b.span) for b in niger_bars][0][0].startswith("Fermée Peinture")
    assert [b.span for b in niger_bars] == [2, 2]
    for name in ("Djoliba", "Niger"):
        [house] = [b for b in shown.group(name).bars() if "bar-house" in b.classes]
        assert house.text.startswith("Maison fermée Fête") and house.span == 2
    assert [b for b in shown.group("Djoliba").bars() if "Peinture" in b.text] == []


def test_a_closure_over_a_stay_gets_a_lane_of_its_own(client, auth, rooms, make_stay, make_closure):
    staff = auth.login()
    start = monday()
    stay = make_stay(start=start + timedelta(days=1), nights=3)
    stay.approve(by=staff, rooms=[rooms[0]])
    db.session.commit()
    make_closure(room=rooms[0], start_date=start + timedelta(days=2), end_date=start + timedelta(days=4))
    group = board(client, start=start.isoformat(), weeks=1).group("Djoliba")
    assert len(group.lanes) == 2
    assert [len([c for c in lane if "bar" in c.classes]) for lane in group.lanes] == [1, 1]


def test_free_rooms_and_beds_under_each_night_and_nights_short_of_beds(client, auth, rooms, make_stay):
    staff = auth.login()
    djoliba, niger = rooms
    start = monday()
    stay = make_stay(start=start + timedelta(days=1), nights=2, guests=2)
    stay.approve(by=staff, rooms=[djoliba])
    db.session.commit()
    waiting = make_stay(start=start, nights=3, guests=4)  # 5 beds, then 3 while Djoliba is taken
    shown = board(client, start=start.isoformat(), weeks=1)
    assert [c.text for c in shown.footer["Chambres libres"]] == ["2", "1", "1", "2", "2", "2", "2"]
    beds = shown.footer["Lits libres"]
    assert [c.text.split()[0] for c in beds] == ["5", "3", "3", "5", "5", "5", "5"]
    assert ["short" in c.classes for c in beds] == [False, True, True, False, False, False, False]
    assert f"pas assez pour {waiting.reference}" in beds[1].text
    [bar] = shown.pending.bars()
    assert "Lits insuffisants sur 2 nuits" in bar.text and "bar-short" in bar.classes


def test_a_change_request_and_the_notes_show_on_the_stay(client, auth, rooms, make_stay, form_post):
    staff = auth.login()
    start = monday()
    stay = make_stay(start=start + timedelta(days=1), nights=2)
    stay.approve(by=staff, rooms=[rooms[0]])
    ChangeRequest.open(
        stay,
        arrival=stay.arrival,
        departure=stay.departure + timedelta(days=2),
        guests=2,
        travellers="",
        message="Un jour de plus",
        pending=None,
    )
    db.session.commit()
    url = f"/staff/requests/{stay.id}"
    assert (
        form_post(f"{url}/notes", {"body": "Arrivée tardive : clé au gardien"}, page=url).status_code == 303
    )
    [bar] = board(client, start=start.isoformat(), weeks=1).group("Djoliba").bars()
    assert "Modification demandée" in bar.text and "2 voyageurs" in bar.text
    assert "1 note" in bar.text
    assert "Arrivée tardive : clé au gardien" in unescape(bar.title)
    assert "heure de Paris" in bar.title


def test_default_period_is_four_weeks_from_monday_with_previous_next_and_today(client, auth, rooms):
    auth.login()
    response = client.get("/staff/planning")
    shown = Board(response.get_data(as_text=True))
    this_monday = today() - timedelta(days=today().weekday())
    assert len(shown.columns) == 28
    [today_column] = [c for c in shown.columns if "today" in c.classes]
    assert shown.columns.index(today_column) == today().weekday()
    assert "(aujourd'hui)" in today_column.text
    html = response.get_data(as_text=True)
    assert 'aria-current="date"' in html
    earlier, later = this_monday - timedelta(weeks=4), this_monday + timedelta(weeks=4)
    assert f'href="/staff/planning?start={earlier.isoformat()}&amp;weeks=4" rel="prev"' in html
    assert f'href="/staff/planning?start={later.isoformat()}&amp;weeks=4" rel="next"' in html
    assert 'href="/staff/planning?weeks=4">Cette semaine' in html
    assert len(board(client, weeks=12).columns) == 84


def test_the_board_is_a_table_for_screen_readers_in_a_focusable_labelled_region(client, auth, rooms):
    auth.login()
    html = client.get("/staff/planning").get_data(as_text=True)
    assert '<div class="planning-scroll" role="region" tabindex="0" aria-label="Chambres et nuits du' in html
    assert "<caption>Chambres et nuits du" in html
    assert html.count('<th scope="col"') == 29
    assert html.count('<th scope="rowgroup"') == 3  # the pending requests' lanes, then each room
    assert html.count('<th scope="row"') == 2  # free rooms, free beds
    assert "<script" not in html  # nothing to run: it works without JavaScript


@pytest.mark.parametrize(
    "query, message",
    [
        ("weeks=0", "de 1 à 12 semaines"),
        ("weeks=13", "de 1 à 12 semaines"),
        ("weeks=abc", "Saisissez un nombre entier"),
        ("weeks=٣", "chiffres 0 à 9"),
        ("start=2027-02-30", "Date invalide"),
        ("start=demain", "Date invalide"),
        ("start=99999-01-01", "Date invalide"),
        ("start=0001-01-01&weeks=12", "entre 2000 et 2100"),
        ("start=9999-12-31", "entre 2000 et 2100"),
    ],
)
def test_a_bad_value_gets_a_400_page_that_says_what_is_wrong(client, auth, query, message):
    auth.login()
    response = client.get(f"/staff/planning?{query}")
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True)).replace("\xa0", " ")


def test_the_board_is_for_staff_only(client):
    response = client.get("/staff/planning")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_the_kept_board_shows_a_new_note_and_a_new_stay_at_once(client, auth, rooms, make_stay, form_post):
    staff = auth.login()
    start = monday()
    stay = make_stay(start=start + timedelta(days=1), nights=2)
    stay.approve(by=staff, rooms=[rooms[0]])
    db.session.commit()
    [bar] = board(client, start=start.isoformat(), weeks=1).group("Djoliba").bars()  # built and kept
    assert "note" not in bar.text
    url = f"/staff/requests/{stay.id}"
    assert form_post(f"{url}/notes", {"body": "Clé au gardien"}, page=url).status_code == 303
    [bar] = board(client, start=start.isoformat(), weeks=1).group("Djoliba").bars()
    assert "1 note" in bar.text
    other = make_stay(start=start + timedelta(days=4), nights=1)
    other.approve(by=staff, rooms=[rooms[0]])
    db.session.commit()
    assert len(board(client, start=start.isoformat(), weeks=1).group("Djoliba").bars()) == 2


def test_caretakers_see_the_confirmed_stays_not_the_requests_waiting(
    app, client, auth, rooms, make_stay, make_staff, form_post
):
    staff = auth.login()
    start = monday()
    stay = make_stay(start=start + timedelta(days=1), nights=2, organisation="CHU d'Angers")
    stay.approve(by=staff, rooms=[rooms[0]])
    waiting = make_stay(start=start + timedelta(days=2), nights=2, organisation="Compagnie en attente")
    db.session.commit()
    url = f"/staff/requests/{waiting.id}"
    note = "Note sur une demande en attente"
    assert form_post(f"{url}/notes", {"body": note}, page=url).status_code == 303
    period = {"start": start.isoformat(), "weeks": 1}
    # The service's board first: built and kept, it must not be what a caretaker then gets.
    seen = unescape(client.get("/staff/planning", query_string=period).get_data(as_text=True))
    assert "Compagnie en attente" in seen and note in seen and "Demande à attribuer" in seen
    gate = app.test_client()
    Auth(gate, make_staff).login(make_staff(role=Role.CARETAKER, email="intendance@angers.example"))
    shown = unescape(gate.get("/staff/planning", query_string=period).get_data(as_text=True))
    assert "CHU d'Angers" in shown
    for hidden in ("Compagnie en attente", waiting.reference, note, "Demande à attribuer"):
        assert hidden not in shown, hidden

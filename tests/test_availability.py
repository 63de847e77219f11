"""The public month view of availability, and picking dates from it."""

from datetime import timedelta
from html import unescape

from guesthouse.database import today
from guesthouse.extensions import db


def month_of(day):
    return day.strftime("%Y-%m")


def test_month_view_counts_beds_and_shows_closures(client, make_room, make_staff, make_stay, make_closure):
    staff = make_staff()
    big = make_room(beds=3)
    make_room(beds=1)
    start = today() + timedelta(days=40)
    stay = make_stay(start=start, nights=2, contact_name="Secret Name", organisation="Secret Org")
    stay.approve(by=staff, rooms=[big])
    db.session.commit()
    make_closure(room_id=None, start_date=start + timedelta(days=2), end_date=start + timedelta(days=3))
    html = unescape(client.get(f"/availability?month={month_of(start)}").get_data(as_text=True))
    assert "Secret Name" not in html and "Secret Org" not in html
    cell = html[html.index(f"arrival={start.isoformat()}") - 200 :]
    assert "1 lit" in cell[:600]
    closed_day = start + timedelta(days=2)
    if closed_day.month == start.month:
        assert 'class="closed' in html
    assert "4 lits" in html


def test_two_clicks_prefill_the_request_form(client, make_room):
    make_room(beds=2)
    arrival = today() + timedelta(days=20)
    html = unescape(client.get(f"/availability?month={month_of(arrival)}").get_data(as_text=True))
    assert f"/availability?month={month_of(arrival)}&arrival={arrival.isoformat()}" in html
    html = unescape(
        client.get(f"/availability?month={month_of(arrival)}&arrival={arrival.isoformat()}").get_data(
            as_text=True
        )
    )
    assert "Choisissez maintenant le jour du départ" in html
    departure = arrival + timedelta(days=3)
    link = f"/requests/new?arrival={arrival.isoformat()}&departure={departure.isoformat()}"
    if departure.month == arrival.month:
        assert link in html
    form = client.get(link).get_data(as_text=True)
    assert f'value="{arrival.isoformat()}"' in form and f'value="{departure.isoformat()}"' in form


def test_bad_or_out_of_range_months_fall_back_to_this_month(client, make_room):
    make_room()
    this_month = today().strftime("%Y-%m")
    for month in ("2020-01", "abc", "2027-13", "9999-01", f"{today().year + 5}-01"):
        response = client.get(f"/availability?month={month}")
        assert response.status_code == 200
        html = unescape(response.get_data(as_text=True))
        assert "Ce mois n'est pas consultable" in html
        assert f"month={this_month}&arrival=" in html or "passé" in html
    assert client.get("/availability?arrival=2027-02-30").status_code == 200
    assert client.get("/availability?arrival=x").status_code == 200

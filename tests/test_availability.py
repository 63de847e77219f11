"""The public month view of availability, and picking dates from it."""

import re
from datetime import timedelta
from html import unescape

from guesthouse.database import today
from guesthouse.extensions import db
from guesthouse.house.models import house_settings

from .conftest import RequestClient, valid_request_form


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


def guests_value(html: str) -> str | None:
    tag = re.search(r'<input[^>]*id="guests"[^>]*>', html).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else None


def test_dates_picked_on_the_calendar_keep_the_travellers(client, make_room, form_post):
    """The form opens with one traveller (or the number carried along), so that sending it works at once."""
    make_room(beds=4)
    arrival = today() + timedelta(days=20)
    departure = arrival + timedelta(days=3)
    link = f"/requests/new?arrival={arrival.isoformat()}&departure={departure.isoformat()}"
    form = client.get(link).get_data(as_text=True)
    assert guests_value(form) == "1"
    assert "Ce champ est obligatoire" not in form
    # Sent as the page stands: accepted the first time.
    data = valid_request_form(arrival=arrival.isoformat(), departure=departure.isoformat(), travellers="")
    response = form_post("/requests/new", {**data, "guests": guests_value(form)}, page=link)
    assert response.status_code == 303, unescape(response.get_data(as_text=True))

    # A number the visitor had given goes through the calendar and back into the form.
    month = f"/availability?month={month_of(arrival)}&guests=3"
    html = unescape(client.get(month).get_data(as_text=True))
    assert f"arrival={arrival.isoformat()}&guests=3" in html
    html = unescape(client.get(f"{month}&arrival={arrival.isoformat()}").get_data(as_text=True))
    if departure.month == arrival.month:
        assert f"departure={departure.isoformat()}&guests=3" in html
    assert guests_value(client.get(f"{link}&guests=3").get_data(as_text=True)) == "3"
    form = unescape(client.get(f"{link}&guests=3").get_data(as_text=True))
    assert "/availability?guests=3" in form  # and back to the calendar, still three
    assert 'href="/availability?guests=' not in unescape(client.get(link).get_data(as_text=True))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return unescape(response.get_data(as_text=True))


def test_a_message_is_shown_once_and_never_kept_for_the_next_visitor(client, app, make_room):
    make_room()
    warned = page(client, "/availability?month=2020-01")
    assert "Ce mois n'est pas consultable" in warned
    assert "Ce mois n'est pas consultable" not in page(client, "/availability")
    app.test_client_class = RequestClient
    other = app.test_client()
    assert "Ce mois n'est pas consultable" not in page(other, "/availability")
    assert "Ce mois n'est pas consultable" in page(other, "/availability?month=2020-01")


def test_availability_calendar_follows_the_house_settings(client, auth, make_room):
    make_room()
    far = (today() + timedelta(days=200)).strftime("%Y-%m")
    assert "Ce mois n'est pas consultable" not in page(client, f"/availability?month={far}")
    settings = house_settings()
    settings.max_advance_days = 60
    db.session.commit()
    assert "Ce mois n'est pas consultable" in page(client, f"/availability?month={far}")

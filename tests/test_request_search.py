"""The staff list of requests: search, filters and pagination."""

from datetime import timedelta
from html import unescape

from guesthouse.database import today


def test_filters_and_search(client, auth, make_staff, make_room, make_stay):
    staff = make_staff()
    room = make_room(beds=4)
    start = today() + timedelta(days=10)
    chu = make_stay(organisation="CHU d'Angers", organisation_type="health", start=start)
    rennes = make_stay(
        organisation="Ville de Rennes",
        organisation_type="other_french_actor",
        angers_based=False,
        start=start + timedelta(days=40),
        contact_email="rennes@example.org",
    )
    uni = make_stay(
        organisation="Université d'Angers", organisation_type="university", start=start + timedelta(days=80)
    )
    uni.reject(by=staff, reason="complet")
    chu.approve(by=staff, rooms=[room])
    from guesthouse.extensions import db

    db.session.commit()
    auth.login()

    def listed(query: str) -> str:
        response = client.get(f"/staff/requests?{query}")
        assert response.status_code == 200
        return unescape(response.get_data(as_text=True))

    html = listed("")
    assert all(s.reference in html for s in (chu, rennes, uni))
    assert html.count("Acteur angevin") == 2  # Rennes is not an Angers actor
    html = listed("status=approved")
    assert chu.reference in html and rennes.reference not in html
    html = listed("organisation_type=other_french_actor")
    assert rennes.reference in html and chu.reference not in html
    html = listed("q=rennes%40example")
    assert rennes.reference in html and uni.reference not in html
    html = listed(f"q={uni.reference.lower()}")
    assert uni.reference in html and chu.reference not in html
    window = (
        f"start={(start + timedelta(days=35)).isoformat()}&end={(start + timedelta(days=45)).isoformat()}"
    )
    html = listed(window)
    assert rennes.reference in html and chu.reference not in html and uni.reference not in html
    html = listed("status=nope&start=2027-02-30")
    assert "Choisissez un état dans la liste" in html and "Date invalide" in html
    assert all(s.reference in html for s in (chu, rennes, uni))  # bad filters show everything
    for blank in ("%0D", "%20", "%09"):  # a blank is no state: said, never a server error
        html = listed(f"status={blank}&organisation_type={blank}")
        assert "Choisissez un état dans la liste" in html, blank
        assert "Choisissez un type d'organisation dans la liste" in html, blank
        assert all(s.reference in html for s in (chu, rennes, uni)), blank


def test_pagination(client, auth, make_stay, app):
    app.config["REQUESTS_PAGE_SIZE"] = 2
    stays = [make_stay(organisation=f"Org {i}") for i in range(5)]
    auth.login()
    first = unescape(client.get("/staff/requests?status=pending").get_data(as_text=True))
    assert "Page 1 sur 3" in first and stays[4].reference in first and stays[0].reference not in first
    assert "/staff/requests?page=2&amp;status=pending" in client.get(
        "/staff/requests?status=pending"
    ).get_data(as_text=True)
    last = unescape(client.get("/staff/requests?status=pending&page=3").get_data(as_text=True))
    assert stays[0].reference in last and "Page 3 sur 3" in last
    assert client.get("/staff/requests?page=abc").status_code == 200
    assert client.get("/staff/requests?page=999").status_code == 200

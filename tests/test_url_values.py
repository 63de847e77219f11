"""Whatever a client puts in a URL — a path segment or a query parameter — the answer is never a 5xx.

The walk covers every rule of the URL map that takes a value and every view that reads `request.args`,
as a visitor, an approver and an admin; a view that starts reading a new query parameter must be added to
QUERY_PARAMETERS (a test below fails until it is).
"""

import inspect
import re
from html import unescape
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guesthouse.database import today
from guesthouse.extensions import limiter
from guesthouse.staff.models import Role

from .conftest import csrf_from

# The query parameters each view reads, with values a person could plausibly send (so that the walk
# gets past "unknown period" to the checks behind it).
PERIOD = {"period": ("year", "month", "custom"), "year": (), "month": (), "start": (), "end": ()}
QUERY_PARAMETERS: dict[str, dict[str, tuple[str, ...]]] = {
    "main.set_language": {"next": ("/", "/availability?month=2027-03")},
    "main.availability_calendar": {"month": (), "arrival": ()},
    "bookings.new": {
        "arrival": (),
        "departure": (),
        "guests": (),
        "contact_name": (),
        "organisation_type": (),
    },
    "staff.login": {"next": ("/staff/",)},
    "staff.requests": {
        "q": (),
        "status": ("pending", "approved"),
        "organisation_type": (),
        "start": (),
        "end": (),
        "page": ("1", "2"),
    },
    "closing.notify": {"start": ("2027-03-01",), "end": ("2027-04-01",)},
    "closing.join_dates": {
        "arrival": (),
        "departure": (),
        "guests": ("1", "2"),
        "email": (),
        "locale": ("en",),
    },
    "access_log.index": {"member": ("1", "2"), "reference": ("MPAB-2026-0001",), "page": ("1", "2")},
    "access_log.export": {"member": ("1", "2"), "reference": ("MPAB-2026-0001",)},
    "staff.planning": {"start": ("2027-03-01", "2000-01-01", "2100-12-31"), "weeks": ("1", "12")},
    "stats.index": PERIOD,
    "stats.export": PERIOD,
    "sheet.sheet": {"date": ("2027-03-14", "0001-01-01", "9999-12-31")},
    "sheet.sheet_csv": {"date": ("2027-03-14", "9999-12-24")},
    "sheet.evacuation": {"days": ("1", "14", "60")},
    "sheet.evacuation_csv": {"days": ("1", "60")},
}

EXTREMES = [
    "",
    " ",
    "0",
    "-1",
    "-2",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999",
    "9" * 5000,  # past Python's limit for turning digits into an int
    "1e309",
    "NaN",
    "٣",
    "２０２７",
    "2027-0399999999999999999999",
    "-2-03",
    "62027-01",
    "99999-01-01",
    "0000-00-00",
    "2027-02-30",
    "/a\nX:y",
    "\r\nLocation: //evil.example",
    "//evil.example",
    "\\\\evil.example",
    "\t\x7f\x85\u2028",
    "\x00",  # refused before any view, with a 400 that says so
    "../../../etc/passwd",
    "é" * 3000,
    "x" * 10_000,
    "\u202eabc\u202c",
    "👩🏽‍🔬",
]
numbers = st.integers().map(str)
month_like = st.builds("{}-{}".format, st.integers(), st.integers())
date_like = st.builds("{}-{}-{}".format, st.integers(-1, 99999), st.integers(-1, 99), st.integers(-1, 99))
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
value = st.one_of(st.sampled_from(EXTREMES), numbers, month_like, date_like, any_text)
# An id no row has: a POST to an id that exists would change the data under the walk.
unknown_id = st.one_of(
    st.sampled_from(["0", "2147483647", "2147483648", "9223372036854775808", "9" * 100, "-1", "1.5", "x"]),
    st.integers(max_value=0).map(str),
    st.integers(min_value=10**6).map(str),
)

ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
ROLES = ("visitor", Role.APPROVER, Role.ADMIN)


def walked_rules(app) -> list:
    """Every rule that takes a value from the client: in its path or in its query string."""
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and (rule.arguments or rule.endpoint in QUERY_PARAMETERS)
        ),
        key=lambda rule: rule.rule,
    )


def slot_strategy(converter: str, method: str):
    if converter != "int":
        return value
    return unknown_id if method == "POST" else st.one_of(unknown_id, value)


def path_strategy(rule, method: str):
    """The rule's path with each of its values drawn: an int slot gets ids and non-numbers alike."""
    drawn = {name: slot_strategy(converter, method) for converter, name in ARGUMENT.findall(rule.rule)}

    def build(values: dict) -> str:
        return ARGUMENT.sub(lambda m: quote(values[m[2]], safe=""), rule.rule)

    return st.fixed_dictionaries(drawn).map(build)


def query_strategy(endpoint: str):
    parameters = QUERY_PARAMETERS.get(endpoint, {})
    options = {
        name: st.one_of(value, st.sampled_from(plausible)) if plausible else value
        for name, plausible in parameters.items()
    }
    return st.fixed_dictionaries({}, optional=options)


@pytest.fixture
def walker(request, client, auth, make_staff, make_room, make_stay):
    """A client logged in as the role the test is parametrized with, with a CSRF token for its POSTs."""
    make_room(beds=4)
    make_stay()
    role = request.param
    if role == "visitor":
        page = client.get("/requests/new")
    else:
        auth.login(make_staff(role=role, email=f"{role}@angers.example"))
        page = client.get("/staff/")
    return client, csrf_from(page.get_data(as_text=True))


def test_every_view_that_reads_the_query_string_is_walked(app):
    for endpoint, view in app.view_functions.items():
        if "request.args" in inspect.getsource(inspect.unwrap(view)):
            assert endpoint in QUERY_PARAMETERS, f"{endpoint} reads request.args: add its parameters"


@pytest.mark.parametrize("walker", ROLES, indirect=True, ids=str)
def test_no_value_in_a_url_gets_a_server_error(app, walker):
    client, token = walker
    for rule in walked_rules(app):
        walk(client, token, rule)


def walk(client, token: str, rule) -> None:
    """Drawn values for the rule's path and query string, each answered without a 5xx."""
    method = "GET" if "GET" in rule.methods else "POST"

    @settings(
        # More for the views that read several query parameters; bounded to keep the walk under a minute.
        max_examples=20 if rule.endpoint in QUERY_PARAMETERS else 8,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(path=path_strategy(rule, method), query=query_strategy(rule.endpoint))
    def visit(path, query):
        limiter.reset()  # one client's flood; the limits have their own tests
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(path, method=method, query_string=query, data=data)
        assert response.status_code < 500, (method, path, query)

    visit()


# -- The cases found by trying the product from outside, each with what the visitor sees ---------------


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("next_value", ["/a\nX:y", "/a\rX:y", "/a\tb", "/staff/\x85", "/a\u2028b"])
def test_a_line_break_in_next_is_ignored_by_the_language_switch(client, next_value):
    response = client.get("/lang/en", query_string={"next": next_value})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "X" not in response.headers
    assert '<html lang="en"' in text_of(client.get("/"))


@pytest.mark.parametrize("next_value", ["/a\nX:y", "/staff/requests\r\nSet-Cookie: a=b"])
def test_a_line_break_in_next_is_ignored_after_login(client, auth, next_value):
    page = client.get("/staff/login", query_string={"next": next_value}).get_data(as_text=True)
    user = auth.make_staff()
    response = client.post(
        "/staff/login",
        query_string={"next": next_value},
        data={"email": user.email, "password": "correct horse battery staple", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert "Set-Cookie: a=b" not in str(response.headers)
    assert "Demandes en attente" in text_of(client.get("/staff/"))


@pytest.mark.parametrize("month", ["2027-0399999999999999999999", "99999999999999999999-01", "٢٠٢٧-٠٣"])
def test_a_month_that_is_not_one_shows_the_current_month_with_a_message(client, make_room, month):
    make_room()
    response = client.get("/availability", query_string={"month": month})
    # As for any month out of reach (an old link): the visitor is shown what can be shown, and why.
    assert response.status_code == 200
    html = text_of(response)
    assert "Ce mois n'est pas consultable : voici le mois en cours." in html
    assert f"month={today():%Y-%m}&arrival=" in html or "passé" in html


def test_a_page_number_past_any_list_is_not_found(client, auth):
    auth.login()
    response = client.get("/staff/requests?page=99999999999999999999")
    assert response.status_code == 404
    assert "Page introuvable" in text_of(response)
    assert client.get("/staff/requests?page=2147483647").status_code == 200  # past the end: an empty page


@pytest.mark.parametrize("year", ["-2", "0", "9999", "62027"])
def test_a_year_out_of_range_answers_400_with_a_french_message(client, auth, year):
    auth.login()
    page = client.get("/staff/stats", query_string={"period": "year", "year": year})
    assert page.status_code == 400
    assert "Choisissez une année entre 2000 et 2100." in text_of(page)
    assert f"Période : année {today().year}" in text_of(page)
    export = client.get("/staff/stats/stays.csv", query_string={"period": "year", "year": year})
    assert export.status_code == 400
    assert "Période invalide : Choisissez une année entre 2000 et 2100." in text_of(export)


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "99999999999999999999"])
def test_an_id_no_row_can_have_is_not_found_on_every_route(app, client, auth, number):
    auth.login_admin()
    token = csrf_from(client.get("/staff/").get_data(as_text=True))
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) > 10
    for rule in rules:
        url = ARGUMENT.sub(number, rule.rule)
        if "GET" in rule.methods:
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 404, url
        assert "Page introuvable" in text_of(response), url

"""Activity reports: choosing the period, and what a bad choice gets."""

import pytest

from guesthouse.database import today

from .stats_dataset import text_of


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=month&month=2027-13", "Mois invalide : saisissez-le au format AAAA-MM"),
        ("period=month&month=", "Indiquez un mois au format AAAA-MM"),
        ("period=year&year=deux-mille", "Saisissez un nombre entier"),
        ("period=year&year=1999", "Choisissez une année entre 2000 et 2100."),
        ("period=year&year=99999999999999", "Saisissez un nombre entier"),
        ("period=custom&start=2027-02-30&end=2027-03-01", "Date invalide"),
        ("period=custom&start=2027-03-01", "Indiquez la date de début et la date de fin"),
        ("period=custom&start=2027-03-10&end=2027-03-01", "La date de fin doit suivre la date de début"),
        ("period=custom&start=2015-01-01&end=2025-01-01", "La période ne peut pas dépasser 10 ans"),
        ("period=custom&start=9999-12-31&end=9999-12-31", "Choisissez une année entre 2000 et 2100."),
        ("period=week", "Période inconnue : choisissez une année, un mois ou des dates."),
    ],
)
def test_bad_periods_say_what_to_do_and_show_the_current_year(client, auth, query, message):
    auth.login()
    response = client.get(f"/staff/stats?{query}")
    assert response.status_code == 400
    text = text_of(response)
    assert message in text
    assert f"voici les chiffres de l'année {today().year}" in text
    assert f"Période : année {today().year}" in text
    export = client.get(f"/staff/stats/summary.csv?{query}")
    assert export.status_code == 400
    assert message in text_of(export) and "Période invalide" in text_of(export)


def test_ten_years_exactly_is_allowed_and_a_single_day_too(client, auth):
    auth.login()
    response = client.get("/staff/stats?period=custom&start=2021-01-01&end=2030-12-31")
    assert response.status_code == 200
    assert "— 3652 nuits." in text_of(response)
    response = client.get("/staff/stats?start=2027-03-05&end=2027-03-05")  # `period` guessed from the fields
    assert response.status_code == 200
    assert "Période : du 5 mars 2027 au 5 mars 2027 — 1 nuit." in text_of(response)

"""The flask CLI: staff accounts, rooms and demo data."""

import sqlalchemy as sa

from guesthouse.bookings.models import StayRequest
from guesthouse.extensions import db
from guesthouse.rooms.models import Room
from guesthouse.staff.models import Role, StaffUser

from .conftest import csrf_from


def test_staff_create_prompts_twice_and_can_log_in(runner, client):
    password = "un mot de passe solide"
    result = runner.invoke(
        args=["staff", "create", "Agent@Angers.example", "--name", "Agent", "--role", "admin"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(StaffUser))
    assert user.email == "agent@angers.example" and user.role == Role.ADMIN
    assert password not in user.password_hash and user.password_hash.startswith("$argon2id$")
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post(
        "/staff/login", data={"email": "agent@angers.example", "password": password, "csrf_token": token}
    )
    assert response.status_code == 303


def test_staff_create_refuses_short_or_mismatched_passwords_and_duplicates(runner):
    result = runner.invoke(args=["staff", "create", "a@b.org", "--name", "A"], input="court\ncourt\n")
    assert result.exit_code != 0 and "12 to 128 characters" in result.output
    result = runner.invoke(
        args=["staff", "create", "a@b.org", "--name", "A"],
        input="un mot de passe solide\nun autre mot de passe\nx\n",
    )
    assert result.exit_code != 0
    ok = "un mot de passe solide"
    assert (
        runner.invoke(args=["staff", "create", "a@b.org", "--name", "A"], input=f"{ok}\n{ok}\n").exit_code
        == 0
    )
    again = runner.invoke(args=["staff", "create", "A@b.org", "--name", "A"], input=f"{ok}\n{ok}\n")
    assert again.exit_code != 0 and "already exists" in again.output


def test_rooms_create(runner):
    result = runner.invoke(args=["rooms", "create", "Djoliba", "--beds", "2"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Room.beds).where(Room.name == "Djoliba")) == 2
    assert runner.invoke(args=["rooms", "create", "Djoliba", "--beds", "2"]).exit_code != 0
    assert runner.invoke(args=["rooms", "create", "Niger", "--beds", "0"]).exit_code != 0


def test_demo_loads_once_and_gives_a_working_login(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "password:" in line)
    email, password = line.split("account: ")[1].split("  password: ")
    statuses = {s.status.value for s in db.session.scalars(sa.select(StayRequest))}
    assert statuses == {"pending", "approved", "rejected", "cancelled"}
    again = runner.invoke(args=["demo"])
    assert "already holds data" in again.output and password in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Room)) == 4
    token = csrf_from(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 303
    assert "Demandes en attente" in client.get("/staff/").get_data(as_text=True)

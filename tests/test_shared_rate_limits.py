"""Rate limits kept in Redis hold exactly across gunicorn's worker processes.

With counters in each process (memory://), two workers let through up to twice each limit; with the
shared store production uses, the 6th failed login and the 11th request of the hour are refused
whichever worker takes them. A real Redis: `.ci/run` starts one and sets REQUIRE_REDIS=1, so that in CI a
missing Redis fails this test; elsewhere it is skipped with the reason. TEST_REDIS_URL names the
database the test may empty (its own: nothing else should live there).
"""

import http.client
import os
import re
import time
from urllib.parse import urlencode

import pytest
import redis

from .conftest import STAFF_PASSWORD, csrf_from, free_port, valid_request_form
from .test_production import gunicorn

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ACCESS_LINE = re.compile(r"^<(\d+)> (\w+) (\S+) (\d{3})$", re.MULTILINE)


@pytest.fixture
def redis_url():
    """The test's own Redis database, emptied before and after."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        reason = f"no Redis answers at {REDIS_URL} ({error}); .ci/run installs and starts one"
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1: {reason}")
        pytest.skip(reason)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


class Visitor:
    """A browser that opens a new connection for each request, so that either worker may take it."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Connection": "close"}
        if self.cookies:
            # By hand: the production session cookie is Secure, which a cookie jar keeps from plain http.
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _sep, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
            return response.status, response.read().decode()
        finally:
            connection.close()

    def token(self, path: str) -> str:
        status, page = self.request("GET", path)
        assert status == 200, page
        return csrf_from(page)


class Server:
    """A running gunicorn, and what its access log says once it has stopped."""

    def __init__(self, process, port: int):
        self.process = process
        self.visitor = Visitor(port)
        self.served: list[tuple[int, str, str, int]] | None = None

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.visitor.request("GET", "/livez")[0] == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, self.process.communicate()
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.1)

    def stop(self) -> list[tuple[int, str, str, int]]:
        """(worker pid, method, path, status) of each request served."""
        if self.served is None:
            self.process.terminate()
            out, _err = self.process.communicate(timeout=30)
            self.served = [
                (int(pid), method, path, int(status))
                for pid, method, path, status in ACCESS_LINE.findall(out)
            ]
        return self.served


@pytest.fixture
def two_workers(database_url, redis_url):
    """gunicorn as in production, two worker processes sharing their rate limits through Redis."""
    port = free_port()
    process = gunicorn(
        database_url,
        # Each access line names the worker process that served it.
        "--access-logformat",
        "%(p)s %(m)s %(U)s %(s)s",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="1",
        ALLOW_SQLITE_MULTIPLE_WORKERS="1",
        RATELIMIT_STORAGE_URI=redis_url,
        MAIL_DELIVERY="worker",  # no SMTP server here: the mails stay in the outbox
        LOG_JSON="false",
    )
    server = Server(process, port)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


def statuses(answers: list[tuple[int, str]]) -> list[int]:
    return [status for status, _page in answers]


def test_failed_logins_and_submissions_are_limited_exactly_across_two_workers(
    app, make_room, make_staff, two_workers
):
    make_room(beds=4)
    user = make_staff(email="agent@angers.example")
    visitor = two_workers.visitor

    token = visitor.token("/staff/login")
    logins = [
        visitor.request(
            "POST", "/staff/login", {"email": user.email, "password": "pas le bon", "csrf_token": token}
        )
        for _ in range(12)
    ]
    # 5 failed logins a minute for an account, counted once for the whole site
    assert statuses(logins) == [401] * 5 + [429] * 7
    assert "Trop de tentatives" in logins[5][1]
    right_password = {"email": user.email, "password": STAFF_PASSWORD, "csrf_token": token}
    assert visitor.request("POST", "/staff/login", right_password)[0] == 429

    token = visitor.token("/requests/new")
    submissions = [
        visitor.request("POST", "/requests/new", {**valid_request_form(), "csrf_token": token})
        for _ in range(14)
    ]
    # 10 requests an hour from an address
    assert statuses(submissions) == [303] * 10 + [429] * 4

    # Each worker took part of each series: counted in each process, more would have gone through.
    served = two_workers.stop()
    assert len({pid for pid, *_ in served}) == 2
    for path in ("/staff/login", "/requests/new"):
        posts = [
            (pid, status)
            for pid, method, line_path, status in served
            if (method, line_path) == ("POST", path)
        ]
        assert len({pid for pid, _status in posts}) == 2, posts

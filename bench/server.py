"""The app served as in production (gunicorn, gunicorn.conf.py), an SMTP sink for its mail, and a small
HTTP client with cookies for the requests that prepare each load (log in, fetch a CSRF token, an ETag)."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpSink:
    """A local SMTP server that accepts and drops every message, as a relay on localhost would, noting
    when it accepted each (by Message-ID): the end of the mail's path that the benchmark times."""

    def __enter__(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.accepted: dict[str, float] = {}  # Message-ID: time.time() of the acceptance
        accepted = self.accepted

        class Drop:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                headers = BytesHeaderParser().parsebytes(envelope.content)
                accepted[str(headers["Message-ID"]).strip()] = time.time()
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Drop(), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


# The mail worker's CPU scheduling, as docs/operations.md sets it (systemd CPUSchedulingPolicy=idle): it
# runs when no request needs the CPU, so a burst of requests is answered first and its mails follow.
MAIL_WORKER_SCHEDULING = ["chrt", "--idle", "0"]


def proc_cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) used so far by these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


@dataclass
class Server:
    """gunicorn serving wsgi:app in production mode on 127.0.0.1 and a free port, and the mail worker
    next to it (`flask mail worker`, the only sender of mail), as in production."""

    database_url: str
    workdir: Path
    env: dict[str, str]
    workers: int = 2
    port: int = field(default_factory=free_port)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        environ = {
            **os.environ,
            "GUESTHOUSE_ENV": "production",
            "DATABASE_URL": self.database_url,
            # Links are built from BASE_URL, and a trusted-hosts setting may follow it: this address.
            "BASE_URL": self.base_url,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(self.workers),
            **self.env,
        }
        environ.pop("WEB_CONCURRENCY", None)
        self.log = (self.workdir / f"gunicorn-{self.port}.log").open("w")
        # chrt(1) (util-linux, on PATH on any Linux) execs the command: the pid stays the worker's.
        self.mail_worker = subprocess.Popen(  # noqa: S603 - fixed arguments
            [  # noqa: S607
                *MAIL_WORKER_SCHEDULING,
                sys.executable,
                "-m",
                "flask",
                "--app",
                "wsgi",
                "mail",
                "worker",
            ],
            cwd=ROOT,
            env={**environ, "PYTHONUNBUFFERED": "1"},  # its start line is awaited in the log
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=environ,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start-up:\n{self.tail()}")
            try:
                if Client(self.base_url).request("GET", "/livez").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer within a minute:\n{self.tail()}")
            time.sleep(0.1)
        # Both workers should be up before a measurement starts.
        while self.log_text().count("Booting worker") < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
        # And the mail worker (its start-up is a second of CPU that would be charged to the first route).
        while "Mail worker started" not in self.log_text():
            if self.mail_worker.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the mail worker did not start:\n{self.tail()}")
            time.sleep(0.1)
        return self

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn's master and workers (Linux /proc): the cost of the requests
        served, whatever else runs on the machine."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return proc_cpu_seconds(pids)

    def mail_worker_cpu_seconds(self) -> float:
        return proc_cpu_seconds([self.mail_worker.pid])

    def log_text(self) -> str:
        self.log.flush()
        return (self.workdir / f"gunicorn-{self.port}.log").read_text(errors="replace")

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def __exit__(self, *exc) -> None:
        stop(self.mail_worker)
        stop(self.process)
        self.log.close()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 30 s: a graceful stop, never a hang."""
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str


class Client:
    """Just enough of a browser: keeps cookies (Secure ones too: the benchmark speaks plain HTTP)."""

    def __init__(self, base_url: str):
        self.host, self.port = base_url.removeprefix("http://").split(":")
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Response:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = self.cookie_header
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, int(self.port), timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for value in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, text)

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or re.search(
            r'name="csrf_token" value="([^"]+)"', page.text
        )
        if not match:
            raise SystemExit(f"no CSRF token on {path} (answered {page.status})")
        return match.group(1)

    def log_in(self, email: str, password: str) -> None:
        token = self.csrf_token("/staff/login")
        answer = self.request(
            "POST", "/staff/login", form={"email": email, "password": password, "csrf_token": token}
        )
        if answer.status != 303:
            raise SystemExit(f"the benchmark's staff login failed (answered {answer.status})")

"""Every HTML page the live server sends to the browser, kept and checked by the W3C Nu HTML checker.

The pages are taken as the server sent them (the browser's DOM would hide what its parser repaired), and a
page fetched with GET is rendered a second time in the other language, so that each page a browser test
visits is checked in French and in English. The checker is vnu.jar from the npm package `vnu-jar`, run
with the system's Java as a local HTTP service for the whole session: its JVM takes seconds to start and
to read the HTML schema, then checks a page in a few milliseconds.
"""

import hashlib
import io
import json
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java") or "/usr/bin/java"

_HTML_LANG = re.compile(rb'<html lang="([a-z]+)"')
# Marks the second rendering: it replays the browser's cookies, so a message flashed for the first
# rendering shows again, in the language it was written in (tests/typography.py leaves these out).
REPLAY = "tests.served_pages.replay"
# The CSRF token changes with each render: two renders of the same page differ only there.
_CSRF_VALUE = re.compile(rb'(name="csrf_token"[^>]*value=")[^"]*')


def checker_missing() -> str | None:
    """Why the checker cannot run here, or None."""
    if not VNU_JAR.exists():
        return f"the HTML checker is missing at {VNU_JAR}: run `make install` (npm ci)"
    if not Path(JAVA).exists():
        return f"the HTML checker needs Java at {JAVA} (apt-get install default-jre-headless)"
    return None


class HtmlChecker:
    """vnu.jar's HTTP service on a free loopback port; `messages(page)` checks one document."""

    def __init__(self, log: Path):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                # The schema is evaluated recursively: the checker asks for at least 512 KB of stack.
                [JAVA, "-Xss4m", "-XX:TieredStopAtLevel=1", "-Dnu.validator.servlet.bind-address=127.0.0.1"]
                + ["-cp", str(VNU_JAR), "nu.validator.servlet.Main", str(port)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.ready = False

    def messages(self, page: bytes) -> list[dict]:
        self._wait_until_ready()
        request = urllib.request.Request(
            self.url + "?out=json", data=page, headers={"Content-Type": "text/html; charset=utf-8"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.load(response)["messages"]

    def _wait_until_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not self.ready:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the HTML checker did not start: {self.log.read_text()[-2000:]}")
            try:
                urllib.request.urlopen(self.url, timeout=5).close()
                self.ready = True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@dataclass
class Page:
    label: str
    path: Path


class ServedPages:
    """WSGI middleware: keeps each HTML answer of `app` in `folder`, then `errors()` checks them all."""

    def __init__(self, app, folder: Path, languages: tuple[str, ...]):
        self.app = app
        self.folder = folder
        self.languages = languages
        self.pages: list[Page] = []
        self.seen: set[str] = set()
        self.lock = threading.Lock()  # the server answers each request in its own thread
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, environ, start_response):
        replay = {k: v for k, v in environ.items() if not k.startswith("werkzeug.")}  # as it came in
        answer: dict = {}

        def keep_status(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)
            return start_response(status, headers, exc_info)

        body = self._read(self.app(environ, keep_status))
        if not self._is_html(answer["headers"]):
            return body
        page = b"".join(body)
        self._keep(environ, answer["status"], page)
        if environ["REQUEST_METHOD"] == "GET":
            self._keep_other_language(replay, page)
        return [page]

    def _read(self, iterable) -> list[bytes]:
        """The whole answer, closed (which runs what the app does after a response)."""
        try:
            return list(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    @staticmethod
    def _is_html(headers) -> bool:
        return any(k.lower() == "content-type" and v.startswith("text/html") for k, v in headers)

    def _keep_other_language(self, environ, page: bytes) -> None:
        shown = _HTML_LANG.search(page)
        if shown is None:
            return
        other = next(code for code in self.languages if code != shown.group(1).decode())
        cookies = [c for c in environ.get("HTTP_COOKIE", "").split("; ") if c and not c.startswith("lang=")]
        environ.update(
            HTTP_COOKIE="; ".join([*cookies, f"lang={other}"]),
            CONTENT_LENGTH="0",
            **{"wsgi.input": io.BytesIO(), REPLAY: True},
        )
        answer: dict = {}
        body = self._read(self.app(environ, lambda status, headers, exc_info=None: answer.update(s=status)))
        self._keep(environ, answer["s"], b"".join(body))

    def _keep(self, environ, status: str, page: bytes) -> None:
        digest = hashlib.sha256(_CSRF_VALUE.sub(rb"\1", page)).hexdigest()
        shown = _HTML_LANG.search(page)
        query = environ.get("QUERY_STRING")
        label = (
            f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}{'?' + query if query else ''}"
            f" ({shown.group(1).decode() if shown else '?'}, {status.split()[0]})"
        )
        with self.lock:
            if digest in self.seen:
                return
            self.seen.add(digest)
            path = self.folder / f"{len(self.pages):04d}.html"
            path.write_bytes(page)
            self.pages.append(Page(label, path))

    def errors(self, checker: HtmlChecker) -> list[str]:
        """The checker's errors on the pages kept, as `page, line N: message` (warnings are advice)."""
        return [
            f"{page.label}, line {message.get('lastLine', '?')}: {message['message']}"
            for page in self.pages
            for message in checker.messages(page.path.read_bytes())
            if message["type"] != "info"
        ]

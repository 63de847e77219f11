"""`make run` (tools/dev.py): the development server with the mail worker beside it, stopped together."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status == 200
    except OSError:
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_shows_every_mail_and_ctrl_c_stops_server_and_worker(app, database_url, make_stay, tmp_path):
    make_stay()  # its acknowledgement and the service's notice wait for the mail worker
    port, kept = free_port(), tmp_path / "mail"
    environ = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MAIL_BACKEND": "console",
        "MAIL_CONSOLE_DIR": str(kept),
    }
    environ.pop("BASE_URL", None)
    launcher = subprocess.Popen(  # noqa: S603 - the test's own interpreter and script
        [sys.executable, "tools/dev.py", "127.0.0.1", str(port)],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal gives a command
    )
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/livez"), 60)
        # Kept for /staff/mail/dev within seconds, with links back to this very server.
        wait_for(lambda: len(list(kept.glob("*.eml"))) == 2, 30)
        assert all(f"http://127.0.0.1:{port}/" in mail.read_text() for mail in kept.glob("*.eml"))
        children = [
            int(pid) for pid in Path(f"/proc/{launcher.pid}/task/{launcher.pid}/children").read_text().split()
        ]
        assert len(children) == 2
        os.killpg(launcher.pid, signal.SIGINT)  # Ctrl-C in the terminal
        out, err = launcher.communicate(timeout=60)
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
    assert launcher.returncode == 0, err
    assert "Mail worker stopped: sent 2, to retry later 0, failed 0." in out
    assert not any(alive(pid) for pid in children)  # nothing left running behind the server

"""`make run`: the development server and, next to it, the mail worker; Ctrl-C (or SIGTERM) stops both.

Every mail is written and sent by the mail worker (guesthouse/mail/outbox.py): without it a newcomer
would see no mail at /staff/mail/dev. One command starts both, so that none is forgotten, and stops
both, so that no worker is left running after the server.
"""

import os
import signal
import subprocess
import sys

FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]


def main(host: str = "127.0.0.1", port: str = "5000") -> int:
    # Links in the mails lead back to this server, whatever port it was given.
    environ = {"BASE_URL": f"http://{host}:{port}", **os.environ, "GUESTHOUSE_ENV": "development"}
    worker = subprocess.Popen([*FLASK, "mail", "worker"], env=environ)  # noqa: S603 - our own command
    server = subprocess.Popen([*FLASK, "run", "--host", host, "--port", port], env=environ)  # noqa: S603
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        try:
            return server.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the whole process group: the server stops too
            server.wait()
            return 0  # stopped as asked, not failed
    finally:
        # The worker finishes the batch under way (a mail sent is then recorded as sent), then stops.
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))

"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py wsgi:app` (what `make serve` runs).

Every setting comes from the environment with a default fit for one small server behind nginx. Logs are
one JSON object per line (guesthouse/logs.py): access lines on stdout, everything else on stderr, both
without the query string, the client's address, private-link tokens or email addresses.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
# Threads let a worker serve other requests while one waits on the database (never on the SMTP relay:
# the mail worker sends). With several processes, one thread each does better: threads of one process
# take turns on the GIL (docs/performance.md).
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# Connections a worker holds at once (kept-alive ones included). A worker accepts all it can: clients that
# keep their connections (a load generator, a proxy with upstream keepalive) may all land on one worker
# while the others idle. A cap of (clients / workers) spreads them evenly.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# gunicorn 27 opens a control socket at one path per user: two instances on one host (a benchmark next
# to the real server) would fight over it, and a worker count changed through it at run time would
# escape the start-up checks. Off unless a path is given.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

accesslog = "-"
errorlog = "-"
# The path without its query string; the JSON formatter adds status, size and duration as fields.
access_log_format = "%(m)s %(U)s %(s)s"

if os.environ.get("LOG_JSON", "true").strip().lower() not in {"0", "false", "no", "off"}:
    _handler = {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]}
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": "guesthouse.logs.RedactFilter"}},
        "formatters": {"json": {"()": "guesthouse.logs.JsonFormatter"}},
        "handlers": {
            "stdout": {**_handler, "stream": "ext://sys.stdout"},
            "stderr": {**_handler, "stream": "ext://sys.stderr"},
        },
        "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
        },
    }


def on_starting(server):
    """Tell the app how many workers really run (the command line may override the setting above).

    The production start-up checks refuse SQLite, or rate limits counted in each process, shared by several
    workers unless explicitly allowed; workers inherit this environment.
    """
    os.environ["GUNICORN_WORKERS"] = str(server.cfg.workers)


def post_worker_init(worker):
    """Hide what the worker loaded at start-up (the app, its templates, SQLAlchemy) from the collector.

    Those objects live as long as the worker; without this, every full collection walks them again, a
    measurable share of each request's CPU (docs/performance.md).
    """
    gc.freeze()

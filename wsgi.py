"""WSGI entry point: `gunicorn -c gunicorn.conf.py wsgi:app` (production unless GUESTHOUSE_ENV says otherwise)."""

from guesthouse import create_app
from guesthouse.logs import configure_json_logging

app = create_app()
if app.config["LOG_JSON"]:
    # Here rather than in create_app: logging belongs to the process, and tests build many apps.
    configure_json_logging(app)

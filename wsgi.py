"""WSGI entry point: `gunicorn wsgi:app` (production unless GUESTHOUSE_ENV says otherwise)."""

from guesthouse import create_app

app = create_app()

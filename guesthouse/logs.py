"""Structured logs for production: one JSON object per line, without tokens or personal data.

The same formatter and filter serve the application's records and gunicorn's (see gunicorn.conf.py), so
an access line and a traceback leave the process in one shape. Private links carry their secret in the
path (`/requests/<token>`, `/calendar/staff/<token>.ics`): the filter masks such path segments and email
addresses in every record before any handler writes it, and gunicorn's access lines never include the
query string or the client's address.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from flask.logging import default_handler

if TYPE_CHECKING:
    from flask import Flask

MASK = "[masked]"
EMAIL_MASK = "[email]"

# A path segment of 20 or more URL-safe characters is a secret token here (ours have 128 to 256 bits of
# randomness, 22 to 43 characters); no route of the app has a segment that long. A trailing extension
# (`.ics`) is kept so the log still says what was asked for.
_PATH_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=[./?#\s\"']|$)")
# Any other long run of URL-safe characters (a token quoted in a message, a query value).
_LONG_RUN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")
_QUERY_SECRET = re.compile(r"(?i)([?&][^=&\s\"']*(?:token|key|password)[^=&\s\"']*=)[^&\s\"']+")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")


def redact(text: str) -> str:
    """The text without secret tokens or email addresses."""
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _QUERY_SECRET.sub(r"\1" + MASK, text)
    text = _PATH_TOKEN.sub(MASK, text)
    return _LONG_RUN.sub(MASK, text)


# What the access line keeps of gunicorn's atoms: no client address, no query string, no referrer.
ACCESS_FIELDS = {"m": "method", "U": "path", "s": "status", "B": "bytes", "M": "duration_ms"}


def _is_access_record(record: logging.LogRecord) -> bool:
    return record.name == "gunicorn.access" and isinstance(record.args, Mapping)


class RedactFilter(logging.Filter):
    """Masks tokens and email addresses in a record's message and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            self._redact(record)
        except Exception:  # a malformed record must still reach the handler, never break the caller
            record.msg, record.args = MASK, None
        return True

    def _redact(self, record: logging.LogRecord) -> None:
        if _is_access_record(record):
            atoms = record.args
            record.access = {name: atoms.get(atom) for atom, name in ACCESS_FIELDS.items()}
            record.access["path"] = redact(str(record.access["path"] or ""))
            record.msg = "{method} {path} {status}".format(**record.access)
        else:
            record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the access or error details."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        access = getattr(record, "access", None)
        if access:
            entry.update(access)
            entry["status"] = _as_int(access.get("status"))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def configure_json_logging(app: Flask) -> None:
    """Send every record to stderr as redacted JSON, unless a JSON handler is already set (gunicorn's).

    The app's records then go through the root logger's handler rather than Flask's plain one.
    """
    app.logger.removeHandler(default_handler)
    root = logging.getLogger()
    if any(isinstance(handler.formatter, JsonFormatter) for handler in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactFilter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])

"""What a production configuration must hold before the app agrees to start."""

from __future__ import annotations

import os
from collections.abc import Mapping

from config import DEFAULT_SECRET_KEY

REQUIRED_MAIL_SETTINGS = {
    "MAIL_SERVER": "the SMTP relay's host name (e.g. localhost for a local Postfix)",
    "MAIL_DEFAULT_SENDER": 'the sender of every mail (e.g. "Maison du Partenariat <mpab@angers.fr>")',
    "STAFF_NOTIFICATION_EMAIL": "the service's mailbox that receives new requests",
}


def worker_count(environ: Mapping[str, str]) -> int:
    """Worker processes serving the app: gunicorn.conf.py exports the number it actually starts."""
    for name in ("GUNICORN_WORKERS", "WEB_CONCURRENCY"):
        value = (environ.get(name) or "").strip()
        if value.isdigit():
            return int(value)
    return 1


def production_problems(config: Mapping, environ: Mapping[str, str] = os.environ) -> list[str]:
    """Every reason this configuration must not serve the public, each with what to do about it."""
    problems = []
    if config.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        problems.append(
            "SECRET_KEY must be set to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    base_url = config.get("BASE_URL") or ""
    if not base_url.startswith(("https://", "http://")):
        problems.append(
            "BASE_URL must be set to the site's public address, e.g. https://mpab.angers.fr: "
            "links in mails and feeds are built from it, never from the request's Host header."
        )
    for name, meaning in REQUIRED_MAIL_SETTINGS.items():
        if not (config.get(name) or "").strip():
            problems.append(f"{name} must be set: {meaning}.")
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    workers = worker_count(environ)
    if url.startswith("sqlite") and workers > 1 and not config.get("ALLOW_SQLITE_MULTIPLE_WORKERS"):
        problems.append(
            f"DATABASE_URL is SQLite but {workers} worker processes would share it: use PostgreSQL "
            "(DATABASE_URL=postgresql+psycopg://…), or GUNICORN_WORKERS=1 (threads still serve requests "
            "concurrently), or set ALLOW_SQLITE_MULTIPLE_WORKERS=1 if all workers run on this one machine."
        )
    if workers > 1 and counts_per_process(config):
        problems.append(
            f"RATELIMIT_STORAGE_URI is {rate_limit_store(config)}, kept in each process, but {workers} worker "
            f"processes would each count on their own (a limit of 5 failed logins would let {workers * 5} "
            "through): use a shared store, e.g. RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0, or "
            "GUNICORN_WORKERS=1, or set RATELIMIT_ALLOW_PER_PROCESS=1 to accept limits that many times looser."
        )
    return problems


def rate_limit_store(config: Mapping) -> str:
    return str(config.get("RATELIMIT_STORAGE_URI") or "memory://")


def counts_per_process(config: Mapping) -> bool:
    """Whether the rate limits are on and each process keeps its own counters, unless that is accepted."""
    if not config.get("RATELIMIT_ENABLED", True) or config.get("RATELIMIT_ALLOW_PER_PROCESS"):
        return False
    return rate_limit_store(config).startswith("memory://")

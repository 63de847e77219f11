"""Configuration classes, selected by GUESTHOUSE_ENV and read from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"
DEFAULT_SECRET_KEY = "dev-only-change-me"  # noqa: S105 - the production check refuses it


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _list(name: str) -> list[str] | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'guesthouse.db'}")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Mail (the names Flask-Mail used; guesthouse/mail builds and sends with the standard library).
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Maison du Partenariat Angers-Bamako <mpab@localhost>"
    )
    STAFF_NOTIFICATION_EMAIL = os.environ.get("STAFF_NOTIFICATION_EMAIL", "mpab@localhost")

    # Display. The booking rules themselves (maximum nights, notice, how far ahead) are house settings
    # that admins edit in the dashboard (/staff/house/).
    # -- Email notifications (guesthouse/mail) -------------------------------------------------------
    # "smtp" sends through MAIL_SERVER; "console" (development) prints each mail and keeps it as an
    # .eml file under MAIL_CONSOLE_DIR (instance/mail by default), readable at /staff/mail/dev.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_CONSOLE_DIR = os.environ.get("MAIL_CONSOLE_DIR", str(INSTANCE_DIR / "mail"))
    # Seconds allowed to each SMTP network operation: Flask-Mail sets none, and the mail worker must
    # never hang on a slow or silent server.
    MAIL_TIMEOUT = _float("MAIL_TIMEOUT", 10.0)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 5)
    # How often `flask mail worker` looks for new mail when the outbox is empty.
    MAIL_WORKER_POLL_SECONDS = _float("MAIL_WORKER_POLL_SECONDS", 1.0)
    # Wait before retry n is MAIL_RETRY_BASE_SECONDS * 2**(n-1): 5, 10, 20, 40 minutes by default.
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 300)
    # Sent messages hold personal data and private links: `mail send` deletes them after this.
    MAIL_SENT_RETENTION_DAYS = _int("MAIL_SENT_RETENTION_DAYS", 90)
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO", "")  # empty: STAFF_NOTIFICATION_EMAIL
    # Empty: the house, the service and its mailbox, in the reader's language (mail/notifications.py).
    MAIL_SIGNATURE = os.environ.get("MAIL_SIGNATURE", "")
    # Facts quoted in confirmations and reminders; the travel checklist is in templates/emails/_mail.*
    # so that it is translated with the rest of the mail.
    HOUSE_ADDRESS = os.environ.get("HOUSE_ADDRESS", "Maison du Partenariat Angers-Bamako, Bamako, Mali")
    HOUSE_PHONE = os.environ.get("HOUSE_PHONE", "")
    # The map link of the private page of an approved stay; empty: an OpenStreetMap search of HOUSE_ADDRESS.
    HOUSE_MAP_URL = os.environ.get("HOUSE_MAP_URL", "")
    REMINDER_DAYS = _int("REMINDER_DAYS", 7)
    DIGEST_PENDING_DAYS = _int("DIGEST_PENDING_DAYS", 3)
    AVAILABILITY_DAYS = _int("AVAILABILITY_DAYS", 28)
    # Rows per dashboard list and admin list: the dashboard shows the soonest, the request list has them all.
    DASHBOARD_PAGE_SIZE = _int("DASHBOARD_PAGE_SIZE", 20)
    REQUESTS_PAGE_SIZE = _int("REQUESTS_PAGE_SIZE", 25)

    # Calendar feeds (/calendar/...): each covers [today - FEED_DAYS_BEFORE, today + FEED_DAYS_AFTER], so
    # its cost does not grow with the history; pending requests show in the staff feed as tentative.
    FEED_DAYS_BEFORE = _int("FEED_DAYS_BEFORE", 90)
    FEED_DAYS_AFTER = _int("FEED_DAYS_AFTER", 730)
    STAFF_FEED_INCLUDE_PENDING = _bool("STAFF_FEED_INCLUDE_PENDING", True)
    STAFF_FEED_MAX_PENDING = _int("STAFF_FEED_MAX_PENDING", 200)
    CALENDAR_NAME = os.environ.get("CALENDAR_NAME", "Maison du Partenariat Angers-Bamako")

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"  # Bamako is UTC+0 all year.
    LANGUAGES = ("fr", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    MAX_CONTENT_LENGTH = 256 * 1024
    WTF_CSRF_TIME_LIMIT = None  # a long form must not expire while someone types it
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 15000)
    DEMO_CREDENTIALS_FILE = str(INSTANCE_DIR / "demo-credentials.txt")

    # -- Security and privacy (docs/security-privacy.md) ------------------------------------------------
    # Rate limits (Flask-Limiter). One app server process: memory://. Several (servers or gunicorn
    # workers): a shared store, redis://host:6379/0 in production (docs/operations.md), or each counts
    # alone; production refuses several workers on memory:// unless RATELIMIT_ALLOW_PER_PROCESS is set.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ALLOW_PER_PROCESS = _bool("RATELIMIT_ALLOW_PER_PROCESS", False)
    # If that shared store is unreachable, each process counts on its own instead of failing every login.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Failed logins only; the account is the normalised email, whether or not such an account exists.
    LOGIN_RATE_LIMIT_ACCOUNT = os.environ.get("LOGIN_RATE_LIMIT_ACCOUNT", "5 per minute;20 per hour")
    LOGIN_RATE_LIMIT_ADDRESS = os.environ.get("LOGIN_RATE_LIMIT_ADDRESS", "30 per hour")
    # Public forms: submissions that went through (or tripped the honeypot), then every POST.
    PUBLIC_FORM_RATE_LIMIT = os.environ.get("PUBLIC_FORM_RATE_LIMIT", "10 per hour")
    PUBLIC_FORM_ATTEMPT_LIMIT = os.environ.get("PUBLIC_FORM_ATTEMPT_LIMIT", "60 per hour")
    # Two-factor sign-in (docs/security-privacy.md): members of these roles (comma-separated; empty:
    # none) must set it up before anything else. The issuer is the name their authenticator app shows.
    TWO_FACTOR_REQUIRED_ROLES = [
        role.strip()
        for role in os.environ.get("TWO_FACTOR_REQUIRED_ROLES", "admin").split(",")
        if role.strip()
    ]
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "MPAB")
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (0: none; production:
    # one, nginx). Without it, every visitor has the proxy's address and shares one rate limit.
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # Host names the app answers to (comma-separated); production derives it from BASE_URL.
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS")
    HSTS_SECONDS = _int("HSTS_SECONDS", 0)  # 0: no Strict-Transport-Security header

    # The privacy notice (/confidentialite): who is responsible and whom to write to.
    PRIVACY_CONTROLLER = os.environ.get("PRIVACY_CONTROLLER", "Ville d'Angers")
    PRIVACY_CONTROLLER_ADDRESS = os.environ.get(
        "PRIVACY_CONTROLLER_ADDRESS",
        "Hôtel de Ville, boulevard de la Résistance et de la Déportation, CS 80011, 49020 Angers Cedex 02",
    )
    PRIVACY_SERVICE = os.environ.get("PRIVACY_SERVICE", "Service des Relations Internationales")
    PRIVACY_CONTACT_EMAIL = os.environ.get(
        "PRIVACY_CONTACT_EMAIL", os.environ.get("STAFF_NOTIFICATION_EMAIL", "mpab@localhost")
    )
    PRIVACY_DPO_EMAIL = os.environ.get("PRIVACY_DPO_EMAIL", "dpo@localhost")
    PRIVACY_DPO_ADDRESS = os.environ.get("PRIVACY_DPO_ADDRESS", "")
    PRIVACY_AUTHORITY_URL = os.environ.get("PRIVACY_AUTHORITY_URL", "https://www.cnil.fr/fr/plaintes")
    # Retention: approved stays are anonymised this long after departure; refused, withdrawn and
    # cancelled requests (and requests never decided) are deleted this long after their end.
    RETENTION_STAYS_MONTHS = _int("RETENTION_STAYS_MONTHS", 24)
    RETENTION_CLOSED_MONTHS = _int("RETENTION_CLOSED_MONTHS", 6)
    # Who read whose details (/staff/access-log) is kept this long; the CNIL recommends 6 to 12 months.
    ACCESS_LOG_MONTHS = _int("ACCESS_LOG_MONTHS", 12)

    # -- The law and the service's contact (docs/configuration.md, "Legal pages and contact") ----------
    # Shown on the form, the private page, the error pages and the footer.
    SERVICE_CONTACT_EMAIL = os.environ.get(
        "SERVICE_CONTACT_EMAIL", os.environ.get("STAFF_NOTIFICATION_EMAIL", "mpab@localhost")
    )
    SERVICE_CONTACT_PHONE = os.environ.get("SERVICE_CONTACT_PHONE", "")
    # The legal notice (/mentions-legales, LCEN art. 6-III): who publishes the site, who answers for
    # it, who hosts it.
    LEGAL_PUBLISHER = os.environ.get("LEGAL_PUBLISHER", "Ville d'Angers")
    LEGAL_PUBLISHER_ADDRESS = os.environ.get(
        "LEGAL_PUBLISHER_ADDRESS",
        "Hôtel de Ville, boulevard de la Résistance et de la Déportation, CS 80011, 49020 Angers Cedex 02",
    )
    LEGAL_PUBLICATION_DIRECTOR = os.environ.get("LEGAL_PUBLICATION_DIRECTOR", "Le maire d'Angers")
    LEGAL_HOST = os.environ.get(
        "LEGAL_HOST",
        "Ville d'Angers, Hôtel de Ville, boulevard de la Résistance et de la Déportation, 49020 Angers Cedex 02",
    )
    # The accessibility statement (/accessibilite, RGAA 4.1): "none", "partial" or "full" conformity.
    # "partial" until an audit says otherwise: the automated checks cannot prove full conformity.
    ACCESSIBILITY_STATUS = os.environ.get("ACCESSIBILITY_STATUS", "partial")
    ACCESSIBILITY_STATEMENT_DATE = os.environ.get("ACCESSIBILITY_STATEMENT_DATE", "2026-12-03")
    # What an audit or manual checks (keyboard, screen reader) found, in French; empty: none declared.
    ACCESSIBILITY_AUDIT = os.environ.get("ACCESSIBILITY_AUDIT", "")

    # Deployment (docs/operations.md): the reverse proxy, logs, and the SQLite guard of the
    # production start-up checks (guesthouse/startup.py).
    LOG_JSON = _bool("LOG_JSON", False)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    ALLOW_SQLITE_MULTIPLE_WORKERS = _bool("ALLOW_SQLITE_MULTIPLE_WORKERS", False)


class ProductionConfig(Config):
    # No working default for what identifies the site and its mail: the start-up checks refuse to run
    # until each is set, rather than send mails with links to 127.0.0.1 from mpab@localhost.
    BASE_URL = os.environ.get("BASE_URL", "")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "")
    STAFF_NOTIFICATION_EMAIL = os.environ.get("STAFF_NOTIFICATION_EMAIL", "")
    # One reverse proxy (nginx) in front: trust its X-Forwarded-For/-Proto/-Host, one hop only.
    PROXY_COUNT = _int("PROXY_COUNT", 1)
    HSTS_SECONDS = _int("HSTS_SECONDS", 63072000)  # two years, as hstspreload.org recommends
    LOG_JSON = _bool("LOG_JSON", True)
    # Statement parameters hold personal data: keep them out of error messages and logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}
    # A pooled PostgreSQL connection idle for longer than this is tested before use (0: never), so that a
    # database restart or a dropped idle connection costs no request an error (guesthouse/database.py).
    DATABASE_PING_IDLE_SECONDS = _float("DATABASE_PING_IDLE_SECONDS", 30.0)


class DevelopmentConfig(Config):
    DEBUG = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # no SMTP server needed for `make run`
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://mpab.test"
    SERVER_NAME = None
    MAIL_BACKEND = "smtp"  # tests start a real SMTP server (tests/conftest.py), whatever the shell says
    # Tests log admins in with a password alone; tests/test_two_factor.py sets the roles it checks.
    TWO_FACTOR_REQUIRED_ROLES: list[str] = []


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}

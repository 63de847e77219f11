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


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'guesthouse.db'}")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Mail (Flask-Mail names).
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
    # Seconds allowed to each SMTP network operation: Flask-Mail sets none, and a web request that
    # sends right after its commit must never hang on a slow or silent server.
    MAIL_TIMEOUT = _float("MAIL_TIMEOUT", 10.0)
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 5)
    # Wait before retry n is MAIL_RETRY_BASE_SECONDS * 2**(n-1): 5, 10, 20, 40 minutes by default.
    MAIL_RETRY_BASE_SECONDS = _int("MAIL_RETRY_BASE_SECONDS", 300)
    # Sent messages hold personal data and private links: `mail send` deletes them after this.
    MAIL_SENT_RETENTION_DAYS = _int("MAIL_SENT_RETENTION_DAYS", 90)
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO", "")  # empty: STAFF_NOTIFICATION_EMAIL
    # Empty: the house, the service and its mailbox, in the reader's language (mail/notifications.py).
    MAIL_SIGNATURE = os.environ.get("MAIL_SIGNATURE", "")
    # Facts quoted in confirmations and reminders; the rules and the travel checklist are in
    # templates/emails/_practicalities.* so that they are translated with the rest of the mail.
    HOUSE_ADDRESS = os.environ.get("HOUSE_ADDRESS", "Maison du Partenariat Angers-Bamako, Bamako, Mali")
    HOUSE_PHONE = os.environ.get("HOUSE_PHONE", "")
    REMINDER_DAYS = _int("REMINDER_DAYS", 7)
    DIGEST_PENDING_DAYS = _int("DIGEST_PENDING_DAYS", 3)
    AVAILABILITY_DAYS = _int("AVAILABILITY_DAYS", 28)
    DASHBOARD_PAGE_SIZE = _int("DASHBOARD_PAGE_SIZE", 50)
    REQUESTS_PAGE_SIZE = _int("REQUESTS_PAGE_SIZE", 25)

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


class ProductionConfig(Config):
    pass


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


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}

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

    # Booking rules.
    MAX_NIGHTS = _int("MAX_NIGHTS", 30)
    AVAILABILITY_DAYS = _int("AVAILABILITY_DAYS", 28)
    DASHBOARD_PAGE_SIZE = _int("DASHBOARD_PAGE_SIZE", 50)

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

    # Deployment (see README "Operations"): the reverse proxy, logs, and the SQLite guard of the
    # production start-up checks (guesthouse/startup.py).
    PROXY_FIX = _bool("PROXY_FIX", False)
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
    PROXY_FIX = _bool("PROXY_FIX", True)
    LOG_JSON = _bool("LOG_JSON", True)
    # Statement parameters hold personal data: keep them out of error messages and logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True, "pool_pre_ping": True}


class DevelopmentConfig(Config):
    DEBUG = True
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://mpab.test"
    SERVER_NAME = None


CONFIGS = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "testing": TestingConfig,
}

"""The Maison du Partenariat Angers-Bamako booking application."""

import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import lazy_gettext as _l

from config import CONFIGS

from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .i18n import select_locale

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the app for GUESTHOUSE_ENV (production by default), with optional overrides for tests."""
    config_name = config_name or os.environ.get("GUESTHOUSE_ENV", "production")
    if config_name not in CONFIGS:
        raise RuntimeError(f"GUESTHOUSE_ENV must be one of {', '.join(CONFIGS)}, not {config_name!r}")
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(CONFIGS[config_name])
    app.config["GUESTHOUSE_ENV"] = config_name
    app.config.from_prefixed_env()
    app.config.update(overrides)
    check_config(app)
    register_extensions(app)
    register_security(app)
    register_urls(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_cli(app)
    register_mail(app)
    register_cache(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse to start in production on a configuration that is unsafe or incomplete, saying why."""
    from .startup import production_problems

    if app.config["GUESTHOUSE_ENV"] == "production":
        problems = production_problems(app.config)
        if problems:
            raise RuntimeError(
                "The production configuration is incomplete; set these environment variables "
                "(docs/operations.md):\n- " + "\n- ".join(problems)
            )
        if not app.config.get("TRUSTED_HOSTS"):
            # Only the public address: a forged Host header can then never shape a link or a redirect.
            app.config["TRUSTED_HOSTS"] = [urlsplit(app.config["BASE_URL"]).hostname]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def register_extensions(app: Flask) -> None:
    from .database import configure_sqlite, ping_idle_connections

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    limiter.init_app(app)  # before CSRF: a throttled client is turned away before anything else
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à l'espace du service.")
    login_manager.login_message_category = "info"
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        elif app.config.get("DATABASE_PING_IDLE_SECONDS"):
            ping_idle_connections(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])


def register_urls(app: Flask) -> None:
    from .urls import register

    register(app)


def register_blueprints(app: Flask) -> None:
    """Each feature's blueprint, once the modules that attach its routes and commands are imported.

    They are imported here, not from the feature's __init__, so that importing a feature's models never
    drags in another's views.
    """
    import guesthouse.access_log.views
    import guesthouse.accounts.views
    import guesthouse.bookings.views
    import guesthouse.calendar.views
    import guesthouse.closing.notify
    import guesthouse.closing.public
    import guesthouse.closing.views
    import guesthouse.house.views
    import guesthouse.mail.cli
    import guesthouse.mail.views
    import guesthouse.main.legal
    import guesthouse.main.views
    import guesthouse.privacy.cli
    import guesthouse.privacy.views
    import guesthouse.rooms.cli
    import guesthouse.rooms.views
    import guesthouse.sheet.views
    import guesthouse.staff.auth
    import guesthouse.staff.cli
    import guesthouse.staff.enrolment
    import guesthouse.staff.entry
    import guesthouse.staff.planning_views
    import guesthouse.staff.profile
    import guesthouse.staff.sessions
    import guesthouse.staff.views
    import guesthouse.stats.views
    import guesthouse.travellers.views

    app.register_blueprint(guesthouse.main.bp)
    app.register_blueprint(guesthouse.bookings.bp)
    app.register_blueprint(guesthouse.staff.bp)
    app.register_blueprint(guesthouse.rooms.bp)
    app.register_blueprint(guesthouse.house.bp)
    app.register_blueprint(guesthouse.stats.bp)
    app.register_blueprint(guesthouse.mail.bp)
    app.register_blueprint(guesthouse.accounts.bp)
    app.register_blueprint(guesthouse.privacy.bp)
    app.register_blueprint(guesthouse.access_log.bp)
    app.register_blueprint(guesthouse.calendar.bp)
    app.register_blueprint(guesthouse.closing.bp)
    app.register_blueprint(guesthouse.travellers.bp)
    app.register_blueprint(guesthouse.sheet.bp)


def register_security(app: Flask) -> None:
    from .security import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_cache(app: Flask) -> None:
    """The one cache: the feeds and the dashboard's lists, kept by data version (guesthouse/cache.py)."""
    from .cache import register

    register(app)


def register_mail(app: Flask) -> None:
    """Mails queued with each booking change, and sent once it has committed (guesthouse/mail)."""
    from .mail.outbox import register

    register(app)


def register_cli(app: Flask) -> None:
    from .demo import demo_command

    app.cli.add_command(demo_command)

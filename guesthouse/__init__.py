"""The Maison du Partenariat Angers-Bamako booking application."""

import os
from importlib import import_module
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS

from .extensions import babel, csrf, db, login_manager, mail, migrate

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
    register_proxy_fix(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def check_config(app: Flask) -> None:
    """Refuse to start in production on a configuration that is unsafe or incomplete, saying why."""
    from .startup import production_problems

    if app.config["GUESTHOUSE_ENV"] == "production":
        problems = production_problems(app.config)
        if problems:
            raise RuntimeError(
                "The production configuration is incomplete; set these environment variables "
                "(README, Operations):\n- " + "\n- ".join(problems)
            )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)


def register_proxy_fix(app: Flask) -> None:
    """Behind one reverse proxy, take the client's address, scheme and host from its X-Forwarded-* headers."""
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def select_locale() -> str:
    """The language chosen on the site, else the browser's, else French."""
    languages = list(current_app.config["LANGUAGES"])
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def register_extensions(app: Flask) -> None:
    from .database import configure_sqlite

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    mail.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = _l("Connectez-vous pour accéder à l'espace du service.")
    login_manager.login_message_category = "info"
    babel.init_app(app, locale_selector=select_locale)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


# Each feature's modules that attach routes or commands to its blueprint. They are imported here, not
# from the feature's __init__, so that importing a feature's models never drags in another's views.
FEATURES = {
    "main": ("views",),
    "bookings": ("views",),
    "staff": ("auth", "views", "cli"),
    "rooms": ("views", "cli"),
}


def register_blueprints(app: Flask) -> None:
    for feature, modules in FEATURES.items():
        package = import_module(f"{__name__}.{feature}")
        for module in modules:
            import_module(f"{__name__}.{feature}.{module}")
        app.register_blueprint(package.bp)


def register_template_helpers(app: Flask) -> None:
    from .templating import register

    register(app)


def register_error_handlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_cli(app: Flask) -> None:
    from .demo import demo_command

    app.cli.add_command(demo_command)

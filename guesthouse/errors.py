"""Error pages that say what happened and what to do, in the visitor's language."""

import errno
import sqlite3
import time

import psycopg
import sqlalchemy as sa
from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import db, limiter

# How long a visitor is asked to wait when the database or the disk fails: an outage the operators must
# see and mend, not a moment's contention.
OUTAGE_RETRY_AFTER_SECONDS = 120

# SQLite's result codes for a database that cannot be reached or written for now: busy or locked past the
# timeout, read-only, an I/O error, the disk (or the file's page limit) full, a file that cannot be opened.
# SQLite also reports mistakes in the code (no such table) as OperationalError: those stay 500s.
_SQLITE_OUTAGES = {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
}
# PostgreSQL's "cannot execute … in a read-only transaction": a standby answering after a failover.
_POSTGRES_READ_ONLY = "25006"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Requête invalide"),
            _(
                "La demande envoyée est incomplète ou mal formée. Revenez à la page précédente, rechargez-la et réessayez."
            ),
        ),
        403: (
            _("Accès refusé"),
            _(
                "Votre compte ne permet pas d'ouvrir cette page. Demandez l'accès à un administrateur du service."
            ),
        ),
        404: (
            _("Page introuvable"),
            _(
                "Cette adresse ne correspond à aucune page. Vérifiez le lien reçu par e-mail ou revenez à l'accueil."
            ),
        ),
        405: (
            _("Méthode non permise"),
            _("Cette page ne s'utilise pas ainsi. Revenez à l'accueil et suivez les liens."),
        ),
        413: (
            _("Envoi trop volumineux"),
            _("Les données envoyées dépassent la taille permise. Raccourcissez les textes et réessayez."),
        ),
        429: (
            _("Trop de tentatives"),
            _(
                "Vous avez fait trop de tentatives en peu de temps. Patientez quelques minutes puis réessayez."
            ),
        ),
        503: (
            _("Service momentanément indisponible"),
            _(
                "Le service est momentanément indisponible et rien n'a été enregistré. Réessayez dans quelques minutes ; si vous envoyiez un formulaire, renvoyez-le."
            ),
        ),
        500: (
            _("Erreur interne"),
            _(
                "Une erreur inattendue s'est produite. Réessayez dans un instant ; si elle persiste, écrivez au service."
            ),
        ),
    }


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, (_("Erreur"), _("Revenez à l'accueil et réessayez.")))
    if request.path.endswith(".ics") or request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": detail or text}, code
    # The outage page is drawn without the database: the site's usual frame asks who is logged in.
    template = "errors/unavailable.html" if code == 503 else "errors/error.html"
    return render_template(template, code=code, title=title, text=detail or text), code


def is_outage(error: BaseException) -> bool:
    """Whether the database or the disk failed (unreachable, full, read-only), rather than the code."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(error, sa.exc.TimeoutError):  # every pooled connection stayed busy
        return True
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    # The driver's own error: SQLAlchemy wraps it, except where code reads on a raw DBAPI connection.
    if isinstance(error, sqlite3.Error):
        return (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF in _SQLITE_OUTAGES
    if isinstance(error, psycopg.Error):
        # A lost or refused connection, the disk full (53100), the server shutting down, …
        return isinstance(error, psycopg.OperationalError) or error.sqlstate == _POSTGRES_READ_ONLY
    return False


def unavailable():
    """503 with when to try again, once the failed transaction is undone."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        pass  # the connection is gone with everything it had not committed
    return (*render_error(503), {"Retry-After": str(OUTAGE_RETRY_AFTER_SECONDS)})


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _("Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page, puis renvoyez-le."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error: SecurityError):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        text = _("Cette adresse n'est pas celle du site. Utilisez le lien officiel de la Maison.")
        return text, 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded):
        response = render_error(429)
        breached = limiter.current_limit
        if breached is not None:
            wait = max(1, int(breached.reset_at - time.time()))
            response = (*response, {"Retry-After": str(wait)})
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if is_outage(error):
            app.logger.error(
                "database or disk unavailable on %s %s", request.method, request.path, exc_info=error
            )
            return unavailable()
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return render_error(500)

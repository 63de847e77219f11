"""Error pages that say what happened and what to do, in the visitor's language."""

import time

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from .extensions import limiter


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
        500: (
            _("Erreur interne"),
            _(
                "Une erreur inattendue s'est produite. Réessayez dans un instant ; si elle persiste, écrivez au service."
            ),
        ),
    }


def render_error(code: int, detail: str | None = None):
    title, text = _messages().get(code, (_("Erreur"), _("Revenez à l'accueil et réessayez.")))
    if request.path.endswith(".ics") or request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": detail or text}, code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


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
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return render_error(500)

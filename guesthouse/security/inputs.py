"""Input no form should ever have to think about."""

from flask import Flask, request
from flask_babel import gettext as _

from ..errors import render_error


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values.getlist(key)) for key in values)


def register(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters():
        # No person types a NUL character, and PostgreSQL refuses to store one in a text column: the
        # request is refused here, before a form could accept it and the database turn it into a 500.
        if (
            "\x00" in request.path
            or _has_nul(request.args)
            or (request.method in ("POST", "PUT", "PATCH") and _has_nul(request.form))
        ):
            return render_error(
                400,
                _(
                    "Le texte envoyé contient un caractère invalide (caractère nul). "
                    "Retapez-le sans copier-coller depuis un autre logiciel, puis renvoyez le formulaire."
                ),
            )
        return None

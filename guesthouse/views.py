"""View helpers that more than one feature's views need."""

from collections.abc import Callable

from flask import flash
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from .bookings.models import StayRequest


def refuse_stale(stay: StayRequest, page: Callable[..., ResponseReturnValue]) -> ResponseReturnValue:
    """Someone acted on the stay first: say what it has become, on its page (`page(stay, status)`), 409."""
    flash(
        _(
            "Cette demande est désormais « %(status)s » : l'action n'est plus possible. "
            "Consultez son historique ci-dessous.",
            status=stay.status.label,
        ),
        "error",
    )
    return page(stay, 409)

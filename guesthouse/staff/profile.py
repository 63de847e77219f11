"""A staff member's own page: their account and the secret address of their calendar feed."""

from flask import flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..calendar.links import webcal_url
from ..extensions import db
from ..urls import external_url
from . import bp
from .access import house_staff_required, staff_required


def render_profile(feed_url: str | None = None):
    response = make_response(
        render_template(
            "staff/profile.html",
            feed_url=feed_url,
            webcal=webcal_url(feed_url) if feed_url else None,
        )
    )
    # The page may show a secret address once: no cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response


# The session key holding a new calendar address until the profile page has shown it once.
NEW_FEED_URL = "new_calendar_url"


@bp.get("/profile")
@house_staff_required
def profile():
    """The account, whether a private calendar address exists, and a new one shown this once (the
    calendar holds pending requests: the service's only, not the caretakers')."""
    return render_profile(session.pop(NEW_FEED_URL, None))


@bp.post("/profile/calendar-token")
@staff_required
def new_calendar_token():
    """Create a new private calendar address, to be shown once; the previous one stops working."""
    token = current_user.new_calendar_token()
    db.session.commit()
    # Redirected, so that reloading the page cannot post again and silently replace the address the
    # member was just told to copy. Only the hash is stored: the address waits in the session for the
    # one page that shows it. Whoever holds this session cookie could generate an address anyway.
    session[NEW_FEED_URL] = external_url("calendar.staff", token=token)
    return redirect(url_for(".profile", _anchor="agenda"), code=303)


@bp.post("/profile/calendar-token/delete")
@staff_required
def delete_calendar_token():
    """Switch the private calendar address off."""
    current_user.revoke_calendar_token()
    db.session.commit()
    flash(
        _("Votre adresse d'agenda privée est désactivée : les agendas abonnés ne se mettent plus à jour."),
        "success",
    )
    return redirect(url_for(".profile"), code=303)

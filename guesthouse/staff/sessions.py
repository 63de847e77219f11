"""A member's open sessions: where they are signed in, and ending one or all the others."""

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm

from ..extensions import db
from . import bp
from .access import house_staff_required


@bp.get("/sessions")
@house_staff_required
def sessions():
    """The member's sessions, most recently used first, this browser's marked."""
    return render_template("staff/sessions.html", current=current_user.current_session)


@bp.post("/sessions/<int:session_id>/end")
@house_staff_required
def end_session(session_id: int):
    """End one of one's own sessions: that browser is sent to the login page at its next click."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    ended = next((s for s in current_user.sessions if s.id == session_id), None) or abort(404)
    if ended is current_user.current_session:
        current_user.end_session()
        db.session.commit()
        logout_user()
        session.clear()
        flash(_("Vous êtes déconnecté."), "success")
        return redirect(url_for(".login"), code=303)
    current_user.sessions.remove(ended)
    db.session.commit()
    flash(_("Session fermée."), "success")
    return redirect(url_for(".sessions"), code=303)


@bp.post("/sessions/end-others")
@house_staff_required
def end_other_sessions():
    """End every session of the account but this browser's."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    current_user.end_other_sessions()
    db.session.commit()
    flash(_("Vos autres sessions sont fermées."), "success")
    return redirect(url_for(".sessions"), code=303)

"""Staff login and logout."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..database import utcnow
from ..extensions import db, login_manager
from ..security.throttling import login_limits
from ..urls import safe_next
from . import bp
from .forms import LoginForm
from .models import StaffUser


@login_manager.user_loader
def load_user(session_id: str) -> StaffUser | None:
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    # A changed session_version (password change, deactivation) ends older sessions at once.
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    """Log a staff member in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        email = StaffUser.normalise_email(form.email.data)
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        if user is None:
            StaffUser.spend_verification_time(form.password.data)
        # The password is checked first, so that a deactivated account answers as slowly as any other.
        elif user.check_password(form.password.data) and user.active:
            target = safe_next(request.args.get("next"), url_for("staff.dashboard"))
            session.clear()  # a fresh session at login: nothing set before it survives
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user)
            return redirect(target, code=303)
        flash(_("Adresse e-mail ou mot de passe incorrect : vérifiez-les et réessayez."), "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """End the staff session."""
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("staff.login"), code=303)

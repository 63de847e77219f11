"""Who may see what on the staff side."""

from functools import wraps

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required


def member_required(view):
    """Logged-in, active staff, whether or not their role still waits for two-factor sign-in: the
    enrolment pages themselves."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def staff_required(view):
    """Logged-in, active staff only (anonymous users are sent to the login page); a member whose role
    requires two-factor sign-in (TWO_FACTOR_REQUIRED_ROLES) and who has not set it up is sent to do so
    before anything else."""

    @member_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.must_enrol(current_app.config["TWO_FACTOR_REQUIRED_ROLES"]):
            if request.method == "GET":
                flash(_("Votre rôle demande la double authentification : activez-la pour continuer."), "info")
            return redirect(url_for("staff.two_factor"), code=303)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Admins only: approvers get 403."""

    @staff_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped

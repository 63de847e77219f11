"""Who may see what on the staff side."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def staff_required(view):
    """Logged-in, active staff only (anonymous users are sent to the login page)."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
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

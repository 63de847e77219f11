"""Who may see what on the staff side.

Three doors: `staff_required` for the service in Angers (admins and approvers), `house_staff_required`
for them and the caretakers in Bamako, `admin_required` for admins. A new staff page is closed to
caretakers unless it says otherwise.
"""

from functools import wraps

from flask import abort, url_for
from flask_login import current_user, login_required


def role_required(allowed):
    """Logged-in users for whom `allowed(user)` holds; others get 403, anonymous users the login page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# The office: admins and approvers; caretakers get 403.
staff_required = role_required(lambda user: user.is_staff)
# The house: admins, approvers and caretakers (the sheet, the stays' pages, arrivals and departures).
house_staff_required = role_required(lambda user: user.is_house_staff)
# Admins only: approvers and caretakers get 403.
admin_required = role_required(lambda user: user.is_admin)


def landing_page(user) -> str:
    """Where a member starts: the dashboard for the service, the day's sheet for a caretaker."""
    return url_for("staff.dashboard") if user.is_staff else url_for("sheet.sheet")

"""Who may see what on the staff side.

Three doors: `staff_required` for the service in Angers (admins and approvers), `house_staff_required`
for them and the caretakers in Bamako, `admin_required` for admins. A new staff page is closed to
caretakers unless it says otherwise. Behind each door, a member whose role requires two-factor sign-in
(TWO_FACTOR_REQUIRED_ROLES) and who has not set it up is sent to do so before anything else.
"""

from functools import wraps

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required


def role_required(allowed, enrolled: bool = True):
    """Logged-in users for whom `allowed(user)` holds; others get 403, anonymous users the login page.

    With `enrolled`, a member who still owes two-factor sign-in is sent to the enrolment page first.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not allowed(current_user):
                abort(403)
            if enrolled and current_user.must_enrol(current_app.config["TWO_FACTOR_REQUIRED_ROLES"]):
                if request.method == "GET":
                    flash(
                        _("Votre rôle demande la double authentification\u00a0: activez-la pour continuer."),
                        "info",
                    )
                return redirect(url_for("staff.two_factor"), code=303)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# Any member, whether or not their role still waits for two-factor sign-in: the enrolment pages themselves.
member_required = role_required(lambda user: user.is_house_staff, enrolled=False)
# The office: admins and approvers; caretakers get 403.
staff_required = role_required(lambda user: user.is_staff)
# The house: admins, approvers and caretakers (the sheet, the stays' pages, arrivals and departures).
house_staff_required = role_required(lambda user: user.is_house_staff)
# Admins only: approvers and caretakers get 403.
admin_required = role_required(lambda user: user.is_admin)


def landing_page(user) -> str:
    """Where a member starts: the dashboard for the service, the day's sheet for a caretaker."""
    return url_for("staff.dashboard") if user.is_staff else url_for("sheet.sheet")

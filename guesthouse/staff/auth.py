"""Staff login and logout, and finding the session a request's cookie belongs to."""

from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..database import utcnow
from ..extensions import db, login_manager
from ..security.throttling import PENDING_ACCOUNT_KEY, account_key, code_limits, login_limits
from ..urls import safe_next
from . import bp
from .access import landing_page
from .forms import CodeForm, LoginForm, is_app_code
from .models import StaffSession, StaffUser, hash_token
from .two_factor import use_code, use_recovery_code

# How stale a session's last_seen_at may get before a request writes it again.
SEEN_INTERVAL = timedelta(minutes=5)
# Between the password and the code: the session entry, and how many seconds the browser has to type it.
PENDING_LOGIN = "pending_login"
CODE_WAIT = 300


@login_manager.user_loader
def load_user(session_key: str) -> StaffUser | None:
    """The account whose session this key (from the signed cookie) opens, or None: the login page.

    A key whose row is gone (logout, password change, deactivation, the purge), or of the form used
    before sessions were kept on the server ("<id>:<number>"), finds nothing.
    """
    user_id, _sep, secret = session_key.partition(":")
    now = utcnow()
    found = db.session.execute(
        sa.select(StaffUser, StaffSession)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(
            StaffSession.secret_hash == hash_token(secret),
            StaffSession.last_seen_at > StaffSession.idle_cutoff(now),
            StaffUser.active.is_(True),
        )
    ).one_or_none()
    if found is None or str(found.StaffUser.id) != user_id:
        return None
    if found.StaffSession.last_seen_at < now - SEEN_INTERVAL:
        after_this_request(partial(record_seen_after_response, found.StaffSession.id, now))
    found.StaffUser.session_key = session_key
    return found.StaffUser


def record_seen_after_response(session_id: int, now: datetime, response: Response) -> Response:
    """Write when a session was last used, once the response has gone out, in a transaction of its own.

    At most every SEEN_INTERVAL, not at each request: the date only needs to be good to a few minutes
    (for the idle limit and the member's list of sessions), and a write on every staff page
    would take SQLite's single write lock once per click. After the response: the request's transaction
    is over by then, and it may have held changes that are not this write's to commit (or SQLite's write
    lock, which a second connection would wait for); a page that only reads commits nothing.
    """
    response.call_on_close(partial(_write_last_seen, current_app._get_current_object(), session_id, now))
    return response


def _write_last_seen(app: Flask, session_id: int, now: datetime) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(
            sa.update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now)
        )


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    """Log a staff member in with email and password."""
    if current_user.is_authenticated:
        return redirect(landing_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        email = StaffUser.normalise_email(form.email.data)
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))
        if user is None:
            StaffUser.spend_verification_time(form.password.data)
        # The password is checked first, so that a deactivated account answers as slowly as any other.
        elif user.check_password(form.password.data) and user.active:
            target = safe_next(request.args.get("next"), landing_page(user))
            if user.has_two_factor:
                db.session.commit()  # check_password may have renewed the hash
                return ask_for_code(user, target)
            return finish_login(user, target)
        flash(_("Adresse e-mail ou mot de passe incorrect : vérifiez-les et réessayez."), "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form), 400 if form.errors else 200


def finish_login(user: StaffUser, target: str):
    """Open the member's session on the server and in this browser, then go where they were going."""
    session.clear()  # a fresh session at login: nothing set before it survives
    user.last_login_at = utcnow()
    user.open_session(request.user_agent.string, request.remote_addr)
    db.session.commit()
    login_user(user)
    return redirect(target, code=303)


def ask_for_code(user: StaffUser, target: str):
    """The password was right: remember whose it was, for a few minutes, until their code is typed."""
    session.clear()
    session[PENDING_LOGIN] = {"user": user.id, "next": target, "until": utcnow().timestamp() + CODE_WAIT}
    session[PENDING_ACCOUNT_KEY] = account_key(user.email)
    return redirect(url_for(".login_code"), code=303)


def pending_login() -> tuple[StaffUser, str] | None:
    """The member whose password was given in this browser and who still owes a code, and where they
    were going; None when there is none, or it is too old."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or pending.get("until", 0) < utcnow().timestamp():
        return None
    user = db.session.get(StaffUser, pending.get("user"))
    if user is None or not user.active or not user.has_two_factor:
        return None
    return user, pending.get("next") or url_for(".dashboard")


@bp.route("/login/code", methods=["GET", "POST"])
@code_limits
def login_code():
    """The second step of a login with two-factor: a code from the member's app, or a recovery code."""
    pending = pending_login()
    if pending is None:
        flash(_("Saisissez d'abord votre adresse e-mail et votre mot de passe."), "info")
        return redirect(url_for(".login"))
    user, target = pending
    form = CodeForm()
    if form.validate_on_submit():
        code = form.code.data
        if use_code(user, code, utcnow()) if is_app_code(code) else use_recovery_code(user, code):
            return finish_login(user, target)
        db.session.rollback()
        flash(
            _(
                "Code incorrect ou déjà utilisé : saisissez le code suivant de votre application, "
                "ou un code de secours."
            ),
            "error",
        )
        return render_template("staff/login_code.html", form=form), 401
    return render_template("staff/login_code.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    """End this browser's session on the server; the member's other devices stay signed in."""
    current_user.end_session()
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "success")
    return redirect(url_for("staff.login"), code=303)

"""Rate limits: staff login, and the public forms that anyone can post without an account.

The limits are read from the configuration at each request, so that they can be changed without code
and tests can tighten them. A throttled request gets the 429 page of errors.py, in French, with a
Retry-After header.
"""

import hashlib

from flask import current_app, g, request, session
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter
from ..staff.models import StaffUser

# One counter per account for wrong passwords and wrong two-factor codes alike.
ACCOUNT_SCOPE = "login-account"
# The session entry holding the rate-limit key of an account between its password and its code.
PENDING_ACCOUNT_KEY = "pending_login_account"


def _config(name: str):
    return lambda: current_app.config[name]


def account_key(email: str) -> str:
    """The rate-limit key of an account, whether or not it exists; hashed, to keep emails out of the
    rate-limit store (which may be a shared Redis)."""
    email = StaffUser.normalise_email(email)
    if not email:
        return ""  # Flask-Limiter skips an empty key; the per-address limit still applies
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


def login_account() -> str:
    """The account a login attempt is for."""
    return account_key(request.form.get("email", ""))


def _code_account() -> str:
    """The account whose password was just given, kept in the session until its code is typed."""
    return session.get(PENDING_ACCOUNT_KEY, "")


def _failed_login(response) -> bool:
    return response.status_code == 401


def login_limits(view):
    """Failed logins per account and per client address; a successful login costs nothing.

    The limit is checked before the view runs, the same way for an existing and an unknown account,
    so a 429 says nothing about which accounts exist.
    """
    return _failure_limits(view, account=login_account)


def code_limits(view):
    """Wrong two-factor codes count toward the same limits as wrong passwords: per account (the same
    counter, so that alternating the two steps gains nothing) and per client address."""
    return _failure_limits(view, account=_code_account)


def _failure_limits(view, *, account):
    """The account's counter (shared by passwords and codes) and the address's, counting failures only."""
    view = limiter.shared_limit(
        _config("LOGIN_RATE_LIMIT_ACCOUNT"),
        scope=ACCOUNT_SCOPE,
        key_func=account,
        methods=["POST"],
        deduct_when=_failed_login,
    )(view)
    return limiter.limit(
        _config("LOGIN_RATE_LIMIT_ADDRESS"),
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_failed_login,
    )(view)


def _current_user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def wrong_password() -> None:
    """Called by a view that checked a logged-in member's current password and found it wrong."""
    g.wrong_password = True


def password_check_limits(view):
    """A stolen session must not become a way to guess the account's password: wrong current
    passwords count toward the same limit as failed logins."""
    return limiter.limit(
        _config("LOGIN_RATE_LIMIT_ACCOUNT"),
        key_func=_current_user_key,
        methods=["POST"],
        deduct_when=lambda response: g.get("wrong_password", False),
    )(view)


def count_as_submission() -> None:
    """Count this POST toward PUBLIC_FORM_RATE_LIMIT although it is not a redirect: the honeypot of
    forms.HoneypotMixin was filled."""
    g.counts_as_submission = True


def _submitted(response) -> bool:
    return response.status_code in (302, 303) or g.get("counts_as_submission", False)


def public_form_limits(view):
    """For a form anyone may post (a stay request, a lost link): per client address, the submissions
    that went through (a redirect) or tripped the honeypot, and, more loosely, every POST, so that an
    honest person correcting mistakes is not locked out but a robot is."""
    view = limiter.limit(
        _config("PUBLIC_FORM_RATE_LIMIT"),
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_submitted,
    )(view)
    return limiter.limit(_config("PUBLIC_FORM_ATTEMPT_LIMIT"), key_func=get_remote_address, methods=["POST"])(
        view
    )

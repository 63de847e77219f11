"""A member's two-factor sign-in: setting it up with a QR code and a first code, and recovery codes."""

from flask import current_app, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..database import utcnow
from ..extensions import db
from ..security.throttling import password_check_limits, wrong_password
from . import bp
from .access import member_required
from .forms import CodeForm
from .two_factor import matching_step, new_secret, provisioning_uri, qr_code_svg, use_code

# Session entries: the secret being set up (until its first code is typed), and recovery codes waiting
# for the one page that shows them.
PENDING_ENROLMENT = "two_factor_enrolment"
NEW_RECOVERY_CODES = "new_recovery_codes"


def render_two_factor(form: CodeForm | None = None, status: int = 200):
    """The member's two-factor page: set it up, or its state and new recovery codes; never cached, as it
    may show a secret or recovery codes."""
    form = form or CodeForm(formdata=None)
    context = {"form": form, "recovery_codes": session.pop(NEW_RECOVERY_CODES, None)}
    if not current_user.has_two_factor:
        secret = session.setdefault(PENDING_ENROLMENT, new_secret())
        uri = provisioning_uri(secret, current_user, current_app.config["TWO_FACTOR_ISSUER"])
        context.update(secret=secret, qr_code=qr_code_svg(uri, _("QR code à scanner avec votre application")))
    response = make_response(render_template("staff/two_factor.html", **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/two-factor")
@member_required
def two_factor():
    """Set up two-factor sign-in, or see its state; shows new recovery codes this once."""
    return render_two_factor()


@bp.post("/two-factor")
@member_required
def enable_two_factor():
    """Turn two-factor sign-in on once the first code from the app proves it is set up."""
    form = CodeForm()
    secret = session.get(PENDING_ENROLMENT)
    if current_user.has_two_factor or secret is None:
        return redirect(url_for(".two_factor"), code=303)
    if not form.validate_on_submit():
        return render_two_factor(form, 400)
    step = matching_step(secret, form.code.data, utcnow())
    if step is None:
        form.code.errors.append(
            _("Ce code ne correspond pas : vérifiez l'heure de votre téléphone et saisissez le code affiché.")
        )
        return render_two_factor(form, 400)
    codes = current_user.enable_two_factor(secret, step)
    db.session.commit()
    current_app.logger.info("staff account %s turned two-factor sign-in on", current_user.id)
    session.pop(PENDING_ENROLMENT)
    session[NEW_RECOVERY_CODES] = codes  # shown once by the page this redirects to
    flash(_("Double authentification activée : notez vos codes de secours ci-dessous."), "success")
    return redirect(url_for(".two_factor"), code=303)


@bp.post("/two-factor/recovery-codes")
@member_required
@password_check_limits
def new_recovery_codes():
    """Ten new recovery codes in place of the old ones, against a current code from the app."""
    form = CodeForm()
    if not current_user.has_two_factor:
        return redirect(url_for(".two_factor"), code=303)
    if not form.validate_on_submit():
        return render_two_factor(form, 400)
    if not use_code(current_user, form.code.data, utcnow()):
        db.session.rollback()
        wrong_password()  # a stolen session must not become a way to guess codes
        form.code.errors.append(
            _("Code incorrect ou déjà utilisé : saisissez le code suivant de votre application.")
        )
        return render_two_factor(form, 400)
    session[NEW_RECOVERY_CODES] = current_user.new_recovery_codes()
    db.session.commit()
    flash(_("Nouveaux codes de secours : les anciens ne fonctionnent plus."), "success")
    return redirect(url_for(".two_factor"), code=303)

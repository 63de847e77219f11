"""A staff member's own password, and the admins' pages to manage staff accounts."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from ..extensions import db
from ..security.throttling import password_check_limits, wrong_password
from ..staff.access import admin_required, house_staff_required, landing_page
from ..staff.models import Role, StaffUser
from . import bp
from .forms import AccountForm, PasswordChangeForm, RoleForm

MAX_ACCOUNTS_LISTED = 500


@bp.route("/password", methods=["GET", "POST"])
@house_staff_required
@password_check_limits
def password():
    """Change one's own password; every other session of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current_password.data):
            wrong_password()
            form.current_password.errors.append(
                _("Mot de passe actuel incorrect : vérifiez-le et réessayez.")
            )
        else:
            user.change_password(form.new_password.data)
            user.open_session(request.user_agent.string, request.remote_addr)  # this browser stays in
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("Mot de passe changé. Vos autres sessions sont fermées."), "success")
            return redirect(landing_page(user), code=303)
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


def listed_accounts() -> list[StaffUser]:
    return list(
        db.session.scalars(
            sa.select(StaffUser)
            .order_by(StaffUser.active.desc(), StaffUser.name, StaffUser.id)
            .limit(MAX_ACCOUNTS_LISTED)
        )
    )


def email_taken(email: str) -> bool:
    return db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)) is not None


@bp.route("/accounts", methods=["GET", "POST"])
@admin_required
def accounts():
    """The staff accounts, and a form to create one."""
    form = AccountForm()
    if form.validate_on_submit():
        email = StaffUser.normalise_email(form.email.data)
        if email_taken(email):
            form.email.errors.append(_("Un compte utilise déjà cette adresse : ouvrez-le dans la liste."))
        else:
            generated = form.password_mode.data == "generate"
            password = StaffUser.generate_password() if generated else form.password.data
            user = StaffUser(email=email, name=form.name.data.strip(), role=Role(form.role.data))
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            current_app.logger.info("staff account %s created by %s", user.id, current_user.id)
            if generated:
                return render_template("accounts/password_shown.html", user=user, password=password)
            flash(_("Compte de %(name)s créé.", name=user.name), "success")
            return redirect(url_for(".accounts"), code=303)
    status = 400 if form.errors else 200
    return render_template("accounts/accounts.html", accounts=listed_accounts(), form=form), status


def managed_account(account_id: int) -> StaffUser:
    """The account an admin acts on; 404 if unknown, 403 for one's own account."""
    user = db.get_or_404(StaffUser, account_id)
    if not current_user.can_manage(user):
        abort(403)
    return user


def render_account(user: StaffUser, status: int = 200, role_form: RoleForm | None = None):
    role_form = role_form or RoleForm(formdata=None, data={"role": user.role.value})
    return render_template(
        "accounts/account.html",
        user=user,
        role_form=role_form,
        manageable=current_user.can_manage(user),
    ), status


@bp.route("/accounts/<int:account_id>")
@admin_required
def account(account_id: int):
    """One account: its role, its state, and the admin's actions on it."""
    return render_account(db.get_or_404(StaffUser, account_id))


@bp.post("/accounts/<int:account_id>/role")
@admin_required
def change_role(account_id: int):
    """Make an account admin or approver (not one's own)."""
    user = managed_account(account_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return render_account(user, 400, role_form=form)
    user.role = Role(form.role.data)
    db.session.commit()
    flash(_("Rôle de %(name)s : %(role)s.", name=user.name, role=user.role.label), "success")
    return redirect(url_for(".account", account_id=user.id), code=303)


@bp.post("/accounts/<int:account_id>/deactivate")
@admin_required
def deactivate(account_id: int):
    """Close an account: its sessions end at once and it can no longer log in."""
    user = managed_account(account_id)
    user.deactivate()
    db.session.commit()
    current_app.logger.info("staff account %s deactivated by %s", user.id, current_user.id)
    flash(_("Compte de %(name)s désactivé : ses sessions sont fermées.", name=user.name), "success")
    return redirect(url_for(".account", account_id=user.id), code=303)


@bp.post("/accounts/<int:account_id>/reactivate")
@admin_required
def reactivate(account_id: int):
    """Reopen a deactivated account (its old sessions stay closed)."""
    user = managed_account(account_id)
    user.reactivate()
    db.session.commit()
    current_app.logger.info("staff account %s reactivated by %s", user.id, current_user.id)
    flash(_("Compte de %(name)s réactivé.", name=user.name), "success")
    return redirect(url_for(".account", account_id=user.id), code=303)


@bp.post("/accounts/<int:account_id>/reset-password")
@admin_required
def reset_password(account_id: int):
    """Give a staff member who lost their password a new one, shown once; their sessions end."""
    user = managed_account(account_id)
    password = StaffUser.generate_password()
    user.change_password(password)
    db.session.commit()
    current_app.logger.info("staff account %s password reset by %s", user.id, current_user.id)
    return render_template("accounts/password_shown.html", user=user, password=password)


@bp.post("/accounts/<int:account_id>/reset-two-factor")
@admin_required
def reset_two_factor(account_id: int):
    """Turn off the two-factor sign-in of a member who lost their phone and codes; recorded on the
    account, and their sessions end."""
    user = managed_account(account_id)
    user.reset_two_factor(by=current_user)
    db.session.commit()
    current_app.logger.info("staff account %s two-factor reset by %s", user.id, current_user.id)
    flash(
        _(
            "Double authentification de %(name)s désactivée : ses sessions sont fermées ; "
            "elle se configure de nouveau depuis « Double authentification ».",
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for(".account", account_id=user.id), code=303)

"""The public privacy notice, and the staff page to export or erase one person's data."""

import json

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..access_log.models import AccessKind
from ..access_log.operations import record_access
from ..database import begin_write, today
from ..extensions import db
from ..staff.access import staff_required
from . import bp
from .forms import EraseForm, ExportForm, LookupForm
from .operations import MAX_REQUESTS_PER_EMAIL, erase, export_data, requests_of, staff_accounts_of


@bp.route("/confidentialite")
def notice():
    """Who processes the requesters' data, why, for how long, and how to exercise one's rights."""
    return render_template("privacy/notice.html")


def render_lookup(form: LookupForm, email: str | None = None, status: int = 200, erase_form=None, found=None):
    if found is None:
        found = requests_of(email) if email else []
    accounts = staff_accounts_of(email) if email else []
    return render_template(
        "privacy/staff.html",
        form=form,
        email=email,
        stays=found,
        accounts=accounts,
        truncated=len(found) >= MAX_REQUESTS_PER_EMAIL,
        open_count=sum(1 for stay in found if stay.is_open),
        export_form=ExportForm(formdata=None, data={"email": email}),
        erase_form=erase_form or EraseForm(formdata=None, data={"email": email}),
    ), status


@bp.route("/staff/privacy", methods=["GET", "POST"])
@staff_required
def lookup():
    """What is held about one email address, with the export and erase actions (POST: no address in
    the URL, hence in no log)."""
    form = LookupForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        found = requests_of(email)
        page = render_lookup(form, email, found=found)
        record_access(AccessKind.PRIVACY_LOOKUP, [stay.reference for stay in found])
        db.session.commit()
        return page
    return render_lookup(form, status=400 if form.errors else 200)


@bp.post("/staff/privacy/export")
@staff_required
def export():
    """Download everything held about the address as JSON; the history notes the export."""
    form = ExportForm()
    if not form.validate_on_submit():
        flash(_("Adresse e-mail manquante ou invalide : recherchez-la de nouveau."), "error")
        return redirect(url_for(".lookup"), code=303)
    email = form.email.data.strip()
    stays = requests_of(email)
    data = export_data(email, stays, current_app.config["PRIVACY_CONTROLLER"])
    for stay in stays:
        stay.record_export(by=current_user)
    record_access(AccessKind.PRIVACY_EXPORT, [stay.reference for stay in stays])
    db.session.commit()
    filename = f"mpab-donnees-personnelles-{today().isoformat()}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.post("/staff/privacy/erase")
@staff_required
def erase_data():
    """Erase the address's requests once confirmed: open ones are cancelled first, then all anonymised."""
    form = EraseForm()
    if not form.validate_on_submit():
        if form.email.errors:
            flash(_("Adresse e-mail manquante ou invalide : recherchez-la de nouveau."), "error")
            return redirect(url_for(".lookup"), code=303)
        email = form.email.data.strip()
        return render_lookup(LookupForm(formdata=None, data={"email": email}), email, 400, erase_form=form)
    begin_write()  # the requests are read under the write lock: none can be approved meanwhile
    stays = requests_of(form.email.data.strip(), lock=True)
    erased, cancelled = erase(
        stays,
        by=current_user,
        reason=_("Annulée : effacement des données personnelles à la demande de la personne."),
    )
    db.session.commit()
    flash(
        _(
            "%(erased)s, dont %(cancelled)s au préalable.",
            erased=ngettext("%(num)s demande effacée", "%(num)s demandes effacées", erased),
            cancelled=ngettext("%(num)s annulée", "%(num)s annulées", cancelled),
        ),
        "success",
    )
    return redirect(url_for(".lookup"), code=303)

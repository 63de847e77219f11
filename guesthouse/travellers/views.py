"""The travellers' details: completed by the requester behind the private link, or by staff."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access_log.models import AccessKind
from ..access_log.operations import record_access
from ..bookings.models import StayRequest
from ..bookings.operations import lock_stay, stay_by_token
from ..bookings.travellers import missing_details
from ..extensions import db
from ..security.headers import private_link
from ..staff.access import house_staff_required
from . import bp
from .forms import TravellerForm, TravellersForm


def travellers_form(stay: StayRequest) -> TravellersForm:
    """The form with a block per known traveller, then empty ones up to the number of travellers."""
    records = stay.traveller_records
    rows = max(stay.guests, len(records))
    data = {"travellers": [TravellerForm.data_of(t) for t in records] + [{}] * (rows - len(records))}
    formdata = None if request.method == "GET" else request.form
    return TravellersForm(formdata=formdata, data=data, known=len(records), rows=rows)


def typed_rows(form: TravellersForm) -> list[dict | None]:
    return [None if entry.form.is_blank else entry.form.values() for entry in form.travellers.entries]


def render_travellers(stay: StayRequest, form: TravellersForm, *, back: str, staff: bool):
    status = 400 if form.errors else 200
    return render_template(
        "travellers/edit.html", stay=stay, form=form, back=back, staff=staff, missing=missing_details(stay)
    ), status


@bp.route("/requests/<token>/travellers", methods=["GET", "POST"])
@private_link
def requester_edit(token: str):
    """The requester completes the travellers' details, from the approval until the day of departure."""
    stay = stay_by_token(token) or abort(404)
    if not stay.requester_can_edit_travellers:
        flash(
            _("Les informations des voyageurs se complètent une fois le séjour confirmé, jusqu'au départ."),
            "info",
        )
        return redirect(url_for("bookings.show", token=stay.access_token), code=303)
    form = travellers_form(stay)
    if form.validate_on_submit():
        stay = lock_stay(stay.id) or abort(404)
        stay.update_travellers(typed_rows(form), by=None, actor_kind="requester")
        db.session.commit()
        flash(_("Informations des voyageurs enregistrées. Merci !"), "success")
        return redirect(url_for(".requester_edit", token=stay.access_token), code=303)
    return render_travellers(stay, form, back=url_for("bookings.show", token=stay.access_token), staff=False)


@bp.route("/staff/requests/<int:stay_id>/travellers", methods=["GET", "POST"])
@house_staff_required
def staff_edit(stay_id: int):
    """Staff and caretakers complete or correct the travellers' details of an open stay."""
    stay = db.get_or_404(StayRequest, stay_id)
    if not stay.can_see(current_user):
        abort(403)
    if not stay.can_edit_travellers(current_user):
        flash(_("Les voyageurs d'une demande close ne se modifient plus."), "error")
        return redirect(url_for("staff.request_detail", stay_id=stay.id), code=303)
    form = travellers_form(stay)
    if form.validate_on_submit():
        stay = lock_stay(stay.id) or abort(404)
        stay.update_travellers(typed_rows(form), by=current_user, actor_kind="staff")
        db.session.commit()
        flash(_("Informations des voyageurs enregistrées."), "success")
        return redirect(url_for("staff.request_detail", stay_id=stay.id, _anchor="voyageurs"), code=303)
    page = render_travellers(stay, form, back=url_for("staff.request_detail", stay_id=stay.id), staff=True)
    record_access(AccessKind.TRAVELLERS, [stay.reference])
    db.session.commit()
    return page

"""Changing an approved stay: asked by the requester, made or decided by staff."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..bookings.models import StayRequest, TransitionError
from ..bookings.operations import (
    BookingConflict,
    active_rooms,
    change_stay,
    house_capacity,
    lock_stay,
    room_choices,
    stay_by_token,
)
from ..database import begin_write
from ..extensions import db
from ..security.headers import private_link
from ..staff.access import staff_required
from ..staff.forms import ApproveForm
from ..staff.views import refuse_stale, render_request
from . import bp
from .forms import ChangeRequestForm, RefuseChangeForm, StayEditForm
from .models import ChangeRequest
from .operations import accept_change, pending_change


@bp.route("/requests/<token>/change", methods=["GET", "POST"])
@private_link
def ask(token: str):
    """The requester asks for other dates or travellers; the stay keeps its rooms meanwhile."""
    stay = stay_by_token(token) or abort(404)
    if not stay.requester_can_cancel:  # same window: approved, before arrival
        abort(404)
    form = ChangeRequestForm(obj=stay, capacity=house_capacity(), stay=stay)
    if form.validate_on_submit():
        stay = lock_stay(stay.id) or abort(404)
        try:
            if not stay.requester_can_cancel:  # cancelled or begun meanwhile
                raise TransitionError(stay.status)
            change = ChangeRequest.open(
                stay,
                arrival=form.arrival.data,
                departure=form.departure.data,
                guests=form.guests.data,
                travellers=(form.travellers.data or "").strip(),
                message=(form.message.data or "").strip(),
                pending=pending_change(stay),
            )
        except TransitionError:
            db.session.rollback()
            flash(_("Ce séjour ne peut plus être modifié : consultez son état ci-dessous."), "error")
            return redirect(url_for("bookings.show", token=stay.access_token), code=303)
        db.session.add(change)
        db.session.commit()
        flash(
            _(
                "Votre demande de modification est envoyée au service. Votre séjour reste réservé tel quel d'ici sa réponse."
            ),
            "success",
        )
        return redirect(url_for("bookings.show", token=stay.access_token), code=303)
    status = 400 if form.errors else 200
    return render_template("changes/ask.html", stay=stay, form=form, pending=pending_change(stay)), status


def edit_form(stay: StayRequest, **kwargs) -> StayEditForm:
    return StayEditForm(rooms=active_rooms(), guests=stay.guests, **kwargs)


@bp.route("/staff/requests/<int:stay_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(stay_id: int):
    """Staff move an approved stay to other dates, rooms or travellers (409 on a taken room)."""
    stay = db.get_or_404(StayRequest, stay_id)
    if not stay.can_change(current_user):
        abort(404)
    form = edit_form(stay)
    if not form.is_submitted():
        form = edit_form(
            stay,
            formdata=None,
            data={
                "arrival": stay.arrival,
                "departure": stay.departure,
                "guests_count": stay.guests,
                "travellers": stay.travellers,
                "rooms": [a.room_id for a in stay.assignments],
            },
        )
    elif form.validate():
        try:
            stay = lock_stay(stay_id) or abort(404)
            change_stay(
                stay,
                by=current_user,
                arrival=form.arrival.data,
                departure=form.departure.data,
                room_ids=form.rooms.data,
                guests=form.guests_count.data,
                travellers=(form.travellers.data or "").strip(),
                message=(form.message.data or "").strip(),
            )
        except BookingConflict as conflict:
            db.session.rollback()
            return render_edit(stay, form, 409, conflicts=conflict.conflicts)
        except TransitionError:
            db.session.rollback()
            abort(409)
        db.session.commit()
        flash(
            _("Séjour %(reference)s modifié ; le demandeur en est informé.", reference=stay.reference),
            "success",
        )
        return redirect(url_for("staff.request_detail", stay_id=stay.id), code=303)
    return render_edit(stay, form, 400 if form.errors else 200)


def render_edit(stay: StayRequest, form: StayEditForm, status: int, conflicts=()):
    """The edit page, each room with its beds and whether it is free on the nights in the form: the
    stay's own at first, after a submission the nights asked for (when they make a stay)."""
    start, end = form.arrival.data, form.departure.data
    if not (start and end and start < end):
        start, end = stay.arrival, stay.departure
    rooms = room_choices(stay, start, end)
    return render_template(
        "changes/edit.html", stay=stay, form=form, conflicts=conflicts, rooms=rooms, nights=(start, end)
    ), status


def locked_change(change_id: int) -> ChangeRequest:
    """The change request and its stay, loaded for a decision inside a write transaction."""
    begin_write()
    change = db.get_or_404(ChangeRequest, change_id)
    lock_stay(change.stay_id)
    return change


@bp.post("/staff/changes/<int:change_id>/accept")
@staff_required
def accept(change_id: int):
    """Apply a requested change with the chosen rooms, after the conflict check (409 on a taken room)."""
    change = locked_change(change_id)
    form = ApproveForm(rooms=active_rooms(), guests=change.guests)
    if not form.validate_on_submit():
        return render_request(change.stay, 400, accept_change_form=form)
    try:
        accept_change(
            change, by=current_user, room_ids=form.rooms.data, message=(form.message.data or "").strip()
        )
    except BookingConflict as conflict:
        db.session.rollback()
        return render_request(change.stay, 409, accept_change_form=form, conflicts=conflict.conflicts)
    except TransitionError:
        db.session.rollback()
        return refuse_stale(change.stay)
    db.session.commit()
    flash(_("Modification acceptée ; le demandeur en est informé."), "success")
    return redirect(url_for("staff.request_detail", stay_id=change.stay_id), code=303)


@bp.post("/staff/changes/<int:change_id>/refuse")
@staff_required
def refuse(change_id: int):
    """Refuse a requested change with a message; the stay stays as it was."""
    change = locked_change(change_id)
    form = RefuseChangeForm()
    if not form.validate_on_submit():
        return render_request(change.stay, 400, refuse_change_form=form)
    try:
        change.refuse(by=current_user, message=form.message.data.strip())
    except TransitionError:
        db.session.rollback()
        return refuse_stale(change.stay)
    db.session.commit()
    flash(_("Modification refusée ; le demandeur en est informé."), "success")
    return redirect(url_for("staff.request_detail", stay_id=change.stay_id), code=303)

"""What staff enter themselves: a stay for someone who did not use the form, and notes for each other."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access_log.models import AccessKind
from ..access_log.operations import record_access
from ..bookings.choices import StayStatus
from ..bookings.operations import BookingConflict, Conflict, active_rooms, house_capacity, lock_stay
from ..extensions import db
from ..house.models import house_settings
from ..rooms.models import Room
from . import bp
from .access import house_staff_required, staff_required
from .forms import NoteForm, StaffStayForm
from .operations import enter_stay
from .views import render_request


def render_new(form: StaffStayForm, rooms: list[Room], status: int = 200, conflicts: list[Conflict] = ()):
    """The form, each room with what holds it on the nights asked (known once a submission was refused)."""
    return render_template(
        "staff/new_request.html",
        form=form,
        rooms=[(room, [c for c in conflicts if c.room.id == room.id]) for room in rooms],
        conflicts=conflicts,
        capacity=form.capacity,
        settings=house_settings(),
    ), status


@bp.route("/requests/new", methods=["GET", "POST"])
@staff_required
def new_request():
    """Enter a stay for a delegation or a caller; rooms ticked approve it in the same step (409 if taken)."""
    rooms = active_rooms()
    form = StaffStayForm(rooms=rooms, capacity=house_capacity())
    if not form.validate_on_submit():
        return render_new(form, rooms, 400 if request.method == "POST" else 200)
    try:
        stay = enter_stay(form, by=current_user)
    except BookingConflict as conflict:
        db.session.rollback()
        return render_new(form, rooms, 409, conflict.conflicts)
    # Read before the commit expires them: no query to read them again.
    reference, stay_id, approved = stay.reference, stay.id, stay.status == StayStatus.APPROVED
    mailed = bool(stay.contact_email)
    db.session.commit()
    if approved:
        flash(_("Séjour %(reference)s saisi et confirmé.", reference=reference), "success")
    else:
        flash(_("Demande %(reference)s saisie ; elle attend des chambres.", reference=reference), "success")
    if not mailed:
        flash(
            _("Aucune adresse e-mail : le demandeur ne recevra aucun message. Prévenez-le vous-même."), "info"
        )
    return redirect(url_for(".request_detail", stay_id=stay_id), code=303)


@bp.post("/requests/<int:stay_id>/notes")
@house_staff_required
def add_note(stay_id: int):
    """Leave a note for the other staff members (caretakers too, on the stays they see); the requester
    never sees it."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_see(current_user):
        abort(403)
    if stay.anonymised_at is not None:
        flash(_("Les données de cette demande ont été effacées : elle ne reçoit plus de notes."), "error")
        return render_request(stay, 409)
    form = NoteForm()
    if not form.validate_on_submit():
        page = render_request(stay, 400, note_form=form)
        # The request's details are shown again: the viewing is recorded, as on the request's page.
        record_access(AccessKind.REQUEST, [stay.reference])
        db.session.commit()
        return page
    stay.add_note(by=current_user, body=form.body.data.strip())
    db.session.commit()
    flash(_("Note enregistrée."), "success")
    return redirect(url_for(".request_detail", stay_id=stay_id, _anchor="notes"), code=303)

"""The staff dashboard and the decisions on a stay request and on its changes."""

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from ..access_log.models import AccessKind
from ..access_log.operations import record_access
from ..bookings.changes import ChangeRequest
from ..bookings.choices import StayStatus
from ..bookings.lists import (
    RequestFilters,
    pending_changes,
    pending_overview,
    search_requests,
    upcoming_approved,
)
from ..bookings.models import StayRequest, TransitionError
from ..bookings.operations import (
    BookingConflict,
    accept_change_request,
    active_rooms,
    approve_stay,
    change_stay,
    load_history,
    lock_stay,
    pending_change,
    room_choices,
)
from ..bookings.travellers import missing_details
from ..cache import kept
from ..calendar.models import current_feed_version
from ..closing.waitlist import offer_freed_beds
from ..database import begin_write, today
from ..extensions import db
from ..i18n import language
from ..urls import MAX_ID
from ..views import refuse_stale
from . import bp
from .access import house_staff_required, staff_required
from .forms import ApproveForm, NoteForm, ReasonForm, RefuseChangeForm, RequestFilterForm, StayEditForm
from .operations import notes_of


@bp.route("/")
@staff_required
def dashboard():
    """Pending requests first, with what they collide with, then the coming approved stays."""
    limit = current_app.config["DASHBOARD_PAGE_SIZE"]
    # Kept: building the lists takes about 30 ms of CPU, over the page budget at 10 clients
    # (docs/performance.md); they are the same for every staff member, and kept by data version.
    key = ("staff.dashboard", today(), language(), limit)
    return render_template(
        "staff/dashboard.html",
        lists=kept(current_feed_version().version, key, partial(dashboard_lists, limit)),
    )


def dashboard_lists(limit: int) -> Markup:
    """The dashboard's lists: pending requests with what they collide with, changes asked, coming stays."""
    pending_count, pending = pending_overview(limit)
    change_count, changes = pending_changes(limit)
    # Markup: the HTML comes from an autoescaping template, so every value in it is already escaped.
    return Markup(  # noqa: S704  # nosec B704
        render_template(
            "staff/_dashboard_lists.html",
            pending_count=pending_count,
            pending=pending,
            upcoming=upcoming_approved(today(), limit),
            change_count=change_count,
            changes=changes,
            today=today(),
        )
    )


@bp.route("/requests")
@staff_required
def requests():
    """All requests, searchable and filtered by state, period and organisation, a page at a time."""
    form = RequestFilterForm(request.args)
    filters = RequestFilters()
    if form.validate():
        filters = RequestFilters(
            q=form.q.data or "",
            status=form.status.data or "",
            organisation_type=form.organisation_type.data or "",
            start=form.start.data,
            end=form.end.data,
        )
    number = request.args.get("page", 1, type=int)
    if number > MAX_ID:  # no list is that long, and its offset would overflow the database's integers
        abort(404)
    page = db.paginate(
        search_requests(filters),
        page=number,
        per_page=current_app.config["REQUESTS_PAGE_SIZE"],
        error_out=False,
    )
    args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("staff/requests.html", form=form, page=page, args=args)


def render_request(stay: StayRequest, status: int = 200, **forms):
    """The staff page of a request, with the forms of the actions open in its state."""
    load_history(stay)
    choices = room_choices(stay)
    rooms = [room for room, _conflicts in choices]
    change = pending_change(stay) if stay.status == StayStatus.APPROVED else None
    forms.setdefault("approve_form", ApproveForm(rooms=rooms, guests=stay.guests, formdata=None))
    forms.setdefault("reject_form", ReasonForm(formdata=None))
    forms.setdefault("cancel_form", ReasonForm(formdata=None))
    forms.setdefault("note_form", NoteForm(formdata=None))
    if change is not None:
        current = [a.room_id for a in stay.assignments]
        forms.setdefault(
            "accept_change_form",
            ApproveForm(rooms=rooms, guests=change.guests, formdata=None, data={"rooms": current}),
        )
        forms.setdefault("refuse_change_form", RefuseChangeForm(formdata=None))
    # A change is decided on its own nights: which rooms are free then.
    change_rooms = room_choices(stay, change.arrival, change.departure) if change is not None else []
    return (
        render_template(
            "staff/request.html",
            stay=stay,
            rooms=choices,
            change=change,
            change_rooms=change_rooms,
            notes=notes_of(stay),
            missing=missing_details(stay),
            **forms,
        ),
        status,
    )


@bp.route("/requests/<int:stay_id>")
@house_staff_required
def request_detail(stay_id: int):
    """All details of a request, its history and the actions open to this member (caretakers: stays
    only); the access is recorded."""
    stay = db.get_or_404(StayRequest, stay_id)
    if not stay.can_see(current_user):
        abort(403)
    page = render_request(stay)
    record_access(AccessKind.REQUEST, [stay.reference])
    db.session.commit()
    return page


@bp.post("/requests/<int:stay_id>/approve")
@staff_required
def approve(stay_id: int):
    """Approve a pending request with the chosen rooms (409 if one is taken or closed)."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_approve(current_user):
        return refuse_stale(stay, render_request)
    form = ApproveForm(rooms=active_rooms(), guests=stay.guests)
    if not form.validate_on_submit():
        return render_request(stay, 400, approve_form=form)
    try:
        approve_stay(stay, by=current_user, room_ids=form.rooms.data, message=form.message.data)
    except BookingConflict as conflict:
        db.session.rollback()
        return render_request(stay, 409, approve_form=form, conflicts=conflict.conflicts)
    except TransitionError:
        db.session.rollback()
        return refuse_stale(stay, render_request)
    db.session.commit()
    flash(_("Séjour %(reference)s confirmé.", reference=stay.reference), "success")
    return redirect(url_for(".request_detail", stay_id=stay.id), code=303)


@bp.post("/requests/<int:stay_id>/reject")
@staff_required
def reject(stay_id: int):
    """Refuse a pending request, with a reason."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_reject(current_user):
        return refuse_stale(stay, render_request)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_request(stay, 400, reject_form=form)
    stay.reject(by=current_user, reason=form.reason.data.strip())
    db.session.commit()
    flash(_("Demande %(reference)s refusée.", reference=stay.reference), "success")
    return redirect(url_for(".request_detail", stay_id=stay.id), code=303)


@bp.post("/requests/<int:stay_id>/cancel")
@staff_required
def cancel(stay_id: int):
    """Cancel an approved stay, with a reason; its rooms are freed (a pending request is refused)."""
    stay = lock_stay(stay_id) or abort(404)
    if stay.status == StayStatus.PENDING:
        flash(
            _("Une demande en attente se refuse\u00a0: l'annulation concerne les séjours confirmés."), "error"
        )
        return render_request(stay, 409)
    if not stay.can_cancel(current_user):
        return refuse_stale(stay, render_request)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_request(stay, 400, cancel_form=form)
    stay.cancel(by=current_user, reason=form.reason.data.strip())
    offer_freed_beds()
    db.session.commit()
    flash(_("Séjour %(reference)s annulé.", reference=stay.reference), "success")
    return redirect(url_for(".request_detail", stay_id=stay.id), code=303)


@bp.post("/requests/<int:stay_id>/revoke-link")
@staff_required
def revoke_link(stay_id: int):
    """Replace the requester's private link; the old one answers 404 from now on."""
    stay = lock_stay(stay_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    stay.revoke_link(by=current_user)
    db.session.commit()
    flash(
        _(
            "Le lien privé de %(reference)s a été remplacé ; l'ancien ne fonctionne plus.",
            reference=stay.reference,
        ),
        "success",
    )
    return redirect(url_for(".request_detail", stay_id=stay.id), code=303)


def edit_form(stay: StayRequest, **kwargs) -> StayEditForm:
    return StayEditForm(rooms=active_rooms(), guests=stay.guests, **kwargs)


@bp.route("/requests/<int:stay_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_stay(stay_id: int):
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
        offer_freed_beds()  # shorter, or fewer rooms: beds the waiting list may want
        db.session.commit()
        flash(
            _("Séjour %(reference)s modifié ; le demandeur en est informé.", reference=stay.reference),
            "success",
        )
        return redirect(url_for(".request_detail", stay_id=stay.id), code=303)
    return render_edit(stay, form, 400 if form.errors else 200)


def render_edit(stay: StayRequest, form: StayEditForm, status: int, conflicts=()):
    """The edit page, each room with its beds and whether it is free on the nights in the form: the
    stay's own at first, after a submission the nights asked for (when they make a stay)."""
    start, end = form.arrival.data, form.departure.data
    if not (start and end and start < end):
        start, end = stay.arrival, stay.departure
    rooms = room_choices(stay, start, end)
    return render_template(
        "staff/edit.html", stay=stay, form=form, conflicts=conflicts, rooms=rooms, nights=(start, end)
    ), status


def locked_change(change_id: int) -> ChangeRequest:
    """The change request and its stay, loaded for a decision inside a write transaction."""
    begin_write()
    change = db.get_or_404(ChangeRequest, change_id)
    lock_stay(change.stay_id)
    return change


@bp.post("/changes/<int:change_id>/accept")
@staff_required
def accept_change(change_id: int):
    """Apply a requested change with the chosen rooms, after the conflict check (409 on a taken room)."""
    change = locked_change(change_id)
    form = ApproveForm(rooms=active_rooms(), guests=change.guests)
    if not form.validate_on_submit():
        return render_request(change.stay, 400, accept_change_form=form)
    try:
        accept_change_request(
            change, by=current_user, room_ids=form.rooms.data, message=(form.message.data or "").strip()
        )
    except BookingConflict as conflict:
        db.session.rollback()
        return render_request(change.stay, 409, accept_change_form=form, conflicts=conflict.conflicts)
    except TransitionError:
        db.session.rollback()
        return refuse_stale(change.stay, render_request)
    offer_freed_beds()
    db.session.commit()
    flash(_("Modification acceptée ; le demandeur en est informé."), "success")
    return redirect(url_for(".request_detail", stay_id=change.stay_id), code=303)


@bp.post("/changes/<int:change_id>/refuse")
@staff_required
def refuse_change(change_id: int):
    """Refuse a requested change with a message; the stay stays as it was."""
    change = locked_change(change_id)
    form = RefuseChangeForm()
    if not form.validate_on_submit():
        return render_request(change.stay, 400, refuse_change_form=form)
    try:
        change.refuse(by=current_user, message=form.message.data.strip())
    except TransitionError:
        db.session.rollback()
        return refuse_stale(change.stay, render_request)
    db.session.commit()
    flash(_("Modification refusée ; le demandeur en est informé."), "success")
    return redirect(url_for(".request_detail", stay_id=change.stay_id), code=303)

"""The staff dashboard and the decisions on a stay request."""

from functools import partial

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from ..bookings.choices import StayStatus
from ..bookings.models import StayRequest, TransitionError
from ..bookings.operations import (
    BookingConflict,
    RequestFilters,
    active_rooms,
    approve_stay,
    load_history,
    lock_stay,
    pending_overview,
    room_choices,
    search_requests,
    upcoming_approved,
)
from ..bookings.travellers import missing_details
from ..changes.forms import RefuseChangeForm
from ..changes.operations import pending_change, pending_changes
from ..database import today
from ..extensions import db
from ..pagecache import cached
from ..urls import MAX_ID
from . import bp
from .access import house_staff_required, staff_required
from .forms import ApproveForm, ReasonForm, RequestFilterForm


@bp.route("/")
@staff_required
def dashboard():
    """Pending requests first, with what they collide with, then the coming approved stays."""
    limit = current_app.config["DASHBOARD_PAGE_SIZE"]
    lists = cached("staff.dashboard", partial(dashboard_lists, limit), limit)
    return render_template("staff/dashboard.html", lists=lists)


def dashboard_lists(limit: int) -> Markup:
    """The dashboard's lists: the same for every staff member, so rendered once per data version."""
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
            missing=missing_details(stay),
            **forms,
        ),
        status,
    )


@bp.route("/requests/<int:stay_id>")
@house_staff_required
def request_detail(stay_id: int):
    """All details of a request, its history and the actions open to this member (caretakers: stays only)."""
    stay = db.get_or_404(StayRequest, stay_id)
    if not stay.can_see(current_user):
        abort(403)
    return render_request(stay)


def refuse_stale(stay: StayRequest):
    flash(
        _(
            "Cette demande est désormais « %(status)s » : l'action n'est plus possible. "
            "Consultez son historique ci-dessous.",
            status=stay.status.label,
        ),
        "error",
    )
    return render_request(stay, 409)


@bp.post("/requests/<int:stay_id>/approve")
@staff_required
def approve(stay_id: int):
    """Approve a pending request with the chosen rooms (409 if one is taken or closed)."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_approve(current_user):
        return refuse_stale(stay)
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
        return refuse_stale(stay)
    db.session.commit()
    flash(_("Séjour %(reference)s confirmé.", reference=stay.reference), "success")
    return redirect(url_for(".request_detail", stay_id=stay.id), code=303)


@bp.post("/requests/<int:stay_id>/reject")
@staff_required
def reject(stay_id: int):
    """Refuse a pending request, with a reason."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_reject(current_user):
        return refuse_stale(stay)
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
    """Cancel a pending request or an approved stay, with a reason; its rooms are freed."""
    stay = lock_stay(stay_id) or abort(404)
    if not stay.can_cancel(current_user):
        return refuse_stale(stay)
    form = ReasonForm()
    if not form.validate_on_submit():
        return render_request(stay, 400, cancel_form=form)
    stay.cancel(by=current_user, reason=form.reason.data.strip())
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
            "Le lien privé de %(reference)s a été remplacé ; l'ancien ne fonctionne plus.",
            reference=stay.reference,
        ),
        "success",
    )
    return redirect(url_for(".request_detail", stay_id=stay.id), code=303)

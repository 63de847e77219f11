"""Public pages of a stay request: the form and the requester's private page."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import get_locale

from ..database import utcnow
from ..extensions import db
from ..security.headers import private_link
from ..security.throttling import public_form_limits
from . import bp
from .forms import StayRequestForm
from .models import StayRequest
from .operations import house_capacity, stay_by_token


@bp.route("/new", methods=["GET", "POST"])
@public_form_limits
def new():
    """Request a stay; partner sites may prefill the form through query parameters."""
    capacity = house_capacity()
    if request.method == "GET":
        form = StayRequestForm(formdata=request.args or None, capacity=capacity)
    else:
        form = StayRequestForm(capacity=capacity)
    if form.validate_on_submit():
        stay = StayRequest(rules_accepted_at=utcnow(), locale=str(get_locale() or "fr"))
        form.populate_obj(stay)
        stay.contact_email = stay.contact_email.strip()
        stay.submit()
        db.session.add(stay)
        db.session.flush()
        stay.assign_reference()
        db.session.commit()
        return redirect(url_for(".show", token=stay.access_token), code=303)
    status = 400 if request.method == "POST" else 200
    return render_template("bookings/new.html", form=form, capacity=capacity), status


@bp.route("/<token>")
@private_link
def show(token: str):
    """The requester's private page, reachable only through its unguessable link."""
    stay = stay_by_token(token)
    if stay is None:
        abort(404)
    return render_template("bookings/show.html", stay=stay)

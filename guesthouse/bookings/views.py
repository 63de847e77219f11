"""Public pages of a stay request: the form, the requester's private page and what it can do there."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..cache import kept
from ..calendar.models import current_feed_version
from ..closing.waitlist import offer_freed_beds
from ..database import today, utcnow
from ..extensions import db
from ..house.models import house_settings
from ..i18n import language
from ..legal import house_map_url
from ..mail.models import LinkRequest
from ..security.headers import private_link
from ..security.throttling import public_form_limits
from ..views import refuse_stale
from . import bp
from .changes import ChangeRequest
from .choices import StayStatus
from .forms import (
    ChangeRequestForm,
    CorrectionForm,
    LostLinkForm,
    RequesterCancelForm,
    RequesterReasonForm,
    StayRequestForm,
)
from .models import StayRequest, TransitionError
from .operations import house_capacity, lock_stay, pending_change, stay_by_token
from .travellers import missing_details


@bp.route("/new", methods=["GET", "POST"])
@public_form_limits
def new():
    """Request a stay; partner sites may prefill the form through query parameters."""
    if request.method == "GET" and not request.args:
        # Kept: rendering the form cost about 11 ms of CPU a page (make bench), over the page budget at
        # 10 clients. The blank form is the same for every visitor (its token is added by the page), and
        # it is kept by data version, which the rooms (the house's beds) and the house settings raise.
        key = ("bookings.new", language())
        form_html = kept(current_feed_version().version, key, blank_request_form)
        return render_template("bookings/new.html", request_form=form_html, failed=False)
    capacity = house_capacity()
    if request.method == "GET":
        form = StayRequestForm(formdata=request.args, capacity=capacity)
        form.check_dates()  # dates from the availability calendar: said before the form is sent
    else:
        form = StayRequestForm(capacity=capacity)
    if form.validate_on_submit():
        stay = StayRequest(rules_accepted_at=utcnow(), locale=language())
        form.populate_obj(stay)
        stay.contact_email = stay.contact_email.strip()
        stay.submit()
        db.session.add(stay)
        db.session.flush()
        stay.assign_reference()
        token = stay.access_token  # read before the commit expires it: no query to read it again
        db.session.commit()
        return redirect(url_for(".show", token=token), code=303)
    return render_request_form(form, capacity, 400 if request.method == "POST" else 200)


def render_request_form(form: StayRequestForm, capacity: int, status: int):
    page = render_template(
        "bookings/new.html", request_form=request_form_html(form, capacity), failed=bool(form.errors)
    )
    return page, status


def request_form_html(form: StayRequestForm, capacity: int) -> Markup:
    """The form and what surrounds it on its page, all but its CSRF token."""
    html = render_template(
        "bookings/_request_form.html", form=form, capacity=capacity, settings=house_settings()
    )
    # Markup: the HTML comes from an autoescaping template, so every value in it is already escaped.
    return Markup(html)  # noqa: S704  # nosec B704


def blank_request_form() -> Markup:
    capacity = house_capacity()
    return request_form_html(StayRequestForm(formdata=None, capacity=capacity), capacity)


# What a new request copies from an earlier one: who asks and for whom, never the dates nor the purpose.
COPIED_TO_NEW_REQUEST = (
    "contact_name",
    "contact_email",
    "contact_phone",
    "organisation",
    "organisation_type",
    "cooperation_axis",
    "angers_based",
    "guests",
    "travellers",
)


@bp.get("/<token>/again")
@private_link
def again(token: str):
    """The request form filled from an earlier request, behind its private link rather than in a URL."""
    stay = stay_by_token(token) or abort(404)
    capacity = house_capacity()
    data = {name: getattr(stay, name) for name in COPIED_TO_NEW_REQUEST}
    form = StayRequestForm(formdata=None, data=data, capacity=capacity)
    return render_request_form(form, capacity, 200)


@bp.route("/lost", methods=["GET", "POST"])
@public_form_limits
def lost_link():
    """Mail the links of an address's requests; the answer is the same whether it has any or not."""
    form = LostLinkForm()
    if form.validate_on_submit():
        # The same work whatever the address: the mail worker looks its requests up and writes the mail.
        db.session.add(LinkRequest(email=form.contact_email.data.strip()))
        db.session.commit()
        flash(
            _(
                "Si des demandes ont été faites avec cette adresse, un e-mail vient d'y être envoyé avec "
                "leurs liens. Pensez à regarder dans les indésirables."
            ),
            "success",
        )
        return redirect(url_for(".lost_link"), code=303)
    return render_template("bookings/lost.html", form=form), 400 if form.errors else 200


def render_stay(stay: StayRequest, status: int = 200, **forms):
    """The private page: the request, what the requester can do in its state, and once approved the guide."""
    forms.setdefault("withdraw_form", RequesterReasonForm(formdata=None))
    forms.setdefault("cancel_form", RequesterCancelForm(formdata=None))
    change = pending_change(stay) if stay.status == StayStatus.APPROVED else None
    missing = missing_details(stay) if stay.requester_can_edit_travellers else []
    return render_template(
        "bookings/show.html",
        stay=stay,
        pending_change=change,
        missing=missing,
        settings=house_settings(),
        map_url=house_map_url(),
        today=today(),
        **forms,
    ), status


@bp.route("/<token>")
@private_link
def show(token: str):
    """The requester's private page, reachable only through its unguessable link."""
    return render_stay(stay_by_token(token) or abort(404))


def locked_by_token(token: str) -> StayRequest:
    """The stay behind a private link, loaded for a change inside a write transaction."""
    found = stay_by_token(token) or abort(404)
    return lock_stay(found.id) or abort(404)


@bp.post("/<token>/withdraw")
@private_link
def withdraw(token: str):
    """The requester withdraws a pending request."""
    stay = locked_by_token(token)
    if not stay.requester_can_withdraw:
        return refuse_stale(stay, render_stay)
    form = RequesterReasonForm()
    if not form.validate_on_submit():
        return render_stay(stay, 400, withdraw_form=form)
    stay.withdraw(reason=(form.reason.data or "").strip())
    db.session.commit()
    flash(_("Votre demande %(reference)s est retirée.", reference=stay.reference), "success")
    return redirect(url_for(".show", token=stay.access_token), code=303)


@bp.route("/<token>/edit", methods=["GET", "POST"])
@private_link
def correct(token: str):
    """The requester corrects the dates, travellers or purpose of a request still pending."""
    stay = stay_by_token(token) or abort(404)
    if not stay.requester_can_correct:
        return refuse_stale(stay, render_stay) if request.method == "POST" else abort(404)
    form = CorrectionForm(obj=stay, capacity=house_capacity(), stay=stay)
    if form.validate_on_submit():
        stay = locked_by_token(token)
        if not stay.requester_can_correct:  # decided or withdrawn meanwhile
            return refuse_stale(stay, render_stay)
        try:
            stay.correct(
                arrival=form.arrival.data,
                departure=form.departure.data,
                guests=form.guests.data,
                travellers=(form.travellers.data or "").strip(),
                purpose=form.purpose.data.strip(),
            )
        except TransitionError:  # the same correction, saved from another tab meanwhile
            db.session.rollback()
            return redirect(url_for(".show", token=token), code=303)
        db.session.commit()
        flash(
            _("Votre demande est corrigée. Le service voit la nouvelle version et ce qui a changé."),
            "success",
        )
        return redirect(url_for(".show", token=stay.access_token), code=303)
    status = 400 if form.errors else 200
    return render_template("bookings/correct.html", stay=stay, form=form), status


@bp.post("/<token>/cancel")
@private_link
def cancel(token: str):
    """The requester cancels an approved stay, with a reason; its rooms are freed at once."""
    stay = locked_by_token(token)
    if not stay.requester_can_cancel:
        return refuse_stale(stay, render_stay)
    form = RequesterCancelForm()
    if not form.validate_on_submit():
        return render_stay(stay, 400, cancel_form=form)
    stay.cancel(by=None, reason=form.reason.data.strip(), actor_kind="requester")
    offer_freed_beds()
    db.session.commit()
    flash(_("Votre séjour %(reference)s est annulé.", reference=stay.reference), "success")
    return redirect(url_for(".show", token=stay.access_token), code=303)


@bp.post("/<token>/change/withdraw")
@private_link
def withdraw_change(token: str):
    """The requester takes back a change request staff have not answered; the stay stays as approved."""
    stay = locked_by_token(token)
    change = pending_change(stay) if stay.status == StayStatus.APPROVED else None
    if change is None:  # answered, or the stay cancelled, meanwhile
        flash(
            _("Aucune modification n'attend de réponse : votre séjour est tel qu'indiqué ci-dessous."),
            "error",
        )
        return render_stay(stay, 409)
    change.withdraw()
    db.session.commit()
    flash(
        _("Votre demande de modification est retirée : le séjour reste tel qu'il a été confirmé."), "success"
    )
    return redirect(url_for(".show", token=stay.access_token), code=303)


@bp.route("/<token>/change", methods=["GET", "POST"])
@private_link
def ask_change(token: str):
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
            flash(_("Ce séjour ne peut plus être modifié : consultez son état ci-dessous."), "error")
            return redirect(url_for(".show", token=stay.access_token), code=303)
        db.session.add(change)
        db.session.commit()
        flash(
            _(
                "Votre demande de modification est envoyée au service. Votre séjour reste réservé tel quel d'ici sa réponse."
            ),
            "success",
        )
        return redirect(url_for(".show", token=stay.access_token), code=303)
    status = 400 if form.errors else 200
    return render_template("bookings/change.html", stay=stay, form=form, pending=pending_change(stay)), status

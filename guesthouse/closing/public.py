"""The waiting lists' public pages: join one (from the request form), and leave it (from a mail)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..bookings.operations import house_capacity
from ..database import begin_write
from ..extensions import db
from ..i18n import language
from ..security.headers import private_link
from ..security.throttling import public_form_limits
from . import bp
from .forms import DatesWaitlistForm, WaitlistForm
from .models import WaitKind, WaitlistEntry
from .operations import dates_refusal
from .waitlist import entry_by_token, waiting


def joined():
    flash(
        _(
            "Votre inscription est enregistrée : vous recevrez un e-mail dès que possible. "
            "Chaque e-mail contient un lien pour quitter la liste."
        ),
        "success",
    )
    return redirect(url_for("main.home"), code=303)


def already_waiting(kind: WaitKind, email: str, **dates) -> bool:
    query = waiting(kind).where(sa.func.lower(WaitlistEntry.email) == email.lower())
    for name, value in dates.items():
        query = query.where(getattr(WaitlistEntry, name) == value)
    return db.session.scalar(query.limit(1)) is not None


@bp.route("/waitlist/dates", methods=["GET", "POST"])
@public_form_limits
def join_dates():
    """Wait for beds on nights that are full: an e-mail when enough free up."""
    capacity = house_capacity()
    if request.method == "GET":
        # Opened from the request form with its dates: the fields come prefilled.
        form = DatesWaitlistForm(formdata=request.args or None, capacity=capacity, locale=language())
    else:
        form = DatesWaitlistForm(capacity=capacity)
    if form.validate_on_submit():
        arrival, departure, guests = form.arrival.data, form.departure.data, form.guests.data
        if dates_refusal(arrival, departure, guests) is None:
            form.arrival.errors.append(
                _("Ces nuits ont assez de lits libres : envoyez directement votre demande de séjour.")
            )
        else:
            email = form.email.data.strip()
            if not already_waiting(WaitKind.DATES, email, arrival=arrival, departure=departure):
                db.session.add(
                    WaitlistEntry(
                        kind=WaitKind.DATES.value,
                        contact_name=(form.contact_name.data or "").strip(),
                        email=email,
                        locale=form.locale.data,
                        arrival=arrival,
                        departure=departure,
                        guests=guests,
                    )
                )
                db.session.commit()
            return joined()
    status = 400 if request.method == "POST" else 200
    return render_template("closing/join_dates.html", form=form), status


@bp.route("/waitlist/reopening", methods=["GET", "POST"])
@public_form_limits
def join_reopening():
    """Ask for one e-mail when the suspended house reopens."""
    if request.method == "GET":
        form = WaitlistForm(formdata=None, locale=language())
    else:
        form = WaitlistForm()
    if form.validate_on_submit():
        email = form.email.data.strip()
        if not already_waiting(WaitKind.REOPENING, email):
            db.session.add(
                WaitlistEntry(
                    kind=WaitKind.REOPENING.value,
                    contact_name=(form.contact_name.data or "").strip(),
                    email=email,
                    locale=form.locale.data,
                )
            )
            db.session.commit()
        return joined()
    status = 400 if request.method == "POST" else 200
    return render_template("closing/join_reopening.html", form=form), status


@bp.route("/waitlist/<token>")
@private_link
def waitlist_entry(token: str):
    """What one waits for, and the button to leave the list (the link in every waiting-list mail)."""
    entry = entry_by_token(token) or abort(404)
    return render_template("closing/entry.html", entry=entry)


@bp.post("/waitlist/<token>/leave")
@private_link
def leave_waitlist(token: str):
    """Leave a waiting list: the entry is deleted at once."""
    begin_write()
    entry = entry_by_token(token) or abort(404)
    db.session.delete(entry)
    db.session.commit()
    flash(_("Vous avez quitté la liste d'attente : vous ne recevrez plus d'e-mail à ce sujet."), "success")
    return redirect(url_for("main.home"), code=303)

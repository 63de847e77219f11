"""One message to every stay concerned by a closure: choose the dates, write once, preview, confirm."""

from __future__ import annotations

import hashlib

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..bookings.choices import StayStatus
from ..bookings.models import StayRequest
from ..database import begin_write
from ..extensions import db
from ..staff.access import admin_required
from . import bp
from .forms import NotifyForm, StaysWindowForm
from .operations import (
    already_told,
    load_for_notice,
    message_digest,
    message_for,
    notify_stays,
    stays_concerned,
)


def confirmation_of(action: str, digest: str, stays: list[StayRequest]) -> str:
    """What the preview showed: the action, the message and who gets it; any change asks again."""
    ids = ",".join(str(stay.id) for stay in sorted(stays, key=lambda stay: stay.id))
    return hashlib.sha256(f"{action}|{digest}|{ids}".encode()).hexdigest()[:40]


def render_notify(window: StaysWindowForm, form: NotifyForm, status: int = 200, preview: bool = False):
    start, end = window.start.data, window.end.data
    stays = stays_concerned(start, end) if start and not window.errors else []
    told = already_told(stays, message_digest(form.message_fr.data or "", form.message_en.data or ""))
    recipients = [stay for stay in stays if stay.id not in told]
    messages = {
        stay.id: message_for(stay, form.message_fr.data or "", form.message_en.data or "") for stay in stays
    }
    digest = message_digest(form.message_fr.data or "", form.message_en.data or "")
    return render_template(
        "closing/notify.html",
        window=window,
        form=form,
        stays=stays,
        approved=sum(stay.status == StayStatus.APPROVED for stay in stays),
        pending=sum(stay.status == StayStatus.PENDING for stay in stays),
        recipients=recipients,
        told=told,
        messages=messages,
        preview=preview,
        confirmation=confirmation_of(form.action.data, digest, recipients) if preview else "",
    ), status


@bp.get("/staff/stays/notify")
@admin_required
def notify():
    """The stays and requests from a date (to another), with counts, and the message to write."""
    window = StaysWindowForm(request.args if "start" in request.args else None)
    if "start" in request.args:
        window.validate()
    start, end = window.start.data, window.end.data
    form = NotifyForm(
        formdata=None,
        start=start.isoformat() if start and not window.errors else "",
        end=end.isoformat() if end and not window.errors else "",
    )
    return render_notify(window, form, 400 if window.errors else 200)


@bp.post("/staff/stays/notify")
@admin_required
def send_notice():
    """Preview who gets what; once confirmed, tell (or cancel) them all in one transaction."""
    form = NotifyForm()
    window = StaysWindowForm()  # the dates the page was opened with, sent back as hidden fields
    if not (window.validate() and form.validate_on_submit()):
        return render_notify(window, form, 400)
    digest = message_digest(form.message_fr.data, form.message_en.data)
    asked = form.confirm.data
    begin_write()  # the check and the change see the same stays
    stays = stays_concerned(window.start.data, window.end.data)
    recipients = [stay for stay in stays if stay.id not in already_told(stays, digest)]
    if asked != confirmation_of(form.action.data, digest, recipients):
        db.session.rollback()
        if asked:
            flash(
                _("La liste des séjours a changé depuis l'aperçu : vérifiez-la, puis confirmez de nouveau."),
                "warning",
            )
        return render_notify(window, form, 409 if asked else 200, preview=True)
    cancel = form.action.data == "cancel"
    count = notify_stays(
        load_for_notice([stay.id for stay in recipients]),
        by=current_user,
        message_fr=form.message_fr.data,
        message_en=form.message_en.data,
        cancel=cancel,
    )
    db.session.commit()
    if cancel:
        text = ngettext(
            "%(num)s séjour annulé ; son demandeur reçoit le message.",
            "%(num)s séjours annulés ; chaque demandeur reçoit le message.",
            count,
        )
    else:
        text = ngettext(
            "%(num)s demandeur reçoit le message.", "%(num)s demandeurs reçoivent le message.", count
        )
    flash(text, "success")
    end = window.end.data
    return redirect(
        url_for(".notify", start=window.start.data.isoformat(), end=end.isoformat() if end else None),
        code=303,
    )

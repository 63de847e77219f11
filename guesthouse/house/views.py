"""The admin page for the house rules."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..bookings.operations import house_capacity
from ..extensions import db
from ..staff.access import admin_required
from . import bp
from .forms import HouseSettingsForm
from .models import house_settings


@bp.route("/", methods=["GET", "POST"])
@admin_required
def edit():
    """Booking limits, check-in and check-out times, rules and practical information."""
    settings = house_settings()
    form = HouseSettingsForm(obj=settings)
    if form.validate_on_submit():
        form.populate_obj(settings)
        settings.updated_by_id = current_user.id
        db.session.add(settings)
        db.session.commit()
        flash(_("Règles de la maison enregistrées."), "success")
        return redirect(url_for(".edit"), code=303)
    status = 400 if form.errors else 200
    return render_template("house/edit.html", form=form, capacity=house_capacity()), status

"""Admin pages for rooms and closures."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..bookings.lists import collisions
from ..closing.waitlist import offer_freed_beds, offer_reopening
from ..database import begin_write, today
from ..extensions import db
from ..staff.access import admin_required
from . import bp
from .forms import ClosureForm, RoomForm
from .models import Closure, Room


def all_rooms() -> list[Room]:
    return list(db.session.scalars(sa.select(Room).order_by(Room.name)))


def name_taken(name: str, room_id: int | None = None) -> bool:
    name = name.strip()
    # SQLite's lower() folds ASCII only: the exact name is checked too, as the unique constraint does.
    query = sa.select(Room.id).where(sa.or_(Room.name == name, sa.func.lower(Room.name) == name.lower()))
    if room_id is not None:
        query = query.where(Room.id != room_id)
    return db.session.scalar(query) is not None


@bp.route("/rooms", methods=["GET", "POST"])
@admin_required
def rooms():
    """List the rooms and add one."""
    form = RoomForm()
    if form.validate_on_submit():
        if name_taken(form.name.data):
            form.name.errors.append(_("Une chambre porte déjà ce nom : choisissez-en un autre."))
        else:
            room = Room(
                name=form.name.data.strip(),
                beds=form.beds.data,
                description=form.description.data or "",
                active=form.active.data,
            )
            db.session.add(room)
            db.session.commit()
            flash(_("Chambre « %(name)s » ajoutée.", name=room.name), "success")
            return redirect(url_for(".rooms"), code=303)
    status = 400 if form.errors else 200
    return render_template("rooms/rooms.html", rooms=all_rooms(), form=form), status


@bp.route("/rooms/<int:room_id>", methods=["GET", "POST"])
@admin_required
def edit_room(room_id: int):
    """Rename a room, change its beds or take it out of booking."""
    room = db.get_or_404(Room, room_id)
    form = RoomForm(obj=room)
    if form.validate_on_submit():
        if name_taken(form.name.data, room.id):
            form.name.errors.append(_("Une chambre porte déjà ce nom : choisissez-en un autre."))
        else:
            form.populate_obj(room)
            room.name = room.name.strip()
            offer_freed_beds()  # a room reopened, or given more beds
            db.session.commit()
            flash(_("Chambre « %(name)s » enregistrée.", name=room.name), "success")
            return redirect(url_for(".rooms"), code=303)
    status = 400 if form.errors else 200
    return render_template("rooms/edit.html", room=room, form=form), status


def upcoming_closures() -> list[Closure]:
    limit = current_app.config["DASHBOARD_PAGE_SIZE"]
    return list(
        db.session.scalars(
            sa.select(Closure)
            .where(Closure.end_date > today())
            .order_by(Closure.start_date, Closure.id)
            .limit(limit)
            .options(sa.orm.selectinload(Closure.room))
        )
    )


@bp.route("/closures", methods=["GET", "POST"])
@admin_required
def closures():
    """Upcoming closures and the stays they collide with; a new one that collides is confirmed first."""
    form = ClosureForm(rooms=all_rooms())
    if form.validate_on_submit():
        begin_write()
        closure = Closure(
            room_id=form.room_id_value,
            start_date=form.start_date.data,
            end_date=form.end_date.data,
            reason=form.reason.data.strip(),
            created_by_id=current_user.id,
        )
        colliding = collisions([closure])[closure.id]
        # The confirmation holds for the stays it showed: other dates or rooms are asked again.
        if colliding and form.confirm.data != confirmation_of(closure, colliding):
            db.session.rollback()
            return render_closures(
                form, 409, colliding=colliding, confirmation=confirmation_of(closure, colliding)
            )
        db.session.add(closure)
        db.session.commit()
        flash(_("Fermeture enregistrée."), "success")
        if colliding:
            flash(
                ngettext(
                    "%(num)s séjour confirmé tombe pendant cette fermeture : %(refs)s. "
                    "Modifiez-le ou annulez-le depuis sa page.",
                    "%(num)s séjours confirmés tombent pendant cette fermeture : %(refs)s. "
                    "Modifiez-les ou annulez-les depuis leur page.",
                    len(colliding),
                    refs=", ".join(s.reference for s in colliding),
                ),
                "warning",
            )
        return redirect(url_for(".closures"), code=303)
    return render_closures(form, 400 if form.errors else 200)


def confirmation_of(closure: Closure, colliding) -> str:
    """What the confirmation step showed: the closure asked for and the stays it falls on."""
    stays = ",".join(str(stay.id) for stay in sorted(colliding, key=lambda stay: stay.id))
    return f"{closure.room_id or 'house'}|{closure.start_date}|{closure.end_date}|{stays}"


def render_closures(form: ClosureForm, status: int, colliding=(), confirmation: str = ""):
    listed = upcoming_closures()
    return render_template(
        "rooms/closures.html",
        closures=listed,
        collisions=collisions(listed),
        form=form,
        colliding=colliding,
        confirmation=confirmation,
    ), status


@bp.post("/closures/<int:closure_id>/delete")
@admin_required
def delete_closure(closure_id: int):
    """Reopen what a closure had closed, once confirmed on a page saying what reopens."""
    closure = db.get_or_404(Closure, closure_id)
    # Two steps, without JavaScript: the closures page's button asks, this page's button confirms.
    if request.form.get("confirm") != "yes":
        return render_template("rooms/delete_closure.html", closure=closure)
    lifted = closure.is_suspension
    db.session.delete(closure)
    db.session.flush()
    if lifted:  # a suspension deleted here is lifted as from its own page
        offer_reopening()
    offer_freed_beds()
    db.session.commit()
    flash(_("Fermeture supprimée."), "success")
    return redirect(url_for(".closures"), code=303)

"""The planning board: who sleeps where, what waits for rooms, what is closed, what is free."""

from datetime import timedelta

from flask import render_template, request

from ..database import today
from ..errors import render_error
from . import bp
from .access import house_staff_required
from .forms import PlanningForm
from .planning import build_board, monday_of

DEFAULT_WEEKS = 4


@bp.route("/planning")
@house_staff_required
def planning():
    """Rooms by nights from `start` (Monday of this week) for `weeks` weeks (4); a bad value is a 400."""
    form = PlanningForm(request.args)
    if not form.validate():
        return render_error(400, " ".join(str(error) for errors in form.errors.values() for error in errors))
    start = form.start.data or monday_of(today())
    weeks = form.weeks.data or DEFAULT_WEEKS
    board = build_board(start, weeks, today())
    step = timedelta(weeks=weeks)
    return render_template(
        "staff/planning.html",
        board=board,
        form=form,
        today=today(),
        earlier=start - step,
        later=start + step,
    )

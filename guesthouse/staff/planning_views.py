"""The planning board: who sleeps where, what waits for rooms, what is closed, what is free."""

from datetime import date, timedelta

from flask import render_template, request
from flask_login import current_user
from markupsafe import Markup

from ..cache import kept
from ..calendar.models import current_feed_version
from ..database import today
from ..errors import render_error
from ..i18n import language
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
    # Kept: the table cost about 16 ms of CPU a page (make bench), over the page budget at 10 clients;
    # it is the same for every member of a kind (caretakers do not see the requests waiting for rooms),
    # and kept by data version (staff notes raise it too).
    with_pending = current_user.is_staff
    key = ("staff.planning", today(), language(), start, weeks, with_pending)
    step = timedelta(weeks=weeks)
    return render_template(
        "staff/planning.html",
        table=kept(
            current_feed_version().version, key, lambda: board_table(start, weeks, today(), with_pending)
        ),
        form=form,
        start=start,
        weeks=weeks,
        earlier=start - step,
        later=start + step,
    )


def board_table(start: date, weeks: int, day: date, with_pending: bool) -> Markup:
    """The board's table: rooms by nights, what waits for rooms, free rooms and beds."""
    board = build_board(start, weeks, day, with_pending=with_pending)
    # Markup: the HTML comes from an autoescaping template, so every value in it is already escaped.
    return Markup(render_template("staff/_planning_board.html", board=board, today=day))  # noqa: S704  # nosec B704

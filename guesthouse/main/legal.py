"""What the law asks of a municipality's site: the accessibility statement and the legal notice."""

from flask import render_template

from ..legal import accessibility_status, statement_date
from . import bp


@bp.route("/accessibilite")
def accessibility():
    """The accessibility statement, on the RGAA model."""
    return render_template("main/accessibility.html", status=accessibility_status(), date=statement_date())


@bp.route("/mentions-legales")
def legal_notice():
    """Who publishes the site, who answers for it, who hosts it, and how to reach the service."""
    return render_template("main/legal_notice.html")

"""The facts the legal pages, the footer and the private page take from the settings."""

from datetime import date
from urllib.parse import quote_plus

from flask import current_app
from flask_babel import lazy_gettext as _l

# The three statuses of the RGAA statement, as the footer and the statement word them.
ACCESSIBILITY_STATUSES = {
    "none": _l("non conforme"),
    "partial": _l("partiellement conforme"),
    "full": _l("totalement conforme"),
}


def accessibility_status() -> str:
    """The configured status; an unknown value claims nothing ("none") rather than conformity."""
    status = current_app.config["ACCESSIBILITY_STATUS"]
    return status if status in ACCESSIBILITY_STATUSES else "none"


def statement_date() -> date | None:
    try:
        return date.fromisoformat(current_app.config["ACCESSIBILITY_STATEMENT_DATE"])
    except ValueError:
        return None


def house_map_url() -> str:
    """HOUSE_MAP_URL, or an OpenStreetMap search of the house's address."""
    config = current_app.config
    return config["HOUSE_MAP_URL"] or (
        "https://www.openstreetmap.org/search?query=" + quote_plus(config["HOUSE_ADDRESS"])
    )

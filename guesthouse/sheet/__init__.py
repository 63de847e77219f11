from flask import Blueprint

# The house's daily sheet, and the arrivals, departures and no-shows recorded from it.
bp = Blueprint("sheet", __name__, url_prefix="/staff")

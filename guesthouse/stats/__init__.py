"""Activity reports for the international relations service: figures, charts and CSV exports."""

from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/staff/stats")

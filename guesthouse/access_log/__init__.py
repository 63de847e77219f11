"""Who read whose details: one record per staff page that shows a person's data, browsed by admins."""

from flask import Blueprint

bp = Blueprint("access_log", __name__, url_prefix="/staff")

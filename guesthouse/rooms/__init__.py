from flask import Blueprint

bp = Blueprint("rooms", __name__, url_prefix="/staff")

from flask import Blueprint

bp = Blueprint("house", __name__, url_prefix="/staff/house")

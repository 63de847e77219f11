"""Staff accounts: each member's password, and the admins' management of the accounts."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/staff")

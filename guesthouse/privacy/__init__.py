"""Personal data: the privacy notice, retention (purge), and export or erasure on request."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

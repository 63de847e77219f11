from flask import Blueprint

# The travellers' details: the requester's page behind the private link, and the staff's page.
bp = Blueprint("travellers", __name__)

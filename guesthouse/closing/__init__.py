from flask import Blueprint

# When the house must close: the notice on every page, the suspension, the message to every stay
# concerned, and the waiting lists. Staff pages under /staff/, the waiting lists' public pages under
# /waitlist/.
bp = Blueprint("closing", __name__)

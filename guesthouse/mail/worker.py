"""`flask mail worker`: a process that writes and sends mails as changes are committed (MAIL_DELIVERY=worker).

Why a process of its own: writing a mail (its templates), composing the MIME message and talking to
the SMTP relay take several milliseconds of CPU per mail. Done by the web worker, they hold up the next
requests it serves; done here, at a lower CPU priority (systemd `CPUSchedulingPolicy=idle`), a burst of
requests is answered first and its mails follow a moment later. Claims (outbox.write_pending for the
events, delivery.py for the messages) keep it from ever writing or sending a mail twice, alongside a
`mail send` run or a second worker.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

from flask import current_app

from ..database import utcnow
from ..extensions import db
from .delivery import deliver
from .operations import purge_sent
from .outbox import write_pending

BATCH = 20  # messages claimed at once: one SMTP connection each
PURGE_EVERY_SECONDS = 3600.0


def run(stop: threading.Event, poll: float) -> Counter:
    """Send due mail until `stop` is set, waiting `poll` seconds whenever nothing is due; the totals."""
    totals: Counter = Counter()
    next_purge = time.monotonic()
    while not stop.is_set():
        # Written and sent in batches as they come: the first mails of a burst leave while the rest of
        # it is still being written. Apart, so that mails that cannot be written never stop the others.
        try:
            written = write_pending(BATCH)
        except Exception:
            current_app.logger.exception("mail worker: could not write the mails of new events; trying again")
            db.session.rollback()
            written = 0
        try:
            batch = deliver(limit=BATCH)
            if time.monotonic() >= next_purge:
                retention = current_app.config["MAIL_SENT_RETENTION_DAYS"]
                purge_sent(utcnow() - timedelta(days=retention))
                db.session.commit()
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        except Exception:  # the database went away, a disk filled: keep the service alive and try again
            current_app.logger.exception("mail worker: could not read or update the outbox; trying again")
            db.session.rollback()
            batch = Counter()
        totals.update(batch)
        if batch:
            current_app.logger.info("mail worker: %s", dict(batch))
        # Nothing to write or due, or the relay is struggling (retries are due later): wait, not spin.
        if not written and (not batch or batch["retry"]):
            stop.wait(poll)
    return totals
